/** A portable proof as `ReceiptVerifier.verifyReceipt` takes it (trie mode only: concat blocks are proven off chain). */
import { BridgeTaskError } from "../errors.js";
import { anchorFromJson, type Anchor } from "../protocol/anchor.js";
import type { TransactionProofJson } from "./types.js";

export interface ReceiptProofArgs {
  anchor: Anchor;
  childBlock: { number: bigint; hash: string; transactionsRoot: string; receiptsRoot: string };
  blockProof: string[];
  transactionIndex: bigint;
  receiptProof: string[];
}

export function receiptProofArgs(proof: TransactionProofJson): ReceiptProofArgs {
  if (proof.mode !== "trie" || proof.receiptProof === undefined) {
    throw new BridgeTaskError("a concat-mode block (Kaia DeriveShaImpl 2) has no receipt trie: its receipts are proven off chain only");
  }
  const { anchor, block } = proof;
  return {
    anchor: anchorFromJson(anchor),
    childBlock: { number: BigInt(block.number), hash: block.hash, transactionsRoot: block.transactionsRoot, receiptsRoot: block.receiptsRoot },
    blockProof: proof.blockProof,
    transactionIndex: BigInt(proof.transactionIndex),
    receiptProof: proof.receiptProof,
  };
}
