import type {} from "@nomicfoundation/hardhat-ethers";
import type { ContractTransactionReceipt, ContractTransactionResponse, Provider, Signer } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import type { PairDeployment } from "./deployments.js";
import { BridgeTaskError, explain } from "./errors.js";
import { short } from "./format.js";
import type { Side } from "./validate.js";

/** Prints one line of progress. Tasks pass console.log; tests and the relayer pass their own. */
export type Log = (line: string) => void;

export const silent: Log = () => {};

/** A connected chain: what every library function needs to read and send on one side of a pair. */
export interface ChainSide {
  /** Which side of the pair this chain is. */
  side: Side;
  /** Hardhat network name. */
  network: string;
  chainId: number;
  provider: Provider;
  /** The account that sends transactions: the network's first configured account. */
  signer: Signer & { address: string };
  /** Blocks to wait after a transaction is mined. */
  confirmations: number;
}

export interface PairSides {
  parent: ChainSide;
  child: ChainSide;
}

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
 * (`network.getOrCreate`), so several tasks run in one process (tests, the demo) see the same chain.
 */
export async function connectNetwork(hre: HardhatRuntimeEnvironment, network: string, side: Side, signerChoice?: string): Promise<ChainSide> {
  checkNetworkName(hre, network, side);
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
  const signer = chooseSigner(signers, signerChoice, network);
  return { side, network, chainId, provider: ethers.provider, signer, confirmations: confirmationsOf(hre, network) };
}

/**
 * Picks the sending account among a network's configured accounts: by address, or by index (`0` is the first and the
 * default).
 */
export function chooseSigner<T extends { address: string }>(signers: T[], choice: string | undefined, network: string): T {
  if (choice === undefined || choice.trim() === "") return signers[0]!;
  const text = choice.trim();
  if (/^\d+$/.test(text)) {
    const signer = signers[Number(text)];
    if (signer === undefined) throw new BridgeTaskError(`signer: network "${network}" has ${signers.length} account(s); index ${text} does not exist`);
    return signer;
  }
  const signer = signers.find((candidate) => candidate.address.toLowerCase() === text.toLowerCase());
  if (signer === undefined) throw new BridgeTaskError(`signer: ${text} is not an account of network "${network}" (hardhat.config.ts accounts)`);
  return signer;
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

/**
 * Sends one transaction, waits for the side's confirmations and prints `[side] what: tx HASH (block N)`.
 * A revert, before sending (gas estimation) or after, becomes a one-line BridgeTaskError naming the custom error.
 */
export async function sendTx(
  side: ChainSide,
  what: string,
  log: Log,
  send: () => Promise<ContractTransactionResponse>,
): Promise<ContractTransactionReceipt> {
  let response: ContractTransactionResponse;
  try {
    response = await send();
  } catch (error) {
    throw explain(error, `[${side.side}] ${what} failed`);
  }
  let receipt: ContractTransactionReceipt | null;
  try {
    receipt = await response.wait(side.confirmations);
  } catch (error) {
    throw explain(error, `[${side.side}] ${what} failed in tx ${response.hash}`);
  }
  if (receipt === null || receipt.status !== 1) throw new BridgeTaskError(`[${side.side}] ${what} failed in tx ${response.hash}`);
  log(`[${side.side}] ${what}: tx ${short(response.hash)} (block ${receipt.blockNumber})`);
  return receipt;
}

/** Refuses an address without code on `side` (a mistyped or wrong-chain contract address). */
export async function requireContract(side: ChainSide, address: string, what: string): Promise<void> {
  const code = await side.provider.getCode(address);
  if (code === "0x") throw new BridgeTaskError(`${what}: no contract at ${address} on ${side.side} (${side.network})`);
}
