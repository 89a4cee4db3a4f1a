/**
 * Submitting signed batches: a batch goes out once a threshold of current operators signed it and it is this
 * relayer's turn (`submitGraceMs`); its transfers are recorded `submitted` when it is sent and `done` only at its
 * receipt, so a relayer stopped in between finds the batch again (`resume`). The batches due in one step are sent
 * back to back, with consecutive transaction nonces, and their receipts awaited after (`settle`), each on its own. A
 * batch that reverts sends its transfers the vote way; one that ran out of a learnt gas limit is sent again with an
 * estimate.
 */
import type { TransactionResponse } from "ethers";

import { encodeHandleSignedTransfers, packSignatures } from "../protocol/batch.js";
import { withGasHeadroom } from "../protocol/constants.js";
import { decodeRevert } from "../protocol/revert.js";
import type { BatchGasBook } from "./batch-gas.js";
import { batchExchange } from "./context.js";
import type { RelayerContext } from "./context.js";
import type { BatchSignature } from "./exchange.js";
import { describeError, isInsufficientFunds, isNonceCollision, isTransientRpcError } from "./errors.js";
import { recordSendFailure } from "./failures.js";
import type { ProcessReport } from "./options.js";
import type { StoredTransfer } from "./store.js";
import { directionOf, otherSide } from "./types.js";
import type { Side, SignedTransfer } from "./types.js";

/** A batch sent whose receipt is not read yet (`BatchSubmitter.settle`). */
interface SentBatch {
  source: Side;
  digest: string;
  transfers: SignedTransfer[];
  /** Its transfers not done when it was sent. */
  stored: StoredTransfer[];
  signatures: number;
  tx: TransactionResponse;
  /** Whether its gas limit was learnt (else a receipt teaches one). */
  learnt: boolean;
  /** The request, when its gas limit was not estimated (see `#onBatchError`). */
  retryable?: { to: string; data: string };
}

export class BatchSubmitter {
  readonly #context: RelayerContext;
  readonly #gas: BatchGasBook;
  /** The batches refused or reverted: their transfers go by votes (shared with the signed path). */
  readonly refusedBatches = new Set<string>();
  /** The batches short of the threshold in the last step, with how many signatures each lacks (for the wait line). */
  readonly missingSignatures = new Map<string, number>();
  /** When this relayer first saw each batch at the threshold (for `submitGraceMs`). */
  readonly #atThresholdSince = new Map<string, number>();
  /** The batches sent in this step, in the order sent, their receipts not read yet. */
  #sent: SentBatch[] = [];
  /** The transaction nonce of the next batch sent in this step, per destination (read from the chain at the first). */
  readonly #nextNonce = new Map<Side, number>();

  constructor(context: RelayerContext, gas: BatchGasBook) {
    this.#context = context;
    this.#gas = gas;
  }

  /** A transfer left `submitted` by a previous run: `signed` again unless its batch's receipt shows it executed. */
  async resume(source: Side, transfer: StoredTransfer): Promise<StoredTransfer> {
    const dest = this.#context.sides[otherSide(source)];
    const nonce = transfer.request.requestNonce;
    if (transfer.submitTx === null) return transfer;
    const submitTx = transfer.submitTx;
    const receipt = await this.#context.rpc(() => dest.provider.getTransactionReceipt(submitTx));
    if (receipt === null || receipt.status !== 1) {
      this.#context.store.updateTransfer(source, nonce, { state: "signed", submitTx: null });
      return { ...transfer, state: "signed", submitTx: null };
    }
    return transfer;
  }

  /**
   * Submits batch `digest` when `signatures` (of current operators) reach the threshold and it is this relayer's
   * turn (see `submitGraceMs`).
   */
  async submitIfDue(
    source: Side,
    digest: string,
    signatures: BatchSignature[],
    threshold: number,
    designated: boolean,
    report: ProcessReport,
  ): Promise<void> {
    if (signatures.length < threshold) {
      this.missingSignatures.set(digest, threshold - signatures.length);
      return;
    }
    if (this.refusedBatches.has(digest)) return;
    if (this.#sent.some((sent) => sent.digest === digest)) return; // sent in this step, its receipt not read yet
    if (!this.#mySubmitTurn(digest, designated)) return;
    const transfers = signatures[0].transfers;
    if (await this.allHandled(source, transfers)) {
      await batchExchange(this.#context, source).remove(digest);
      return;
    }
    const ours = transfers.every((transfer) => this.#context.store.getTransfer(source, transfer.requestNonce) !== undefined);
    if (!ours) return;
    await this.#submitBatch(source, digest, transfers, signatures.slice(0, threshold), report);
  }

  /**
   * Whether this relayer submits batch `digest` now: at once when it is the designated submitter (`designated`) or
   * without `submitGraceMs`, else once the batch has been at the threshold that long.
   */
  #mySubmitTurn(digest: string, designated: boolean): boolean {
    const grace = this.#context.settings.submitGraceMs;
    if (grace <= 0 || designated) return true;
    const now = this.#context.now();
    const since = this.#atThresholdSince.get(digest);
    if (since === undefined) {
      if (this.#atThresholdSince.size > 10_000) this.#atThresholdSince.clear();
      this.#atThresholdSince.set(digest, now);
      return false;
    }
    return now - since >= grace;
  }

  /**
   * Whether the destination handled every one of `transfers`; `bounds`: its `lowerHandleNonce` and
   * `upperHandleNonce` as read earlier in the step (they only grow), else read now.
   */
  async allHandled(
    source: Side,
    transfers: SignedTransfer[],
    bounds?: { lower: bigint; upper: bigint },
  ): Promise<boolean> {
    const dest = this.#context.sides[otherSide(source)];
    const upper = bounds?.upper ?? (await this.#context.rpc(() => dest.bridge.upperHandleNonce()));
    const lower = bounds?.lower ?? (await this.#context.rpc(() => dest.bridge.lowerHandleNonce()));
    if (transfers.some((transfer) => transfer.requestNonce > upper && transfer.requestNonce !== 0n)) return false;
    for (const transfer of transfers) {
      if (transfer.requestNonce < lower) continue;
      if (this.#context.store.getTransfer(source, transfer.requestNonce)?.state === "done") continue;
      if (!(await this.#context.rpc(() => dest.bridge.isHandled(transfer.requestNonce)))) return false;
    }
    return true;
  }

  /**
   * Sends `handleSignedTransfers` for one batch, with the transaction nonce after the batches sent in this step to the
   * same destination; its receipt is read by `settle`.
   */
  async #submitBatch(
    source: Side,
    digest: string,
    transfers: SignedTransfer[],
    signatures: BatchSignature[],
    report: ProcessReport,
  ): Promise<void> {
    const dest = this.#context.sides[otherSide(source)];
    const nonces = transfers.map((transfer) => transfer.requestNonce);
    const stored = nonces
      .map((nonce) => this.#context.store.getTransfer(source, nonce))
      .filter((transfer): transfer is StoredTransfer => transfer !== undefined && transfer.state !== "done");
    const request = {
      to: dest.bridgeAddress,
      data: encodeHandleSignedTransfers(transfers, packSignatures(signatures)),
    };
    const signer = dest.endpoint.signer;
    // a batch sent with a limit not learnt teaches one at its receipt: read it first, so that this one needs no guess
    if (this.#sent.some((sent) => !sent.learnt)) await this.settle(report);
    const learnt = await this.#gas.limitFor(source, transfers, this.#sentUpTo(source));
    // nothing learnt yet: a guess that one execution shows to be enough, else an estimate
    const guessed = learnt === undefined ? await this.#gas.guessFor(source, transfers, request) : undefined;
    // a limit not estimated: a batch that fails with it is estimated before its transfers go by votes
    const retryable = learnt !== undefined || guessed !== undefined ? request : undefined;
    let tx: TransactionResponse;
    try {
      // headroom over the estimate: a batch mined after another one may move `lowerHandleNonce` further on (up to
      // 200 nonces) than the estimate saw, and a batch that runs out of gas goes the slow way, by votes
      const gasLimit = learnt ?? guessed ?? withGasHeadroom(await signer.estimateGas(request));
      const nonce = this.#nextNonce.get(dest.side) ?? (await this.#context.rpc(() => signer.getNonce("pending")));
      tx = await signer.sendTransaction({ ...request, gasLimit, nonce });
      this.#nextNonce.set(dest.side, nonce + 1);
    } catch (error) {
      // the nonce may be taken or not: the next batch reads it again
      this.#nextNonce.delete(dest.side);
      if (guessed !== undefined && isInsufficientFunds(error)) this.#gas.forget(dest.side);
      await this.#onBatchError(source, digest, stored, error, report, retryable);
      return;
    }
    await this.#context.afterSend?.({ kind: "batch", side: dest.side, nonces, txHash: tx.hash });
    this.#context.store.updateTransfers(
      source,
      stored.map((transfer) => transfer.request.requestNonce),
      { state: "submitted", submitTx: tx.hash },
    );
    this.#sent.push({ source, digest, transfers, stored, signatures: signatures.length, tx, learnt: learnt !== undefined, retryable });
  }

  /** The request nonce after the last batch of `source` sent in this step, when there is one. */
  #sentUpTo(source: Side): bigint | undefined {
    const last = this.#sent.filter((sent) => sent.source === source).at(-1);
    return last === undefined ? undefined : last.transfers.reduce((top, t) => (t.requestNonce > top ? t.requestNonce : top), 0n) + 1n;
  }

  /**
   * Starts a step: what an earlier step sent and left unread (it stopped on an error) is the business of `resume`,
   * which reads the receipt of each transfer left `submitted`; the next nonce is read from the chain again.
   */
  begin(): void {
    this.#sent = [];
    this.#nextNonce.clear();
  }

  /**
   * Reads the receipts of the batches sent so far in this step, in the order sent: a batch is recorded done at its receipt;
   * one that failed or has no receipt is handled on its own (`#onBatchError`), the others are not held back by it.
   */
  async settle(report: ProcessReport): Promise<void> {
    const sent = this.#sent;
    this.#sent = [];
    this.#nextNonce.clear(); // the next batch reads its nonce from the chain again: the account may send other things
    for (const batch of sent) await this.#settleOne(batch, report);
  }

  async #settleOne(batch: SentBatch, report: ProcessReport): Promise<void> {
    const { source, digest, transfers, stored, tx } = batch;
    const dest = this.#context.sides[otherSide(source)];
    let receipt;
    try {
      receipt = await tx.wait();
      if (receipt === null || receipt.status !== 1) throw new Error(`batch ${tx.hash} failed`);
    } catch (error) {
      await this.#onBatchError(source, digest, stored, error, report, batch.retryable);
      return;
    }
    this.#context.funds.clear(dest.side);
    if (!batch.learnt) this.#gas.learn(source, transfers, receipt);
    const executed = stored.map((transfer) => transfer.request.requestNonce);
    this.#context.store.updateTransfers(source, executed, { state: "done", lastError: null });
    report.batches += 1;
    report.handled += executed.length;
    this.#context.log.log("info", "submit", {
      direction: directionOf(source),
      digest,
      transfers: transfers.length,
      signatures: batch.signatures,
      tx: tx.hash,
    });
    for (const nonce of executed) this.#context.log.log("info", "handled", { direction: directionOf(source), nonce, tx: tx.hash });
    await batchExchange(this.#context, source).remove(digest);
  }

  /**
   * A batch that reverted: its transfers go the vote way, which isolates the one that fails. A batch sent with a
   * gas limit from `BatchGasBook` (learnt or guessed: `request`) that would succeed with an estimate ran out of gas:
   * what was learnt is dropped and the batch is sent again with an estimate.
   */
  async #onBatchError(
    source: Side,
    digest: string,
    transfers: StoredTransfer[],
    error: unknown,
    report: ProcessReport,
    request?: { to: string; data: string },
  ): Promise<void> {
    const dest = this.#context.sides[otherSide(source)];
    const revert = decodeRevert(error, dest.bridge.interface);
    if (isInsufficientFunds(error) || (revert === undefined && (isTransientRpcError(error) || isNonceCollision(error)))) {
      recordSendFailure(this.#context, source, transfers, error, "batch", report);
      return;
    }
    if (request !== undefined) {
      this.#gas.forget(dest.side);
      try {
        await dest.endpoint.signer.estimateGas(request);
        const nonces = transfers.map((transfer) => transfer.request.requestNonce);
        this.#context.store.updateTransfers(source, nonces, { state: "signed", submitTx: null });
        this.#context.log.log("warn", "batch-out-of-gas", { direction: directionOf(source), digest, retry: "with an estimate" });
        return;
      } catch (estimateError) {
        error = estimateError;
      }
    }
    this.refusedBatches.add(digest);
    const reason = revert?.text ?? describeError(error);
    this.#context.store.updateTransfers(
      source,
      transfers.map((transfer) => transfer.request.requestNonce),
      { state: "failed", lastError: reason, retryAt: this.#context.now() },
    );
    report.failed += transfers.length;
    this.#context.log.log("error", "batch-failed", {
      direction: directionOf(source),
      digest,
      error: reason,
      retry: "with votes",
    });
  }
}
