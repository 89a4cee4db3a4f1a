/**
 * The run loop: `runOnce` relays what is pending now and returns (waiting a while for batches still filling and for
 * the other operators' signatures), `run` steps until it is stopped. Both say what they did in one log line.
 */
import { sleep } from "./context.js";
import type { RelayerContext } from "./context.js";
import { describeError } from "./errors.js";
import { addReport, emptyReport } from "./options.js";
import type { ProcessReport } from "./options.js";
import type { Side } from "./types.js";

/** The steps the loop takes (the relayer's own). */
export interface RelayerSteps {
  poll(): Promise<number>;
  recover(): Promise<number>;
  processPending(): Promise<ProcessReport>;
  anchor(): Promise<bigint[]>;
  pendingCount(): Record<Side, number>;
  /** Whether a batch still filling, or a signature this operator shared, waits for more (see `runOnce`). */
  awaitingSignatures(): boolean;
  /** The most signatures a batch lacked in the last step. */
  missingSignatures(): number;
}

export class RunLoop {
  readonly #context: RelayerContext;
  readonly #steps: RelayerSteps;

  constructor(context: RelayerContext, steps: RelayerSteps) {
    this.#context = context;
    this.#steps = steps;
  }

  /**
   * Relays what is pending now and returns: reads new requests, handles them (waiting up to `batchWaitMs` to propose
   * a batch that is not full and up to `signatureWaitMs` for the other operators' signatures, then voting), runs a
   * recovery and the anchoring that is due.
   */
  async runOnce(): Promise<ProcessReport> {
    const total = emptyReport();
    const add = (report: ProcessReport) => addReport(total, report);
    await this.#steps.poll();
    await this.#steps.recover();
    add(await this.#steps.processPending());
    const { batchWaitMs, signatureWaitMs, pollIntervalMs } = this.#context.settings;
    const deadline = this.#context.now() + batchWaitMs * 10 + signatureWaitMs + pollIntervalMs;
    if (this.#steps.awaitingSignatures()) {
      // say what the run waits for, once, instead of sitting silent
      const missing = this.#steps.missingSignatures();
      const message =
        missing > 0
          ? `waiting up to ${Math.ceil(this.#context.settings.signatureWaitMs / 1000)} s for ${missing} more signature${missing === 1 ? "" : "s"}, then voting instead`
          : `waiting up to ${Math.ceil((this.#context.settings.batchWaitMs * 10) / 1000)} s for a batch still filling, or the other operators' signatures`;
      this.#context.log.log("info", "wait", { message });
    }
    while (this.#steps.awaitingSignatures() && this.#context.now() < deadline) {
      await sleep(Math.min(this.#context.settings.pollIntervalMs, 250));
      add(await this.#steps.processPending());
    }
    await this.#steps.anchor();
    const pending = this.#steps.pendingCount();
    // `failed` counts every failure of the run: votes and batches of this relayer, payouts that failed on the
    // destination, retries that failed again, request logs that could not be read
    const failed = total.failed + total.payoutFailures + total.retryFailures + total.unrelayable;
    this.#context.log.log(failed > 0 ? "warn" : "info", "once", {
      handled: total.handled,
      votes: total.votes,
      batches: total.batches,
      failed,
      payoutFailed: total.payoutFailures,
      retryFailed: total.retryFailures,
      held: total.held,
      unrelayable: total.unrelayable,
      pendingParentToChild: pending.parent,
      pendingChildToParent: pending.child,
    });
    return total;
  }

  /** Runs until `signal` aborts: a step every `pollIntervalMs`, a recovery every `recoveryIntervalMs`. */
  async run(signal: AbortSignal): Promise<void> {
    let lastRecovery = 0;
    while (!signal.aborted) {
      try {
        await this.#steps.poll();
        if (this.#context.now() - lastRecovery >= this.#context.settings.recoveryIntervalMs) {
          await this.#steps.recover();
          lastRecovery = this.#context.now();
        }
        await this.#steps.processPending();
        await this.#steps.anchor();
      } catch (error) {
        this.#context.log.log("error", "step-failed", { error: describeError(error), retry: "next step" });
      }
      await sleep(this.#context.settings.pollIntervalMs, signal);
    }
    this.#context.log.log("info", "stop", { operator: this.#context.operator });
  }
}
