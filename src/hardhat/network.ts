/**
 * Connecting to the networks of hardhat.config.ts: the part of the library that needs a Hardhat Runtime Environment
 * (the tasks, the demo). Everything else in the library takes plain ethers providers and signers (`ChainSide`).
 */
import type {} from "@nomicfoundation/hardhat-ethers";
import "./type-extensions.js";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { chooseSigner, type ChainSide, type PairSides } from "../connect.js";
import type { PairDeployment } from "../deployments.js";
import { BridgeTaskError, explain } from "../errors.js";
import type { Side } from "../validate.js";

/** Confirmations of a network: its `confirmations` field in hardhat.config.ts, default 1 (mined). */
export function confirmationsOf(hre: HardhatRuntimeEnvironment, network: string): number {
  const configured = hre.userConfig.networks?.[network]?.confirmations;
  if (configured === undefined) return 1;
  if (!Number.isInteger(configured) || configured < 1) {
    throw new BridgeTaskError(`network "${network}": confirmations must be a whole number >= 1 (got ${configured})`);
  }
  return configured;
}

/** A configuration variable the network needs (its URL or key) that is neither in the keystore nor the environment. */
function missingVariable(error: unknown, network: string): BridgeTaskError | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const match = /Configuration Variable "([^"]+)" not found/i.exec(message);
  if (match === null) return undefined;
  return new BridgeTaskError(
    `network "${network}" needs the configuration variable ${match[1]}: set it with \`npx hardhat keystore set ${match[1]}\` or in the environment`,
    { cause: error },
  );
}

/** Refuses a network name that hardhat.config.ts does not define. */
export function checkNetworkName(hre: HardhatRuntimeEnvironment, network: string, what: string): void {
  if (!(network in hre.config.networks)) {
    const known = Object.keys(hre.config.networks).filter((name) => name !== "default").join(", ");
    throw new BridgeTaskError(`${what}: network "${network}" is not in hardhat.config.ts (known: ${known})`);
  }
}

/**
 * Connects to a network of hardhat.config.ts. In-process networks are shared within one Hardhat run
 * (`network.getOrCreate`), so several tasks run in one process (tests, the demo) see the same chain. `option` names
 * the command-line option `signerChoice` came from (default `signer`).
 */
export async function connectNetwork(
  hre: HardhatRuntimeEnvironment,
  network: string,
  side: Side,
  signerChoice?: string,
  option?: string,
): Promise<ChainSide> {
  checkNetworkName(hre, network, side);
  const userNetwork = hre.userConfig.networks?.[network];
  const keyError = userNetwork?.type === "http" ? userNetwork.keyError : undefined;
  if (keyError !== undefined) throw new BridgeTaskError(`network "${network}": ${keyError}`);
  let connection;
  try {
    connection = await hre.network.getOrCreate(network);
  } catch (error) {
    throw missingVariable(error, network) ?? explain(error, `cannot connect to network "${network}"`);
  }
  const { ethers } = connection;
  let chainId: number;
  try {
    chainId = Number((await ethers.provider.getNetwork()).chainId);
  } catch (error) {
    const missing = missingVariable(error, network);
    if (missing !== undefined) throw missing;
    const config = hre.config.networks[network];
    const where = config?.type === "http" ? ` at ${await config.url.getUrl().catch(() => "its URL")}` : "";
    throw explain(error, `cannot reach network "${network}"${where} (is the node running?)`);
  }
  let signers;
  try {
    signers = await ethers.getSigners();
  } catch (error) {
    throw missingVariable(error, network) ?? explain(error, `network "${network}": cannot load its accounts`);
  }
  if (signers.length === 0) throw new BridgeTaskError(`network "${network}" has no account to send from (set its accounts in hardhat.config.ts)`);
  const signer = chooseSigner(signers, signerChoice, network, option);
  return { side, network, chainId, provider: ethers.provider, signer, confirmations: confirmationsOf(hre, network) };
}

/** Connects both networks of a recorded pair and checks that each still has the recorded chain id. */
export async function connectPair(hre: HardhatRuntimeEnvironment, deployment: PairDeployment, signerChoice?: string): Promise<PairSides> {
  const parent = await connectNetwork(hre, deployment.parent.network, "parent", signerChoice);
  const child = await connectNetwork(hre, deployment.child.network, "child", signerChoice);
  for (const side of [parent, child]) {
    const recorded = deployment[side.side].chainId;
    if (side.chainId !== recorded) {
      throw new BridgeTaskError(
        `pair "${deployment.name}": network "${side.network}" has chain id ${side.chainId}, the pair was deployed on chain id ${recorded}`,
      );
    }
  }
  return { parent, child };
}
