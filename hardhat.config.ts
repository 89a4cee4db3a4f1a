import { createRequire } from "node:module";

import hardhatToolboxMochaEthersPlugin from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig, emptyTask } from "hardhat/config";

import { relayerTasks } from "./tasks/relayer-tasks.js";

const require = createRequire(import.meta.url);

// The npm `solc` package (pinned in package.json) is the compiler: no download needed.
const SOLC_VERSION = "0.8.30";
const SOLC_PATH = require.resolve("solc/soljson.js");

// Cancun is the newest EVM that Kaia mainnet, Kairos, current service chains and Hardhat's simulated chains all run.
const EVM_VERSION = "cancun";

const compiler = {
  version: SOLC_VERSION,
  path: SOLC_PATH,
  settings: {
    evmVersion: EVM_VERSION,
    optimizer: { enabled: true, runs: 20_000 },
    viaIR: true,
  },
};

export default defineConfig({
  plugins: [hardhatToolboxMochaEthersPlugin],
  tasks: [emptyTask("bridge", "Deploy, operate and inspect a service chain bridge pair").build(), ...relayerTasks],
  solidity: {
    profiles: {
      default: compiler,
      production: compiler,
    },
  },
  networks: {
    parent: { type: "edr-simulated", chainType: "l1", chainId: 31337, hardfork: "prague" },
    child: { type: "edr-simulated", chainType: "l1", chainId: 31338, hardfork: "prague" },
    // The benchmark's chain: Hardhat's EVM at prague, as SPEC.md's Klaytn figures, with accounts for 9 operators.
    bench: { type: "edr-simulated", chainType: "l1", chainId: 31339, hardfork: "prague", accounts: { count: 20 } },
  },
});
