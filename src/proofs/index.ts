/** Proofs of child-chain transactions against the anchors on the parent: build, check, and the portable format. */
export { proveTransaction, type ProveOptions } from "./prove.js";
export { verifyProof } from "./verify.js";
export { TRANSACTION_PROOF_FORMAT, type TransactionProofJson, type VerifiedTransaction } from "./types.js";
export { decodeReceipt, encodeReceipt, ethereumHeader, type ChainEncoding, type ProvenReceipt } from "./encoding.js";
export { rootOf, type RootMode } from "./roots.js";
export { receiptProofArgs, type ReceiptProofArgs } from "./onchain.js";
