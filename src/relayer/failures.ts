/**
 * What becomes of the transfers of a vote or batch this relayer could not get through.
 */
import { decodeRevert, isAlreadyHandled } from "../protocol/revert.js";
import type { RelayerContext } from "./context.js";
import { backoffDelay, describeError, isInsufficientFunds, isNonceCollision, isTransientRpcError } from "./errors.js";
import type { ProcessReport } from "./options.js";
import type { StoredTransfer } from "./store.js";
import { directionOf, otherSide } from "./types.js";
import type { Side } from "./types.js";

/** The longest a failed transfer waits before it is tried again. */
const MAX_FAILURE_BACKOFF_MS = 60_000;

/**
 * Sorts out a failed send of this relayer (a vote, or a batch that failed for want of funds or an RPC failure):
 * done when the destination says it handled the nonces already, tried again later after a backoff, or failed with
 * the decoded reason.
 */
export function recordSendFailure(
  context: RelayerContext,
  source: Side,
  transfers: StoredTransfer[],
  error: unknown,
  kind: "vote" | "batch",
  report: ProcessReport,
): void {
  const dest = context.sides[otherSide(source)];
  const nonces = transfers.map((transfer) => transfer.request.requestNonce);
  const revert = decodeRevert(error, dest.bridge.interface);
  if (isAlreadyHandled(revert)) {
    context.store.updateTransfers(source, nonces, { state: "done", lastError: null });
    report.handled += nonces.length;
    for (const nonce of nonces) {
      context.log.log("info", "handled", { direction: directionOf(source), nonce, by: "another relayer" });
    }
    return;
  }
  const now = context.now();
  const noFunds = isInsufficientFunds(error);
  const collision = revert === undefined && isNonceCollision(error);
  if (noFunds || collision || (revert === undefined && isTransientRpcError(error))) {
    // nothing wrong with the transfers: back to where they were, tried again after the backoff (a collision with
    // this operator's other relayer: the next step first sees whether that one got them through)
    if (noFunds) context.funds.report(dest.side, "transactions");
    else if (collision) logNonceCollision(context, kind, error, { direction: directionOf(source), nonces: nonces.join(",") });
    else context.log.log("warn", "retry", { direction: directionOf(source), nonces: nonces.join(","), error: describeError(error) });
    const back = kind === "vote" ? ("seen" as const) : ("signed" as const);
    context.store.updateTransfers(source, nonces, { state: back, retryAt: now + context.settings.failureBackoffMs });
    return;
  }
  const reason = revert?.text ?? describeError(error);
  for (const transfer of transfers) {
    const attempts = transfer.attempts + 1;
    context.store.updateTransfer(source, transfer.request.requestNonce, {
      state: "failed",
      lastError: reason,
      attempts,
      retryAt: now + backoffDelay(context.settings.failureBackoffMs, attempts, MAX_FAILURE_BACKOFF_MS),
    });
  }
  report.failed += transfers.length;
  context.log.log("error", `${kind}-failed`, {
    direction: directionOf(source),
    nonces: nonces.join(","),
    error: reason,
    retry: "later",
  });
}

/**
 * Logs a transaction that lost its nonce to another transaction of this operator's key (its other relayer, see
 * `isNonceCollision`): a warning, not a failure; what it was for is tried again with a fresh nonce.
 */
export function logNonceCollision(
  context: Pick<RelayerContext, "log">,
  sending: string,
  error: unknown,
  fields: Record<string, unknown> = {},
): void {
  context.log.log("warn", "nonce-collision", { sending, ...fields, error: describeError(error), retry: "with a fresh nonce" });
}
