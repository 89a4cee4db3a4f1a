/**
 * How the operators' relayers exchange signatures: one interface for every signed action (handle batches, anchors,
 * cancellations, refunds), whatever carries the signatures. The shared directory (`signatures.ts`, `anchoring.ts`,
 * `recovery-directory.ts`) is one transport, for operators on one machine or a shared file system; the signature board
 * on the child chain (`board-feed.ts`, `board-exchange.ts`) is the other, for operators who share nothing but the
 * chains. A relayer gets its transports from one `ExchangeWiring` (`exchanges.ts`).
 *
 * Whatever a transport returns was checked: the digest recomputed from the content, the signer recovered from a
 * canonical signature, one entry per signer. Whether a signer counts (a current operator) is the caller's check.
 */
import type { TypedDataDomain } from "ethers";

import type { AnchorData } from "../protocol/anchor.js";
import type { RecoveryKind } from "../protocol/eip712.js";
import type { Side, SignedTransfer } from "../protocol/transfer.js";
import type { AnchorSignature } from "./anchoring.js";

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
  /**
   * Shares several of this operator's signatures at once, where that saves round trips (the board: one transaction
   * for all). Without it, a caller posts each as it is made.
   */
  postAll?(entries: Entry[]): Promise<void>;
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

/** What a batch transport is given for one destination bridge. */
export interface BatchExchangeContext {
  /** The side whose requests the batches carry. */
  source: Side;
  /** The destination bridge's EIP-712 domain. */
  domain: TypedDataDomain;
  /**
   * The source's requests `first` to `last` as this relayer read them from the source chain (its own scan), in
   * nonce order; undefined while one of them is not read yet.
   */
  requests(first: bigint, last: bigint): SignedTransfer[] | undefined;
}

/** An exchange of anchor signatures, for one AnchoringReceiver (its EIP-712 domain). */
export interface AnchorExchange extends SignatureExchange<AnchorSignature> {
  readonly domain: TypedDataDomain;
}

/** What an anchor transport is given for one AnchoringReceiver. */
export interface AnchorExchangeContext {
  domain: TypedDataDomain;
  /** The anchor of child block `blockNumber` as this relayer reads it from the child chain; undefined while not confirmed. */
  anchorOf(blockNumber: bigint): Promise<AnchorData | undefined>;
}

/** An exchange of cancel and refund signatures, for one TransferRecovery ledger. */
export interface RecoveryExchange extends SignatureExchange<RecoverySignature> {
  /** The digest an approval of `kind` for `transfer` signs on this ledger. */
  digestOf(kind: RecoveryKind, transfer: SignedTransfer): string;
}

/** What a recovery transport is given for one ledger. */
export interface RecoveryExchangeContext {
  domain: TypedDataDomain;
  /** The side of the ledger: it cancels transfers of the other side's requests and refunds its own side's. */
  side: Side;
}

/** The transports a relayer exchanges its signatures through (the shared directory, or the signature board). */
export interface ExchangeWiring {
  /** What the wiring is, for the start line (`dir`, `board`). */
  readonly name: string;
  /** The batch signatures for one destination bridge. */
  batches(context: BatchExchangeContext): SignatureExchange<BatchSignature>;
  /** The anchor signatures for one AnchoringReceiver; without it, anchors go through the directory (if any) or by votes. */
  anchors?(context: AnchorExchangeContext): AnchorExchange;
  /** The cancel and refund signatures for one recovery ledger; without it, approvals by calls. */
  recovery?(context: RecoveryExchangeContext): RecoveryExchange;
}
