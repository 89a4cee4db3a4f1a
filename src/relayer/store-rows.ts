/**
 * The store's rows read back: every column checked against what the store writes there (a file left by another
 * version, edited by hand or damaged reads as an error naming the column, never as a half-typed record), and
 * turned into the camelCase records the relayer works with. Nothing outside the store sees a row.
 */
import { requestFromJson, requestToJson } from "../protocol/transfer-json.js";
import type { Side, TransferRequest, TransferState } from "./types.js";

/** One row as `node:sqlite` returns it (its `SQLOutputValue`s, spelt out: older type packages do not name them). */
export type Row = Record<string, null | number | bigint | string | Uint8Array>;

/** A transfer as stored, with its state. */
export interface StoredTransfer {
  request: TransferRequest;
  state: TransferState;
  /** This operator's vote tx, when it voted. */
  voteTx: string | null;
  /** The destination block number read just before voting: where to look for this operator's vote after a crash. */
  voteFromBlock: number | null;
  /** The EIP-712 digest of the batch this operator signed holding the transfer. */
  batchDigest: string | null;
  /** When this operator signed it (ms since epoch). */
  signedAt: number | null;
  /** The signed-batch tx this relayer sent. */
  submitTx: string | null;
  /** The last error, for `failed`. */
  lastError: string | null;
  attempts: number;
  /** Not retried before this time (ms since epoch). */
  retryAt: number;
}

/**
 * Where a transfer that was handled but not paid out stands (see `recovery.ts`):
 * - `failed`: its payout failed on the destination; retried, then cancelled;
 * - `held`: parked above the destination's limits, for the bridge owner to release (or the operators to cancel);
 * - `paid`: paid to its recipient after all, by a retry or a release;
 * - `cancelled`: cancelled on the destination (seen with the destination's confirmations); refunded next;
 * - `refunded`: returned to its requester on the source.
 */
export type RecoveryState = "failed" | "held" | "paid" | "cancelled" | "refunded";

export interface RecoveryRecord {
  source: Side;
  nonce: bigint;
  state: RecoveryState;
  /** Failed retries so far (this relayer's and, as far as it knows, anyone's). */
  attempts: number;
  /** Why the last payout or retry failed, or why the last step could not go on. */
  lastReason: string | null;
  /** Not retried (or the next step not taken) before this time (ms since epoch). */
  retryAt: number;
  /** When this operator signed the current approval (cancel while failed or held, refund while cancelled). */
  signedAt: number | null;
  /** Whether this operator cast its own approval (the votes fallback) of the current step. */
  voted: boolean;
  /** The last transaction this relayer sent for it. */
  tx: string | null;
  /** The block of the event that put it in its state. */
  block: number | null;
}

/** What this relayer did for one child block's anchor. */
export interface AnchorRecord {
  block: number;
  /** The anchored block's hash ("" when not known). */
  blockHash: string;
  /** `signed`, `voted`, `anchored` or `passed`. */
  state: string;
  tx: string | null;
  /** When this operator signed the anchor (ms since epoch). */
  signedAt: number | null;
}

const TRANSFER_STATES: readonly TransferState[] = ["seen", "signed", "voting", "voted", "submitted", "done", "failed"];
const RECOVERY_STATES: readonly RecoveryState[] = ["failed", "held", "paid", "cancelled", "refunded"];
const SIDES: readonly Side[] = ["parent", "child"];

/** A column the store wrote as an integer. */
export function integer(row: Row, column: string): number {
  const value = row[column];
  if (typeof value === "bigint" && value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= 0n) return Number(value);
  if (typeof value !== "number" || !Number.isSafeInteger(value)) throw new Error(`the store's ${column} is not an integer`);
  return value;
}

function nullableInteger(row: Row, column: string): number | null {
  return row[column] === null ? null : integer(row, column);
}

/** A column the store wrote as text. */
export function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== "string") throw new Error(`the store's ${column} is not text`);
  return value;
}

function nullableText(row: Row, column: string): string | null {
  return row[column] === null ? null : text(row, column);
}

function oneOf<T extends string>(row: Row, column: string, values: readonly T[]): T {
  const value = text(row, column);
  const found = values.find((candidate) => candidate === value);
  if (found === undefined) throw new Error(`the store's ${column} "${value}" is not one of ${values.join(", ")}`);
  return found;
}

/** A request as the store writes it: its JSON form (`requestToJson`). */
export function serializeRequest(request: TransferRequest): string {
  return JSON.stringify(requestToJson(request));
}

/**
 * The requests already parsed, by their stored text: a request never changes once recorded, and a relayer reads its
 * pending transfers several times a step.
 */
const parsedRequests = new Map<string, TransferRequest>();

function cachedRequest(data: string): TransferRequest {
  let request = parsedRequests.get(data);
  if (request === undefined) {
    try {
      request = requestFromJson(JSON.parse(data));
    } catch (error) {
      throw new Error(`the store holds a request it cannot read: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    if (parsedRequests.size >= 20_000) parsedRequests.clear();
    parsedRequests.set(data, request);
  }
  return { ...request };
}

/** A row of `transfers`, checked. */
export function transferOf(row: Row): StoredTransfer {
  return {
    request: cachedRequest(text(row, "data")),
    state: oneOf(row, "state", TRANSFER_STATES),
    voteTx: nullableText(row, "vote_tx"),
    voteFromBlock: nullableInteger(row, "vote_from_block"),
    batchDigest: nullableText(row, "batch_digest"),
    signedAt: nullableInteger(row, "signed_at"),
    submitTx: nullableText(row, "submit_tx"),
    lastError: nullableText(row, "last_error"),
    attempts: integer(row, "attempts"),
    retryAt: integer(row, "retry_at"),
  };
}

/** A row of `recovery`, checked. */
export function recoveryOf(row: Row): RecoveryRecord {
  return {
    source: oneOf(row, "source", SIDES),
    nonce: BigInt(integer(row, "nonce")),
    state: oneOf(row, "state", RECOVERY_STATES),
    attempts: integer(row, "attempts"),
    lastReason: nullableText(row, "last_reason"),
    retryAt: integer(row, "retry_at"),
    signedAt: nullableInteger(row, "signed_at"),
    voted: integer(row, "voted") !== 0,
    tx: nullableText(row, "tx"),
    block: nullableInteger(row, "block"),
  };
}

/** A row of `anchors`, checked. */
export function anchorOf(row: Row): AnchorRecord {
  return {
    block: integer(row, "block"),
    blockHash: text(row, "block_hash"),
    state: text(row, "state"),
    tx: nullableText(row, "tx"),
    signedAt: nullableInteger(row, "signed_at"),
  };
}
