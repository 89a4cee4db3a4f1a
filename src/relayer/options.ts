/**
 * What a relayer is told (`RelayerOptions`), the defaults it fills in, and what one step reports (`ProcessReport`).
 */
import { DEFAULT_RETRY } from "./errors.js";
import type { RetryOptions } from "./errors.js";
import type { ExchangeWiring } from "./exchange.js";
import type { RelayerLogger } from "./log.js";
import type { RelayerStore } from "./store.js";
import type { ChainEndpoint, Side } from "./types.js";

/** A transaction this relayer sent, as the `afterSend` hook hears of it. */
export interface SentTransaction {
  kind: "vote" | "batch" | "anchor" | "retry" | "cancel" | "refund";
  side: Side;
  nonces: bigint[];
  txHash: string;
}

/** Called right after a transaction is sent, before anything about it is recorded (tests crash here). */
export type AfterSend = (sent: SentTransaction) => unknown;

export interface RelayerOptions {
  parent: ChainEndpoint;
  child: ChainEndpoint;
  /** The store, or the path of its sqlite file (`":memory:"` for none). */
  store: RelayerStore | string;
  /** The directory shared with the other operators' relayers for signatures; without it, votes only. */
  signatureDir?: string;
  /**
   * How signatures travel between the operators' relayers (`exchanges.ts`): `boardWiring` (the signature board on the
   * child chain: batches, anchors, cancellations and refunds) or `directoryWiring` (batches and recovery approvals, with
   * anchors in `signatureDir`); by default the directory `signatureDir` when given; neither: votes only.
   */
  exchange?: ExchangeWiring;
  /**
   * Transfers per signed batch (default 100). Batches are cut at fixed request nonces, `batchSize` apart (the batch
   * of window k holds nonces k·batchSize to (k+1)·batchSize − 1), so that operators whose relayers read a burst of
   * requests at different moments propose the same batches.
   */
  batchSize?: number;
  /**
   * How long a window that is not full waits before this relayer proposes what it holds (default 1 s): until no new
   * request of its direction came for that long, or the window has waited ten times that. The operators' relayers see
   * the same requests once requests stop coming, so they propose the same partial batch; 0 proposes at once.
   */
  batchWaitMs?: number;
  /** How long signed transfers wait for the others' signatures before this operator votes instead (default 30 s). */
  signatureWaitMs?: number;
  /**
   * How long a relayer waits before it submits a batch that reached the threshold, when it is not the designated
   * submitter (the destination bridge's current operator with the lowest address): so that several operators'
   * relayers do not all send the same batch. The designated submitter submits at once. Default 0: every relayer
   * submits at once.
   */
  submitGraceMs?: number;
  /** Anchor the child chain every this many child blocks (0: never; default 0). */
  anchorEvery?: number;
  /**
   * The pair's anchor period: how many child blocks each anchor counts, the same for every operator so that their
   * anchors meet (deployments/PAIR.json `anchorPeriod`; default `anchorEvery`).
   */
  anchorPeriod?: number;
  /** Most anchors sent in one `anchor` step (default 10). */
  maxAnchorsPerStep?: number;
  /** Blocks per getLogs call (default 2000). */
  maxBlockRange?: number;
  /** Pause between steps of `run` (default 1 s). */
  pollIntervalMs?: number;
  /** Pause between recoveries in `run` (default 10 s). */
  recoveryIntervalMs?: number;
  /** Delay before a failed transfer is tried again (doubled at each failure, default 1 s). */
  failureBackoffMs?: number;
  /**
   * Failed retries of a transfer whose payout failed on the destination before this operator approves its
   * cancellation (and then its refund on the source): default 3; 0 cancels at once. See `recovery.ts`.
   */
  failedRetries?: number;
  /** Cancel (and refund) transfers held above the destination's limits too, instead of leaving them to the owner. */
  cancelHeld?: boolean;
  /** Delay before the first retry of a failed payout, doubled at each failed retry (default 5 s). */
  payoutRetryBackoffMs?: number;
  logger?: RelayerLogger;
  retry?: RetryOptions;
  /** The clock (tests move it). */
  now?: () => number;
  /** Called right after a transaction is sent, before anything about it is recorded (tests crash here). */
  afterSend?: AfterSend;
}

/** What one `processPending` did. */
export interface ProcessReport {
  /** Transfers the destination handled (paid, failed or held there). */
  handled: number;
  votes: number;
  signatures: number;
  batches: number;
  /** Votes and batches of this relayer that failed (their transfers are retried, by votes for a batch). */
  failed: number;
  waiting: number;
  /** Handled transfers whose payout failed on the destination (parked as failed: retried, then refunded). */
  payoutFailures: number;
  /** Handled transfers held above the destination's limits. */
  held: number;
  /** Retries of failed payouts that failed again. */
  retryFailures: number;
  /** Request logs skipped because they cannot be read as requests. */
  unrelayable: number;
}

/** The options with their defaults filled in, as the workers read them. */
export type RelayerSettings = Required<
  Pick<
    RelayerOptions,
    | "batchSize"
    | "batchWaitMs"
    | "signatureWaitMs"
    | "submitGraceMs"
    | "anchorEvery"
    | "maxAnchorsPerStep"
    | "maxBlockRange"
    | "pollIntervalMs"
    | "recoveryIntervalMs"
    | "failureBackoffMs"
    | "retry"
  >
>;

/** `options` with the defaults filled in. */
export function settingsOf(options: RelayerOptions): RelayerSettings {
  return {
    batchSize: options.batchSize ?? 100,
    batchWaitMs: options.batchWaitMs ?? 1000,
    signatureWaitMs: options.signatureWaitMs ?? 30_000,
    submitGraceMs: options.submitGraceMs ?? 0,
    anchorEvery: options.anchorEvery ?? 0,
    maxAnchorsPerStep: options.maxAnchorsPerStep ?? 10,
    maxBlockRange: options.maxBlockRange ?? 2000,
    pollIntervalMs: options.pollIntervalMs ?? 1000,
    recoveryIntervalMs: options.recoveryIntervalMs ?? 10_000,
    failureBackoffMs: options.failureBackoffMs ?? 1000,
    retry: options.retry ?? DEFAULT_RETRY,
  };
}

/** A report of a step that did nothing. */
export function emptyReport(): ProcessReport {
  return {
    handled: 0,
    votes: 0,
    signatures: 0,
    batches: 0,
    failed: 0,
    waiting: 0,
    payoutFailures: 0,
    held: 0,
    retryFailures: 0,
    unrelayable: 0,
  };
}

/** Adds `report` into `total`. */
export function addReport(total: ProcessReport, report: ProcessReport): void {
  for (const key of Object.keys(total) as (keyof ProcessReport)[]) total[key] += report[key];
}
