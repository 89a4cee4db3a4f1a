/**
 * What the parts of the transfer recovery share (`recovery.ts` the worker, `recovery-events.ts` the events it reads,
 * `recovery-approval.ts` the cancellations and refunds): the ledgers of both sides, the store, the options, the
 * relayer's logger, clock and RPC retry, and the few steps every part takes.
 */
import type { Provider, Signer, TypedDataDomain } from "ethers";

import type { Bridge, TransferRecovery } from "../../types/ethers-contracts/index.js";
import type { RecoveryKind } from "../protocol/eip712.js";
import { decodeRevert } from "../protocol/revert.js";
import { ParkedStatus, directionOf, otherSide, refundTransferOf, toSignedTransfer } from "../protocol/transfer.js";
import type { Side, SignedTransfer, TransferRequest } from "../protocol/transfer.js";
import { backoffDelay, describeError, isInsufficientFunds, isNonceCollision, isTransientRpcError } from "./errors.js";
import { logNonceCollision } from "./failures.js";
import type { RecoveryExchange } from "./exchange.js";
import type { RelayerLogger } from "./log.js";
import type { AfterSend } from "./options.js";
import type { RecoveryRecord, RelayerStore } from "./store.js";

/** What the recovery needs of one side of the pair. */
export interface RecoveryChain {
  side: Side;
  provider: Provider;
  signer: Signer;
  bridge: Bridge;
  chainId: bigint;
  confirmations: number;
  deployedBlock: number;
}

export interface RecoveryOptions {
  /** Failed retries before the relayer cancels a failed transfer (0: cancel at once). */
  failedRetries: number;
  /** Cancel (and so refund) transfers held above the limits too, instead of leaving them to the bridge owner. */
  cancelHeld: boolean;
  /** Delay before the first retry, doubled at each failed one. */
  backoffMs: number;
  /** How long signatures are awaited before this operator approves by its own call. */
  signatureWaitMs: number;
  maxBlockRange: number;
}

/** What one recovery step did. */
export interface RecoveryReport {
  /** Transfers whose payout failed on the destination (`HandleValueTransferFailed` read in this step). */
  payoutFailures: number;
  /** Transfers held above the destination's limits (`TransferHeld` read in this step). */
  held: number;
  retried: number;
  retryFailures: number;
  cancelApprovals: number;
  refundApprovals: number;
}

/** A report of a step that did nothing. */
export function emptyRecoveryReport(): RecoveryReport {
  return { payoutFailures: 0, held: 0, retried: 0, retryFailures: 0, cancelApprovals: 0, refundApprovals: 0 };
}

/** One side's recovery ledger, and the exchange of its cancel or refund signatures (none: approvals by calls). */
export interface Ledger {
  chain: RecoveryChain;
  recovery: TransferRecovery;
  address: string;
  domain: TypedDataDomain;
  signatures?: RecoveryExchange;
}

/** What the worker borrows from its relayer: its logger, clock, RPC retry and crash hook. */
export interface RecoveryHooks {
  log: RelayerLogger;
  now: () => number;
  rpc: <T>(operation: () => Promise<T>) => Promise<T>;
  afterSend?: AfterSend;
  /** Reads the requests of a source transaction into the store (a parked transfer whose request it does not know). */
  readRequestTx?: (source: Side, txHash: string) => Promise<void>;
}

/** What every part of the recovery works with. */
export interface RecoveryContext extends RecoveryHooks {
  ledgers: Record<Side, Ledger>;
  store: RelayerStore;
  operator: string;
  options: RecoveryOptions;
  /** Logs each refused signature file once. */
  badFile: (file: string, reason: string) => void;
}

/** The longest a failed retry waits before the next one. */
const MAX_BACKOFF_MS = 10 * 60_000;

/** The delay before the retry that follows `attempts` failed ones. */
export function retryBackoff(context: RecoveryContext, attempts: number): number {
  return backoffDelay(context.options.backoffMs, attempts, MAX_BACKOFF_MS);
}

/** The ledger an approval of `kind` goes to: a cancellation on the destination, a refund on the source. */
export function ledgerOf(context: RecoveryContext, kind: RecoveryKind, source: Side): Ledger {
  return context.ledgers[kind === "cancel" ? otherSide(source) : source];
}

/** The transfer an approval of `kind` names: as executed on the destination, or as requested on the source. */
export function approvedTransfer(kind: RecoveryKind, request: TransferRequest): SignedTransfer {
  return kind === "cancel" ? toSignedTransfer(request) : refundTransferOf(request);
}

/** A transfer the ledger no longer holds as this relayer thought: what the destination says now. */
export async function reconcile(context: RecoveryContext, record: RecoveryRecord): Promise<void> {
  const ledger = context.ledgers[otherSide(record.source)];
  const [status] = await context.rpc(() => ledger.recovery.parkedTransfer(record.nonce));
  const state = Number(status);
  if (state === ParkedStatus.None) {
    context.store.updateRecovery(record.source, record.nonce, { state: "paid", lastReason: null });
    context.log.log("info", "paid", { direction: directionOf(record.source), nonce: record.nonce, by: "another caller" });
  } else if (state === ParkedStatus.Held && record.state !== "held") {
    context.store.updateRecovery(record.source, record.nonce, { state: "held" });
  } else if (state === ParkedStatus.Failed && record.state !== "failed") {
    context.store.updateRecovery(record.source, record.nonce, { state: "failed" });
  }
  // Cancelled: the `TransferCancelled` event, read with the destination's confirmations, moves it on
}

/** An error that says nothing about the transfer (RPC, funds, an unexpected revert): tried again after a backoff. */
export function tryLater(context: RecoveryContext, record: RecoveryRecord, error: unknown, what: string, txHash?: string): void {
  const revert = decodeRevert(error, context.ledgers.parent.recovery.interface);
  const reason = isInsufficientFunds(error) ? "insufficient funds for gas" : (revert?.text ?? describeError(error));
  context.store.updateRecovery(record.source, record.nonce, {
    lastReason: reason,
    retryAt: context.now() + context.options.backoffMs,
  });
  if (revert === undefined && isNonceCollision(error)) {
    // this operator's other relayer took the nonce: the next attempt reads the ledgers before it sends again
    logNonceCollision(context, what, error, { direction: directionOf(record.source), nonce: record.nonce });
    return;
  }
  const level = revert === undefined && isTransientRpcError(error) ? "warn" : "error";
  context.log.log(level, `${what}-error`, {
    direction: directionOf(record.source),
    nonce: record.nonce,
    error: reason,
    tx: txHash,
    retry: "later",
  });
}
