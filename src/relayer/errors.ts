/**
 * How the relayer reads failures (insufficient funds, RPC failures worth a retry) and its one backoff policy: a delay
 * doubled at each attempt up to a ceiling, for RPC retries, failed sends and failed payouts alike. Revert decoding is
 * the protocol's (`protocol/revert.ts`).
 */
import type { Interface } from "ethers";

import { decodeRevert } from "../protocol/revert.js";

export { decodeRevert, isAlreadyHandled } from "../protocol/revert.js";
export type { DecodedRevert } from "../protocol/revert.js";

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const short = (error as { shortMessage?: string }).shortMessage;
    return short ?? error.message;
  }
  return String(error);
}

/** A one-line description of `error`. */
export function describeError(error: unknown, iface?: Interface): string {
  const revert = iface === undefined ? undefined : decodeRevert(error, iface);
  if (revert !== undefined) return `reverted: ${revert.text}`;
  return messageOf(error).split("\n")[0];
}

/** Whether `error` says the sender cannot pay for the transaction. */
export function isInsufficientFunds(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  if (code === "INSUFFICIENT_FUNDS") return true;
  return /insufficient funds|doesn't have enough funds|not enough funds/i.test(fullMessage(error));
}

function fullMessage(error: unknown, depth = 0): string {
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- an object nested deeper than 4 is not searched: its default text is harmless
  if (depth > 4 || error === null || typeof error !== "object") return String(error ?? "");
  const record = error as Record<string, unknown>;
  return [record.message, record.shortMessage, fullMessage(record.error, depth + 1), fullMessage(record.cause, depth + 1)]
    .filter((part) => typeof part === "string" && part.length > 0)
    .join(" | ");
}

/** Whether `error` is a transport failure (connection refused, timeout, 5xx) rather than an answer of the chain. */
export function isTransientRpcError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  if (code === "CALL_EXCEPTION" || code === "INSUFFICIENT_FUNDS") return false;
  if (code === "NETWORK_ERROR" || code === "SERVER_ERROR" || code === "TIMEOUT") return true;
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|socket hang up|fetch failed|network error|timeout|429|502|503|504/i.test(
    fullMessage(error),
  );
}

/**
 * Whether `error` says that another transaction of this account took the nonce this one was sent with: another
 * relayer of the same operator (one key on two machines) sent one at the same moment. Nothing is wrong with what was
 * sent: it is tried again, with a fresh nonce, once the relayer has checked that the other did not do the work.
 */
export function isNonceCollision(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  if (code === "NONCE_EXPIRED" || code === "REPLACEMENT_UNDERPRICED" || code === "TRANSACTION_REPLACED") return true;
  return /nonce too low|nonce has already been used|replacement transaction underpriced|already known|known transaction|same nonce/i.test(
    fullMessage(error),
  );
}

/** Options of `withRetry`. */
export interface RetryOptions {
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

export const DEFAULT_RETRY: RetryOptions = { retries: 5, baseDelayMs: 200, maxDelayMs: 10_000 };

/**
 * The backoff policy: the delay before attempt `attempt` + 1 after `attempt` failures (1 for the first), `baseMs`
 * doubled at each failure and at most `maxMs`.
 */
export function backoffDelay(baseMs: number, attempt: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 20));
}

/** Runs `operation`, retrying transient RPC failures with exponential backoff (other errors are thrown at once). */
export async function withRetry<T>(operation: () => Promise<T>, options: RetryOptions = DEFAULT_RETRY): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt > options.retries || !isTransientRpcError(error)) throw error;
      const delayMs = backoffDelay(options.baseDelayMs, attempt, options.maxDelayMs);
      options.onRetry?.(error, attempt, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
