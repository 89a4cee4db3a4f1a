import { createRequire } from "node:module";

import hardhatToolboxMochaEthersPlugin from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";

import "./src/hardhat/type-extensions.js";
import { bridgeTasks } from "./tasks/index.js";

const require = createRequire(import.meta.url);

// EDR's native binding is dropped by any `npm install <pkg>` run on Node 20; restore it before Hardhat needs it.
(require("./scripts/ensure-edr.cjs") as { ensureEdrBinding: () => void }).ensureEdrBinding();

// The npm `solc` package (pinned in package.json) is the compiler: no download needed.
const SOLC_VERSION = "0.8.30";
const SOLC_PATH = require.resolve("solc/soljson.js");

// Cancun is the newest EVM that Kaia mainnet, Kairos, current service chains and Hardhat's simulated chains all run.
const EVM_VERSION = "cancun";

const compiler = (runs: number) => ({
  version: SOLC_VERSION,
  path: SOLC_PATH,
  settings: { evmVersion: EVM_VERSION, optimizer: { enabled: true, runs }, viaIR: true },
});

// Everything is optimised for execution (runs 20,000) except the Bridge, which at that setting would pass the
// 24,576-byte contract size limit (EIP-170): at runs 800 it fits, for a few hundred gas per path
// (`npm run bench` measures the contracts as compiled here). The Solidity tests that deploy a Bridge compile it with
// the rest at 20,000 runs (the same source; their test runner has no size limit), which saves a compilation of the
// Bridge per test file.
const profile = {
  compilers: [compiler(20_000)],
  overrides: { "contracts/bridge/Bridge.sol": compiler(800) },
};

// `npm run test:invariants` (scripts/invariant-campaign.mjs) names a file here for the campaign's stats: the invariant
// tests append to it (test/invariants/CampaignStats.sol), and only to it.
const INVARIANT_STATS_FILE = process.env.BRIDGE_INVARIANT_STATS;
const fsPermissions = INVARIANT_STATS_FILE === undefined ? undefined : { writeFile: [INVARIANT_STATS_FILE] };

// Two `npx hardhat node` processes (see README). Tests point these at other ports through the environment.
const LOCAL_PARENT_URL = process.env.BRIDGE_LOCAL_PARENT_URL ?? "http://127.0.0.1:8545";
const LOCAL_CHILD_URL = process.env.BRIDGE_LOCAL_CHILD_URL ?? "http://127.0.0.1:8546";
// The accounts the nodes unlock, or, with BRIDGE_LOCAL_PRIVATE_KEY, that one key signing here as an operator's key does
// on a machine of its own (transaction nonces are then this process's to pick, not the node's).
// A value that is not a key is not configured (Hardhat would refuse the whole configuration): the tasks say so in one line.
const LOCAL_KEY = process.env.BRIDGE_LOCAL_PRIVATE_KEY?.trim();
const localAccounts =
  LOCAL_KEY === undefined
    ? {}
    : /^(0x)?[0-9a-fA-F]{64}$/.test(LOCAL_KEY)
      ? { accounts: [LOCAL_KEY] }
      : { keyError: "BRIDGE_LOCAL_PRIVATE_KEY is not a private key (0x and 64 hex digits)" };

/**
 * A chain reached over HTTP: its URL from `PREFIX_RPC_URL` (or `defaultUrl`), its account's key from
 * `PREFIX_PRIVATE_KEY`. Kaia's chains have instant (BFT) finality, so a transaction is final once mined.
 */
function remoteChain(prefix: string, chain: { chainId?: number; defaultUrl?: string } = {}) {
  const urlVariable = `${prefix}_RPC_URL`;
  return {
    type: "http" as const,
    chainType: "l1" as const,
    ...(chain.chainId === undefined ? {} : { chainId: chain.chainId }),
    url: chain.defaultUrl === undefined ? configVariable(urlVariable) : configVariable(urlVariable, { default: chain.defaultUrl }),
    accounts: [configVariable(`${prefix}_PRIVATE_KEY`)],
    confirmations: 1,
  };
}

export default defineConfig({
  plugins: [hardhatToolboxMochaEthersPlugin],
  tasks: bridgeTasks,
  solidity: {
    profiles: {
      default: profile,
      production: profile,
    },
  },
  // Solidity tests (fuzz and invariant campaigns). `default` is the short campaign `npm test` runs;
  // `invariants` is the long one (`npm run test:invariants`): at least 10,000 sequences per invariant.
  // The handler never reverts, so `failOnRevert` turns any slip of the harness itself into a failure.
  test: {
    solidity: {
      profiles: {
        default: {
          fsPermissions,
          fuzz: { runs: 256 },
          invariant: { runs: 128, depth: 40, failOnRevert: true },
        },
        invariants: {
          fsPermissions,
          fuzz: { runs: 5_000 },
          invariant: { runs: 10_000, depth: 64, failOnRevert: true },
        },
      },
    },
  },
  networks: {
    // In-process chains: tests and the demo run both sides in one process.
    parent: { type: "edr-simulated", chainType: "l1", chainId: 31337, hardfork: "prague" },
    child: { type: "edr-simulated", chainType: "l1", chainId: 31338, hardfork: "prague" },
    // Local nodes: `npx hardhat node --port 8545 --chain-id 31337` and `--port 8546 --chain-id 31338`.
    localParent: { type: "http", chainType: "l1", url: LOCAL_PARENT_URL, chainId: 31337, confirmations: 1, ...localAccounts },
    localChild: { type: "http", chainType: "l1", url: LOCAL_CHILD_URL, chainId: 31338, confirmations: 1, ...localAccounts },
    // Kaia's testnet and mainnet: instant (BFT) finality, so a transaction is final once mined.
    kairos: remoteChain("KAIROS", { chainId: 1001, defaultUrl: "https://public-en-kairos.node.kaia.io" }),
    kaia: remoteChain("KAIA", { chainId: 8217, defaultUrl: "https://public-en.node.kaia.io" }),
    // The operator's own service chain (its chain id is read from the node).
    servicechain: remoteChain("SERVICECHAIN"),
    // The benchmark's chain: Hardhat's EVM at prague, as SPEC.md's Klaytn figures, with accounts for 9 operators.
    bench: { type: "edr-simulated", chainType: "l1", chainId: 31339, hardfork: "prague", accounts: { count: 20 } },
  },
});
