/**
 * Transfers handled but not paid out, as one operator's relayer drives them to an end.
 *
 * A destination bridge that cannot pay a transfer (the recipient or the token refuses it, the bridge lacks KLAY)
 * records the nonce as handled and parks the transfer as failed in its `TransferRecovery` ledger
 * (`HandleValueTransferFailed`); one above the destination's handle limits is parked as held (`TransferHeld`).
 * The relayer reads those events, and the ledger's `TransferRetried`, `TransferReleased`, `TransferCancelled`
 * (destination) and `ValueTransferRefunded` (source), and keeps each such transfer's state in its store:
 *
 * - failed: retried (`retryTransfer`, estimated first; `PayoutFailed` counts as a failed attempt) with a doubling
 *   backoff, up to `failedRetries` failed retries; then cancelled: this operator signs `cancelDigest(transfer)`, the
 *   signatures are exchanged in the signature exchange and the first relayer holding the threshold submits
 *   `cancelTransfer`; when they do not come within `signatureWaitMs`, the operator approves by its own call instead
 *   (empty signatures). Without a signature directory, by calls only.
 * - held: reported, left to the bridge owner (`bridge release`); cancelled like a failed one only with `cancelHeld`.
 * - cancelled (the `TransferCancelled` event read with the destination's confirmations): refunded on the source the
 *   same way (`refundDigest` of the transfer as requested on the source, `refundTransfer`). Before it signs or
 *   approves a refund, the relayer reads `parkedTransfer(nonce)` on the destination at its confirmed head and refuses
 *   unless it shows this very transfer cancelled, and `isRefunded(nonce)` on the source.
 * - paid (a retry or a release paid it) and refunded: done.
 *
 * Each step reads the chain before it writes, and the contracts refuse a second cancellation or refund, so a relayer
 * stopped anywhere and started again repeats nothing.
 *
 *
 * The parts: `recovery-events.ts` reads the events, `recovery-approval.ts` approves cancellations and refunds,
 * `recovery-directory.ts` exchanges their signatures through the shared directory.
 */
import { getAddress, isError } from "ethers";
import type { TypedDataDomain } from "ethers";

import { TransferRecovery__factory } from "../../types/ethers-contracts/index.js";
import { recoveryDomain } from "../protocol/eip712.js";
import { ParkedStatus, directionOf, otherSide, refundTransferOf, toSignedTransfer, transferContentHash } from "../protocol/transfer.js";
import type { Side, TransferRequest } from "../protocol/transfer.js";
import { withGasHeadroom } from "../protocol/constants.js";
import { decodeRevert } from "../protocol/revert.js";
import { describeError } from "./errors.js";
import type { RecoveryExchange } from "./exchange.js";
import { badFileReporter } from "./log.js";
import { RecoveryApprovals } from "./recovery-approval.js";
import { emptyRecoveryReport, reconcile, retryBackoff, tryLater } from "./recovery-context.js";
import type { Ledger, RecoveryChain, RecoveryContext, RecoveryHooks, RecoveryOptions, RecoveryReport } from "./recovery-context.js";
import { describePayoutFailure, scanRecoveryEvents } from "./recovery-events.js";
import type { RecoveryRecord, RelayerStore } from "./store.js";

export { ParkedStatus, refundTransferOf, transferContentHash };
export { RECOVERY_SIGNATURE_FORMAT, RecoverySignatureDirectory } from "./recovery-directory.js";
export type { RecoverySignature } from "./exchange.js";
export { describeReason } from "./recovery-events.js";
export { emptyRecoveryReport } from "./recovery-context.js";
export type { RecoveryChain, RecoveryHooks, RecoveryOptions, RecoveryReport } from "./recovery-context.js";

/** The recovery of failed and held transfers for one operator's relayer (see the module comment). */
export class TransferRecoveryWorker {
  readonly #context: RecoveryContext;
  readonly #approvals: RecoveryApprovals;

  private constructor(context: RecoveryContext) {
    this.#context = context;
    this.#approvals = new RecoveryApprovals(context);
  }

  /**
   * The worker of both sides, or undefined when a bridge has no recovery ledger (an older deployment). Throws when a
   * chain cannot be asked now (the relayer tries again at its next step). `exchange`: the exchange of a ledger's
   * signatures (none: approvals by calls only).
   */
  static async create(
    chains: Record<Side, RecoveryChain>,
    store: RelayerStore,
    operator: string,
    options: RecoveryOptions,
    hooks: RecoveryHooks,
    exchange?: (domain: TypedDataDomain, side: Side) => RecoveryExchange | undefined,
  ): Promise<TransferRecoveryWorker | undefined> {
    const ledgers = {} as Record<Side, Ledger>; // filled for both sides below, or not returned
    for (const side of ["parent", "child"] as const) {
      const chain = chains[side];
      let address: string;
      try {
        address = getAddress(await hooks.rpc(() => chain.bridge.transferRecovery()));
      } catch (error) {
        // a chain that does not answer now is not a bridge without a ledger: the caller tries again later
        if (!isError(error, "CALL_EXCEPTION") && !isError(error, "BAD_DATA")) throw error;
        hooks.log.log("warn", "recovery-off", { side, reason: "the bridge has no transfer recovery ledger" });
        return undefined;
      }
      const domain = recoveryDomain(chain.chainId, address);
      ledgers[side] = {
        chain,
        recovery: TransferRecovery__factory.connect(address, chain.signer),
        address,
        domain,
        signatures: exchange?.(domain, side),
      };
    }
    return new TransferRecoveryWorker({ ...hooks, ledgers, store, operator, options, badFile: badFileReporter(hooks.log) });
  }

  /** Reads the recovery events of both chains, then moves every failed, held and cancelled transfer one step on. */
  async step(): Promise<RecoveryReport> {
    const report = emptyRecoveryReport();
    for (const side of ["parent", "child"] as const) await scanRecoveryEvents(this.#context, side, report);
    for (const source of ["parent", "child"] as const) {
      for (const record of this.#context.store.recoveries(source, ["failed", "held", "cancelled"])) {
        try {
          await this.#advance(record, report);
        } catch (error) {
          this.#context.log.log("error", "recovery-step-failed", {
            direction: directionOf(source),
            nonce: record.nonce,
            error: describeError(error),
            retry: "next step",
          });
        }
      }
    }
    return report;
  }

  /**
   * Whether this operator signed a cancellation or refund whose other signatures it waits for (`runOnce` keeps
   * stepping while there is one, up to its deadline).
   */
  awaitingSignatures(): boolean {
    if (this.#context.ledgers.parent.signatures === undefined) return false;
    for (const source of ["parent", "child"] as const) {
      for (const record of this.#context.store.recoveries(source, ["failed", "held", "cancelled"])) {
        if (record.signedAt !== null && !record.voted) return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- steps

  async #advance(record: RecoveryRecord, report: RecoveryReport): Promise<void> {
    const stored = this.#context.store.getTransfer(record.source, record.nonce);
    if (stored === undefined) return; // the request is read by `poll`; nothing to act on before
    if (record.retryAt > this.#context.now()) return;
    if (record.state === "failed") {
      if (record.attempts < this.#context.options.failedRetries) await this.#retry(record, stored.request, report);
      else await this.#approvals.approve("cancel", record, stored.request, report);
    } else if (record.state === "held") {
      if (this.#context.options.cancelHeld) await this.#approvals.approve("cancel", record, stored.request, report);
    } else if (record.state === "cancelled") {
      await this.#approvals.approve("refund", record, stored.request, report);
    }
  }

  /** One retry of a failed transfer: estimated first (a payout that still fails costs nothing but a call). */
  async #retry(record: RecoveryRecord, request: TransferRequest, report: RecoveryReport): Promise<void> {
    const source = record.source;
    const ledger = this.#context.ledgers[otherSide(source)];
    const transfer = toSignedTransfer(request);
    const fields = { direction: directionOf(source), nonce: record.nonce };
    let txHash: string | undefined;
    try {
      const gas = await ledger.recovery.retryTransfer.estimateGas(transfer);
      const tx = await ledger.recovery.retryTransfer(transfer, { gasLimit: withGasHeadroom(gas) });
      txHash = tx.hash;
      await this.#context.afterSend?.({ kind: "retry", side: ledger.chain.side, nonces: [record.nonce], txHash: tx.hash });
      this.#context.store.updateRecovery(source, record.nonce, { tx: tx.hash });
      const receipt = await tx.wait();
      if (receipt === null || receipt.status !== 1) throw new Error(`retry ${tx.hash} failed`);
    } catch (error) {
      let revert = decodeRevert(error, ledger.recovery.interface);
      // the bridge's own refusals come through the ledger's call undecoded by its interface
      if (revert?.text.startsWith("unknown revert") === true) revert = decodeRevert(error, ledger.chain.bridge.interface);
      // a payout that fails again, a retry above the destination's handle limits (it counts against them) or a token
      // registered as another kind since: a failed attempt, on the way to the cancellation and refund
      if (revert?.name === "PayoutFailed" || revert?.name === "RetryAboveLimits" || revert?.name === "TokenKindMismatch") {
        const attempts = record.attempts + 1;
        const reason =
          revert.name === "PayoutFailed"
            ? await describePayoutFailure(this.#context, ledger, source, record.nonce, revert.args[1] ?? "0x")
            : revert.name === "RetryAboveLimits"
              ? `${revert.text}: above the destination's handle limits`
              : revert.text;
        this.#context.store.updateRecovery(source, record.nonce, {
          attempts,
          lastReason: reason,
          retryAt: this.#context.now() + retryBackoff(this.#context, attempts),
        });
        report.retryFailures += 1;
        this.#context.log.log("warn", "retry-failed", {
          ...fields,
          attempt: attempts,
          of: this.#context.options.failedRetries,
          reason,
          next: attempts < this.#context.options.failedRetries ? "retry later" : "cancel",
        });
        return;
      }
      if (revert?.name === "TransferNotParked") {
        await reconcile(this.#context, record);
        return;
      }
      tryLater(this.#context, record, error, "retry", txHash);
      return;
    }
    this.#context.store.updateRecovery(source, record.nonce, { state: "paid", lastReason: null, tx: txHash });
    report.retried += 1;
    this.#context.log.log("info", "retried", { ...fields, tx: txHash });
  }
}
