/**
 * The anchor of a child block: what every operator, by its relayer or by `bridge anchor`, submits for child block N,
 * computed from the child chain alone so that their votes and signatures meet. The anchor carries block N's header
 * fields (hash, parent hash, transactions, receipts and state roots), counts the pair's anchor period that ends at N
 * (`blockCount` blocks, from max(1, N − period + 1) to N, and `txCount` transactions in them) and commits to every
 * block of that range with `blocksRoot`: the root of an OpenZeppelin standard Merkle tree (`@openzeppelin/merkle-tree`,
 * checked on chain by OpenZeppelin's `MerkleProof`) whose leaves are each block's (number, hash, transactions root,
 * receipts root), as Polygon's checkpoints commit theirs. Any block of the range can then be proven against the
 * anchor, and a transaction or receipt against the roots of its leaf, without trusting the block hash to be a hash of
 * the header fields (Kaia's is not). The period is a fact of the pair (`anchorPeriod` in deployments/PAIR.json,
 * `DEFAULT_ANCHOR_PERIOD` when not recorded), not of an operator's command line; relayers anchor the multiples of it
 * (Klaytn's rule).
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { toBeHex } from "ethers";
import type { Provider } from "ethers";

/** Child blocks per anchor when the pair's record names none. */
export const DEFAULT_ANCHOR_PERIOD = 100;

/** A child block's anchor, as `AnchoringReceiver` takes it (`IAnchoringReceiver.Anchor`). */
export interface Anchor {
  blockHash: string;
  parentHash: string;
  transactionsRoot: string;
  receiptsRoot: string;
  stateRoot: string;
  /** The Merkle root over the range's blocks (`anchoredBlocksTree`). */
  blocksRoot: string;
  blockNumber: bigint;
  blockCount: bigint;
  txCount: bigint;
}

/** The fields of one anchor (the receiver's `Anchor`). */
export type AnchorData = Anchor;

export { ANCHOR_TYPES } from "./eip712.js";

/** An anchor with every field as text (stored JSON, a portable proof). */
export type AnchorJson = Record<keyof Anchor, string>;

/** The anchor written as `json` (every field as text), read back with its counts as bigints. */
export function anchorFromJson(json: AnchorJson): Anchor {
  return {
    blockHash: json.blockHash,
    parentHash: json.parentHash,
    transactionsRoot: json.transactionsRoot,
    receiptsRoot: json.receiptsRoot,
    stateRoot: json.stateRoot,
    blocksRoot: json.blocksRoot,
    blockNumber: BigInt(json.blockNumber),
    blockCount: BigInt(json.blockCount),
    txCount: BigInt(json.txCount),
  };
}

/**
 * The arguments of `AnchoringReceiver.submitAnchor` (Klaytn's vote entry point) for `anchor`, in its order, which is
 * also the order of the `AnchorAccepted` event: the block number first, the counts last.
 */
export function submitAnchorArgs(anchor: Anchor): [bigint, string, string, string, string, string, string, bigint, bigint] {
  return [
    anchor.blockNumber,
    anchor.blockHash,
    anchor.parentHash,
    anchor.transactionsRoot,
    anchor.receiptsRoot,
    anchor.stateRoot,
    anchor.blocksRoot,
    anchor.blockCount,
    anchor.txCount,
  ];
}

/** One block of an anchored range, a leaf of its `blocksRoot` (`IAnchoringReceiver.AnchoredBlock`). */
export interface AnchoredBlock {
  number: bigint;
  hash: string;
  transactionsRoot: string;
  receiptsRoot: string;
}

/**
 * The ABI types of a leaf, in the order of `AnchoredBlock`: the leaf is
 * `keccak256(bytes.concat(keccak256(abi.encode(number, hash, transactionsRoot, receiptsRoot))))`.
 */
export const ANCHORED_BLOCK_LEAF_TYPES = ["uint64", "bytes32", "bytes32", "bytes32"] as const;

type LeafValue = [bigint, string, string, string];

const leafValue = (block: AnchoredBlock): LeafValue => [block.number, block.hash, block.transactionsRoot, block.receiptsRoot];

/** The Merkle tree over the blocks of one anchored range (leaves sorted by hash, as the standard tree does). */
export function anchoredBlocksTree(blocks: AnchoredBlock[]): StandardMerkleTree<LeafValue> {
  if (blocks.length === 0) throw new Error("an anchored range has at least one block");
  return StandardMerkleTree.of(blocks.map(leafValue), [...ANCHORED_BLOCK_LEAF_TYPES]);
}

/** The proof that `block` is a leaf of `tree` (the tree of its anchored range). */
export function anchoredBlockProof(tree: StandardMerkleTree<LeafValue>, block: AnchoredBlock): string[] {
  for (const [index, value] of tree.entries()) {
    if (value[0] === block.number) return tree.getProof(index);
  }
  throw new Error(`child block ${block.number} is not in the anchored range`);
}

/** Whether `proof` shows `block` in the range whose root is `blocksRoot`. */
export function verifyAnchoredBlock(blocksRoot: string, block: AnchoredBlock, proof: string[]): boolean {
  return StandardMerkleTree.verify(blocksRoot, [...ANCHORED_BLOCK_LEAF_TYPES], leafValue(block), proof);
}

interface RpcBlockHeader {
  number: string;
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

/** The blocks of the anchored range ending at `blockNumber`, read from the child chain. */
export async function readAnchoredBlocks(provider: Provider, blockNumber: bigint, period: bigint): Promise<AnchoredBlock[]> {
  const rpc = provider as RpcProvider;
  const blocks: AnchoredBlock[] = [];
  for (let number = anchorRangeStart(blockNumber, period); number <= blockNumber; number++) {
    const { hash, transactionsRoot, receiptsRoot } = await header(rpc, number);
    blocks.push({ number, hash, transactionsRoot, receiptsRoot });
  }
  return blocks;
}

/**
 * The anchor of child block `blockNumber`, covering the `period` blocks that end at it (fewer for the first period
 * after genesis): `blockCount` blocks, `txCount` transactions in them, `blocksRoot` over all of them.
 */
export async function readAnchor(provider: Provider, blockNumber: bigint, period: bigint): Promise<AnchorData> {
  const rpc = provider as RpcProvider;
  const first = anchorRangeStart(blockNumber, period);
  const leaves: AnchoredBlock[] = [];
  let txCount = 0n;
  let anchored: RpcBlockHeader | undefined;
  for (let number = first; number <= blockNumber; number++) {
    const block = await header(rpc, number);
    leaves.push({ number, hash: block.hash, transactionsRoot: block.transactionsRoot, receiptsRoot: block.receiptsRoot });
    txCount += BigInt(block.transactions.length);
    anchored = block;
  }
  if (anchored === undefined) throw new Error(`child block ${blockNumber} has no anchored range`);
  return {
    blockNumber,
    blockHash: anchored.hash,
    parentHash: anchored.parentHash,
    transactionsRoot: anchored.transactionsRoot,
    receiptsRoot: anchored.receiptsRoot,
    stateRoot: anchored.stateRoot,
    blocksRoot: anchoredBlocksTree(leaves).root,
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
