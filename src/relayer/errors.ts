/**
 * How the relayer reads failures: revert data decoded with the contract's interface, the reverts that mean "already
 * handled", insufficient funds, and RPC failures worth a retry with backoff.
 */
import type { Interface } from "ethers";

/** A revert, decoded: the custom error's name and arguments, or what little is known. */
export interface DecodedRevert {
  name: string;
  args: string[];
  /** `Name(arg, arg)` for logs. */
  text: string;
}

/** Reverts meaning that the request nonce is handled already: the work is done, by someone. */
const ALREADY_HANDLED = new Set(["VoteClosed", "NonceAlreadyPassed"]);

function findRevertData(error: unknown, depth = 0): string | undefined {
  if (depth > 6 || error === null || typeof error !== "object") return undefined;
  const record = error as Record<string, unknown>;
  const data = record.data;
  if (typeof data === "string" && /^0x[0-9a-fA-F]*$/.test(data) && data.length >= 10) return data;
  if (data !== null && typeof data === "object") {
    const nested = findRevertData(data, depth + 1);
    if (nested !== undefined) return nested;
  }
  for (const key of ["error", "info", "cause", "revert"]) {
    const nested = findRevertData(record[key], depth + 1);
    if (nested !== undefined) return nested;
  }
  return undefined;
}

/** Decodes the revert in `error` with `iface` (custom errors, `Error(string)`, panics); undefined when none. */
export function decodeRevert(error: unknown, iface: Interface): DecodedRevert | undefined {
  const data = findRevertData(error);
  if (data === undefined) {
    const revert = (error as { revert?: { name: string; args: unknown[] } } | null)?.revert;
    if (revert?.name !== undefined) {
      const args = revert.args.map(String);
      return { name: revert.name, args, text: `${revert.name}(${args.join(", ")})` };
    }
    return undefined;
  }
  try {
    const parsed = iface.parseError(data);
    if (parsed !== null) {
      const args = parsed.args.map(String);
      return { name: parsed.name, args, text: `${parsed.name}(${args.join(", ")})` };
    }
  } catch {
    // fall through to the raw selector
  }
  return { name: data.slice(0, 10), args: [], text: `unknown revert ${data.slice(0, 10)}` };
}

/** Whether the revert says the nonce was handled already. */
export function isAlreadyHandled(revert: DecodedRevert | undefined): boolean {
  return revert !== undefined && ALREADY_HANDLED.has(revert.name);
}

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

/** Options of `withRetry`. */
export interface RetryOptions {
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

export const DEFAULT_RETRY: RetryOptions = { retries: 5, baseDelayMs: 200, maxDelayMs: 10_000 };

/** Runs `operation`, retrying transient RPC failures with exponential backoff (other errors are thrown at once). */
export async function withRetry<T>(operation: () => Promise<T>, options: RetryOptions = DEFAULT_RETRY): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt > options.retries || !isTransientRpcError(error)) throw error;
      const delayMs = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      options.onRetry?.(error, attempt, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
