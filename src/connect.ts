import type { ContractTransactionReceipt, ContractTransactionResponse, Provider, Signer } from "ethers";

import { BridgeTaskError, explain } from "./errors.js";
import { shortenHex } from "./format.js";
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

/**
 * Picks the sending account among a network's configured accounts: by address, or by index (`0` is the first and the
 * default). `option` names the command-line option the choice came from, in the error that refuses it.
 */
export function chooseSigner<T extends { address: string }>(
  signers: T[],
  choice: string | undefined,
  network: string,
  option = "signer",
): T {
  if (choice === undefined || choice.trim() === "") return signers[0];
  const text = choice.trim();
  // a network that signs with one key of its own (BRIDGE_LOCAL_PRIVATE_KEY, NET_PRIVATE_KEY) has that key's account only
  const oneKey = signers.length === 1 ? `; hint: network "${network}" signs with one configured key, of ${signers[0].address}` : "";
  if (/^\d+$/.test(text)) {
    const signer = signers[Number(text)];
    if (signer === undefined) {
      throw new BridgeTaskError(`${option}: network "${network}" has ${signers.length} account(s); index ${text} does not exist${oneKey}`);
    }
    return signer;
  }
  const signer = signers.find((candidate) => candidate.address.toLowerCase() === text.toLowerCase());
  if (signer === undefined) {
    throw new BridgeTaskError(`${option}: ${text} is not an account of network "${network}" (hardhat.config.ts accounts)${oneKey}`);
  }
  return signer;
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
  log(shortenHex(`[${side.side}] ${what}: tx ${response.hash} (block ${receipt.blockNumber})`));
  return receipt;
}

/** Refuses an address without code on `side` (a mistyped or wrong-chain contract address). */
export async function requireContract(side: ChainSide, address: string, what: string): Promise<void> {
  const code = await side.provider.getCode(address);
  if (code === "0x") throw new BridgeTaskError(`${what}: no contract at ${address} on ${side.side} (${side.network})`);
}
