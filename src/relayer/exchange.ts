/**
 * How the operators' relayers exchange signatures: one interface for every signed action (handle batches, anchors,
 * cancellations, refunds), whatever carries the signatures. The shared directory (`signatures.ts`, `anchoring.ts`,
 * `recovery.ts`) is one transport, for operators on one machine or a shared file system.
 *
 * Whatever a transport returns was checked: the digest recomputed from the content, the signer recovered from a
 * canonical signature, one entry per signer. Whether a signer counts (a current operator) is the caller's check.
 */
import type { RecoveryKind } from "../protocol/eip712.js";
import type { SignedTransfer } from "../protocol/transfer.js";

/** A refused post or file: where it was, and why. */
export type OnInvalid = (where: string, reason: string) => void;

/** One operator's signature of one digest. */
export interface SignedEntry {
  digest: string;
  signer: string;
  signature: string;
}

/** The signatures of one kind of signed action (`Entry` carries the content signed). */
export interface SignatureExchange<Entry extends SignedEntry> {
  /** Shares this operator's signature. */
  post(entry: Entry): Promise<void>;
  /** The valid signatures of `digest`, one per signer; refused ones go to `onInvalid`. */
  read(digest: string, onInvalid?: OnInvalid): Promise<Entry[]>;
  /** The digests with at least one signature: the open proposals. */
  proposals(): Promise<string[]>;
  /** Forgets `digest` once its action is done. */
  remove(digest: string): Promise<void>;
}

/** One operator's signature of a handle batch, as posted and read. */
export interface BatchSignature extends SignedEntry {
  transfers: SignedTransfer[];
}

/** One operator's approval (a cancellation or a refund) of one transfer, as posted and read. */
export interface RecoverySignature extends SignedEntry {
  kind: RecoveryKind;
  transfer: SignedTransfer;
}
