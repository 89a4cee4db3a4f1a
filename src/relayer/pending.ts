/**
 * One step of the transfers pending from one source: settle what the destination handled, resume what a previous
 * run left in flight, then the signed path and the votes. The order matters: only confirmed requests go on, and
 * what the chain says is read before anything is sent.
 */
import type { BatchSubmitter } from "./batch-submit.js";
import type { RelayerContext } from "./context.js";
import type { ProcessReport } from "./options.js";
import type { SignedPath } from "./signed-path.js";
import type { StoredTransfer } from "./store.js";
import { directionOf, otherSide } from "./types.js";
import type { Side } from "./types.js";
import type { VotePath } from "./vote-path.js";

export class PendingTransfers {
  readonly #context: RelayerContext;
  readonly #votes: VotePath;
  readonly #signed: SignedPath;
  readonly #submitter: BatchSubmitter;

  constructor(context: RelayerContext, votes: VotePath, signed: SignedPath, submitter: BatchSubmitter) {
    this.#context = context;
    this.#votes = votes;
    this.#signed = signed;
    this.#submitter = submitter;
  }

  /** Moves the pending transfers from `source` one step on. */
  async step(source: Side, report: ProcessReport): Promise<void> {
    const src = this.#context.sides[source];
    const dest = this.#context.sides[otherSide(source)];
    let pending = this.#context.store.pendingTransfers(source);
    if (pending.length === 0) return;

    // 1. what the destination handled already, by any path and any relayer
    pending = await this.#settleHandled(source, pending, report);
    if (pending.length === 0) return;

    // 2. only confirmed requests go on
    const head = await this.#context.rpc(() => src.provider.getBlockNumber());
    const confirmed = pending.filter(
      (transfer) => Number(transfer.request.requestBlockNumber) + src.confirmations <= head,
    );
    report.waiting += pending.length - confirmed.length;

    // 3. a vote or batch this relayer sent before it stopped: find out what became of it
    const active: StoredTransfer[] = [];
    for (const transfer of confirmed) active.push(await this.#resumeInFlight(source, transfer));

    // 4. the signed path, when the destination has it and signatures are exchanged
    if (dest.signedPath) await this.#signed.step(source, active, report);

    // 5. votes: without the signed path, after a failure, or when signatures did not come in time
    await this.#votes.voteDue(source, head, report);

    report.waiting += this.#context.store.countInStates(source, ["voted", "signed"]);
  }

  /**
   * Marks done what the destination handled; returns the rest. Below `lowerHandleNonce` everything is handled; above
   * it, the transfers waiting for one signed batch are asked about one at a time only once one of them is handled
   * (a batch executes as a whole), so that a batch executed ahead of the others costs a few calls, not one per nonce.
   */
  async #settleHandled(source: Side, pending: StoredTransfer[], report: ProcessReport): Promise<StoredTransfer[]> {
    const dest = this.#context.sides[otherSide(source)];
    const lower = await this.#context.rpc(() => dest.bridge.lowerHandleNonce());
    const upper = await this.#context.rpc(() => dest.bridge.upperHandleNonce());
    const handled: bigint[] = [];
    const rest: StoredTransfer[] = [];
    const unhandledBatches = new Set<string>();
    for (const transfer of pending) {
      const nonce = transfer.request.requestNonce;
      const batch = transfer.state === "signed" || transfer.state === "submitted" ? transfer.batchDigest : null;
      let done = nonce < lower;
      if (!done && nonce <= upper && (batch === null || !unhandledBatches.has(batch))) {
        done = await this.#context.rpc(() => dest.bridge.isHandled(nonce));
        if (!done && batch !== null) unhandledBatches.add(batch);
      }
      if (done) handled.push(nonce);
      else rest.push(transfer);
    }
    if (handled.length > 0) {
      this.#context.store.updateTransfers(source, handled, { state: "done", lastError: null });
      report.handled += handled.length;
      for (const nonce of handled) this.#context.log.log("info", "handled", { direction: directionOf(source), nonce });
    }
    return rest;
  }

  /** For a transfer left `voting` or `submitted` by a previous run: what the chain says became of it. */
  async #resumeInFlight(source: Side, transfer: StoredTransfer): Promise<StoredTransfer> {
    if (transfer.state === "voting") return this.#votes.resume(source, transfer);
    if (transfer.state === "submitted") return this.#submitter.resume(source, transfer);
    return transfer;
  }
}
