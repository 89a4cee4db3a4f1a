/**
 * The vote path: this operator's own handle call for each transfer (Klaytn's way), when the destination has no
 * signed path, when a batch failed, or when the other operators' signatures did not come in time. A vote left in
 * flight by a previous run is found again by its `VoteCast` event.
 */
import type { ContractTransactionResponse } from "ethers";

import { sendHandleVote } from "../protocol/handle-vote.js";
import type { RelayerContext } from "./context.js";
import { recordSendFailure } from "./failures.js";
import type { ProcessReport } from "./options.js";
import type { RequestScanner } from "./scanner.js";
import type { StoredTransfer } from "./store.js";
import { assetName } from "./token-units.js";
import { directionOf, otherSide, toSignedTransfer } from "./types.js";
import type { Side } from "./types.js";

export class VotePath {
  readonly #context: RelayerContext;
  readonly #scanner: RequestScanner;

  constructor(context: RelayerContext, scanner: RequestScanner) {
    this.#context = context;
    this.#scanner = scanner;
  }

  /**
   * Votes for the confirmed transfers of `source` (up to `head`) that go by votes: all of them without the signed
   * path, those that failed once their backoff is over, and those whose signatures did not come within
   * `signatureWaitMs`; each read again from the source's logs first.
   */
  async voteDue(source: Side, head: number, report: ProcessReport): Promise<void> {
    const src = this.#context.sides[source];
    const dest = this.#context.sides[otherSide(source)];
    const now = this.#context.now();
    const due = { seen: !dest.signedPath, now, signedBy: now - this.#context.settings.signatureWaitMs };
    const toVote = this.#context.store.votableTransfers(source, due).filter((transfer) => {
      if (Number(transfer.request.requestBlockNumber) + src.confirmations > head) return false;
      if (transfer.state === "signed") {
        this.#context.log.log("info", "fallback", {
          direction: directionOf(source),
          nonce: transfer.request.requestNonce,
          reason: "signatures did not arrive in time",
        });
      }
      return true;
    });
    if (toVote.length > 0) {
      const checked = await this.#scanner.checkSource(source, toVote.map((transfer) => toSignedTransfer(transfer.request)));
      const confirmed = new Set(checked.confirmed.map((transfer) => transfer.requestNonce));
      for (const transfer of toVote) {
        if (confirmed.has(transfer.request.requestNonce)) await this.#vote(source, transfer, report);
      }
    }
  }

  /** A transfer left `voting` by a previous run: whether its vote was mined (`voted`), else `seen` to vote again. */
  async resume(source: Side, transfer: StoredTransfer): Promise<StoredTransfer> {
    const dest = this.#context.sides[otherSide(source)];
    const nonce = transfer.request.requestNonce;
    const voted = await this.#findOwnVote(source, nonce, transfer.voteFromBlock ?? dest.endpoint.deployedBlock);
    const update = voted !== undefined ? { state: "voted" as const, voteTx: voted } : { state: "seen" as const };
    this.#context.store.updateTransfer(source, nonce, update);
    this.#context.log.log("info", "resume", { direction: directionOf(source), nonce, vote: voted ?? "not found, votes again" });
    return { ...transfer, ...update };
  }

  /** This operator's vote for `nonce` on the destination (its `VoteCast` event), from `fromBlock` on. */
  async #findOwnVote(source: Side, nonce: bigint, fromBlock: number): Promise<string | undefined> {
    const dest = this.#context.sides[otherSide(source)];
    const filter = dest.bridge.filters.VoteCast(0, nonce, this.#context.operator);
    const events = await this.#context.rpc(() => dest.bridge.queryFilter(filter, fromBlock, "latest"));
    return events.length > 0 ? events[events.length - 1].transactionHash : undefined;
  }

  /** Sends this operator's vote for one transfer. */
  async #vote(source: Side, transfer: StoredTransfer, report: ProcessReport): Promise<void> {
    const dest = this.#context.sides[otherSide(source)];
    const request = transfer.request;
    const nonce = request.requestNonce;
    const fromBlock = await this.#context.rpc(() => dest.provider.getBlockNumber());
    this.#context.store.updateTransfer(source, nonce, { state: "voting", voteFromBlock: fromBlock });
    let tx: ContractTransactionResponse;
    try {
      tx = await sendHandleVote(dest.bridge, request);
    } catch (error) {
      recordSendFailure(this.#context, source, [transfer], error, "vote", report);
      return;
    }
    await this.#context.afterSend?.({ kind: "vote", side: dest.side, nonces: [nonce], txHash: tx.hash });
    this.#context.store.updateTransfer(source, nonce, { voteTx: tx.hash });
    try {
      const receipt = await tx.wait();
      if (receipt === null || receipt.status !== 1) throw new Error(`vote ${tx.hash} failed`);
    } catch (error) {
      recordSendFailure(this.#context, source, [transfer], error, "vote", report);
      return;
    }
    this.#context.funds.clear(dest.side);
    this.#context.store.updateTransfer(source, nonce, { state: "voted", lastError: null });
    report.votes += 1;
    this.#context.log.log("info", "vote", {
      direction: directionOf(source),
      nonce,
      asset: assetName(request),
      amount: this.#scanner.units.amount(request),
      value: request.valueOrTokenId,
      to: request.to,
      tx: tx.hash,
    });
    if (await this.#context.rpc(() => dest.bridge.isHandled(nonce))) {
      this.#context.store.updateTransfer(source, nonce, { state: "done" });
      report.handled += 1;
      this.#context.log.log("info", "handled", { direction: directionOf(source), nonce, tx: tx.hash });
    }
  }
}
