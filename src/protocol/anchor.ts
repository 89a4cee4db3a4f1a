/**
 * The anchor of a child block: what every operator, by its relayer or by `bridge anchor`, submits for child block N,
 * computed from the child chain alone so that their votes and signatures meet. The anchor carries block N's header
 * fields (hash, parent hash, transactions, receipts and state roots) and counts the pair's anchor period that ends
 * at N: `blockCount` blocks, from max(1, N − period + 1) to N, and `txCount` transactions in them. The period is a
 * fact of the pair (`anchorPeriod` in deployments/PAIR.json, `DEFAULT_ANCHOR_PERIOD` when not recorded), not of an
 * operator's command line; relayers anchor the multiples of it (Klaytn's rule).
 */
import { toBeHex } from "ethers";
import type { Provider } from "ethers";

/** Child blocks per anchor when the pair's record names none. */
export const DEFAULT_ANCHOR_PERIOD = 100;

/** A child block's anchor, as `AnchoringReceiver` takes it. */
export interface Anchor {
  blockHash: string;
  parentHash: string;
  transactionsRoot: string;
  receiptsRoot: string;
  stateRoot: string;
  blockNumber: bigint;
  blockCount: bigint;
  txCount: bigint;
}

/** The fields of one anchor (the receiver's `Anchor`). */
export type AnchorData = Anchor;

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

/** The first child block the anchor of `blockNumber` counts (block 0, genesis, is never counted). */
export function anchorRangeStart(blockNumber: bigint, period: bigint): bigint {
  return blockNumber - period + 1n > 1n ? blockNumber - period + 1n : 1n;
}

/**
 * The anchor of child block `blockNumber`, covering the `period` blocks that end at it (fewer for the first period
 * after genesis): `blockCount` blocks, `txCount` transactions in them.
 */
export async function readAnchor(provider: Provider, blockNumber: bigint, period: bigint): Promise<AnchorData> {
  const rpc = provider as RpcProvider;
  const anchored = await header(rpc, blockNumber);
  const first = anchorRangeStart(blockNumber, period);
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
