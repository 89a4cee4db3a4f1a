/**
 * The portable proof of a child-chain transaction and its receipt: JSON that anyone can check later with only a
 * parent-chain RPC (`verifyProof`). Every number is a decimal string, every byte string 0x-hex.
 */
import type { AnchorData, AnchoredBlock } from "../protocol/anchor.js";
import type { ChainEncoding, ProvenReceipt } from "./encoding.js";
import type { RootMode } from "./roots.js";

export const TRANSACTION_PROOF_FORMAT = "servicechain-bridge/transaction-proof@1";

export interface TransactionProofJson {
  format: typeof TRANSACTION_PROOF_FORMAT;
  /** Where the anchor is: the parent chain, its AnchoringReceiver, and a parent block at or before the anchor. */
  parentChainId: string;
  receiver: string;
  parentFromBlock: number;
  childChainId: string;
  /** The child chain's encodings and its blocks' root mode (Kaia's `DeriveShaImpl`: trie 0, concat 2). */
  encoding: ChainEncoding;
  mode: RootMode;
  /** The accepted anchor whose range holds the block, and the parent transaction that accepted it. */
  anchor: Record<keyof AnchorData, string>;
  anchorTransaction: string;
  /** The block, a leaf of the anchor's `blocksRoot`, and its Merkle proof. */
  block: Record<keyof AnchoredBlock, string>;
  blockProof: string[];
  /** The block's header RLP (ethereum encoding): its keccak is the block hash. */
  header?: string;
  transactionHash: string;
  transactionIndex: number;
  /** The transaction and receipt items, as the block's roots commit to them. */
  transaction: string;
  receipt: string;
  /** trie mode: the trie proofs of both items; concat mode: every item of the block. */
  transactionProof?: string[];
  receiptProof?: string[];
  transactions?: string[];
  receipts?: string[];
}

/** What `verifyProof` established. */
export interface VerifiedTransaction {
  transactionHash: string;
  childChainId: bigint;
  blockNumber: bigint;
  blockHash: string;
  transactionIndex: number;
  receipt: ProvenReceipt;
  /** The anchor: the range it covers and the parent transaction that accepted it. */
  anchor: { blockNumber: bigint; firstBlock: bigint; transactionHash: string };
  /** How many operators approved the anchor, and by which path. */
  approvals: { path: "signatures" | "votes"; operators: number };
  encoding: ChainEncoding;
  mode: RootMode;
  /** Whether the block hash was recomputed from the header (ethereum encoding). */
  headerChecked: boolean;
}

export const stringify = <T extends object>(value: T) =>
  Object.fromEntries(Object.entries(value).map(([key, field]) => [key, String(field)])) as Record<keyof T, string>;
