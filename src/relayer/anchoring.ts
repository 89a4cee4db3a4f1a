/**
 * Data anchoring: the child chain's block headers, read and summarised into the anchor the parent's
 * AnchoringReceiver records. Anchored blocks are the multiples of the period (Klaytn's rule), and the counts cover
 * the period that ends at the anchored block, so every operator computes the same anchor for the same block.
 */
import { toBeHex } from "ethers";
import type { Provider } from "ethers";

/** The fields of one anchor, in the order of `submitAnchor`. */
export interface AnchorData {
  blockNumber: bigint;
  blockHash: string;
  parentHash: string;
  transactionsRoot: string;
  receiptsRoot: string;
  stateRoot: string;
  blockCount: bigint;
  txCount: bigint;
}

interface RpcBlockHeader {
  hash: string;
  parentHash: string;
  transactionsRoot: string;
  receiptsRoot: string;
  stateRoot: string;
  transactions: unknown[];
}

type RpcProvider = Provider & { send(method: string, params: unknown[]): Promise<unknown> };

async function header(provider: RpcProvider, blockNumber: bigint): Promise<RpcBlockHeader> {
  const block = (await provider.send("eth_getBlockByNumber", [toBeHex(blockNumber), false])) as RpcBlockHeader | null;
  if (block === null) throw new Error(`child block ${blockNumber} not found`);
  return block;
}

/**
 * The anchor of child block `blockNumber`, covering the `period` blocks that end at it (fewer for the first period
 * after genesis): `blockCount` blocks, `txCount` transactions in them.
 */
export async function readAnchor(provider: Provider, blockNumber: bigint, period: bigint): Promise<AnchorData> {
  const rpc = provider as RpcProvider;
  const anchored = await header(rpc, blockNumber);
  const first = blockNumber - period + 1n > 1n ? blockNumber - period + 1n : 1n;
  let txCount = BigInt(anchored.transactions.length);
  for (let block = first; block < blockNumber; block++) {
    txCount += BigInt((await header(rpc, block)).transactions.length);
  }
  return {
    blockNumber,
    blockHash: anchored.hash,
    parentHash: anchored.parentHash,
    transactionsRoot: anchored.transactionsRoot,
    receiptsRoot: anchored.receiptsRoot,
    stateRoot: anchored.stateRoot,
    blockCount: blockNumber - first + 1n,
    txCount,
  };
}

/** The anchored blocks due: multiples of `period` above `lastAnchored` up to `head`, at most `limit` of them. */
export function dueAnchorBlocks(lastAnchored: bigint, head: bigint, period: bigint, limit: number): bigint[] {
  const blocks: bigint[] = [];
  let next = (lastAnchored / period + 1n) * period;
  while (next <= head && blocks.length < limit) {
    blocks.push(next);
    next += period;
  }
  return blocks;
}
