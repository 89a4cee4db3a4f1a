/**
 * The cancel and refund paths of the transfer recovery: this operator's approval of a cancellation (on the
 * destination's ledger) or a refund (on the source's), by its signature in the exchange, the submission once a
 * threshold of operators signed, or its own call; never before the chain shows the transfer in the state that
 * allows it.
 */
import { ZeroHash } from "ethers";

import { packSignatures } from "../protocol/batch.js";
import { VoteType } from "../protocol/constants.js";
import type { RecoveryKind } from "../protocol/eip712.js";
import { decodeRevert } from "../protocol/revert.js";
import { ParkedStatus, directionOf, otherSide, toSignedTransfer, transferContentHash } from "../protocol/transfer.js";
import type { SignedTransfer, TransferRequest } from "../protocol/transfer.js";
import { signRecovery } from "../signatures.js";
import type { RecoverySignature } from "./exchange.js";
import { approvedTransfer, ledgerOf, reconcile, tryLater } from "./recovery-context.js";
import type { RecoveryContext, RecoveryReport } from "./recovery-context.js";
import type { RecoveryRecord } from "./store.js";

/** This operator's approvals of cancellations and refunds. */
export class RecoveryApprovals {
  readonly #context: RecoveryContext;
  /** The refusals already logged, by `kind:source:nonce` (logged once each). */
  readonly #refusals = new Set<string>();

  constructor(context: RecoveryContext) {
    this.#context = context;
  }

  /**
   * This operator's approval of a cancellation (on the destination) or a refund (on the source): its signature in
   * the directory, the submission once a threshold of signatures is there, or its own call after `signatureWaitMs`
   * (at once without a signature directory). Refused unless the chain shows the transfer in the state that allows it.
   */
  async approve(kind: RecoveryKind, record: RecoveryRecord, request: TransferRequest, report: RecoveryReport): Promise<void> {
    const source = record.source;
    const ledger = ledgerOf(this.#context, kind, source);
    const transfer = approvedTransfer(kind, request);
    const fields = { direction: directionOf(source), nonce: record.nonce };
    if (!(await this.#mayApprove(kind, record, request))) return;

    const now = this.#context.now();
    let signedAt = record.signedAt;
    if (ledger.signatures !== undefined) {
      const digest = ledger.signatures.digestOf(kind, transfer);
      if (signedAt === null) {
        const signature = await signRecovery(ledger.chain.signer, ledger.domain, kind, transfer);
        await ledger.signatures.post({
          digest,
          signer: this.#context.operator,
          signature,
          kind,
          transfer,
        });
        signedAt = now;
        this.#context.store.updateRecovery(source, record.nonce, { signedAt });
        this.#context.log.log("info", `${kind}-signed`, fields);
      }
      const threshold = Number(await this.#context.rpc(() => ledger.chain.bridge.operatorThresholds(VoteType.ValueTransfer)));
      const signatures: RecoverySignature[] = [];
      for (const entry of await ledger.signatures.read(digest, this.#context.badFile)) {
        if (await this.#context.rpc(() => ledger.chain.bridge.operators(entry.signer))) signatures.push(entry);
      }
      if (signatures.length >= threshold) {
        const chosen = signatures.sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1)).slice(0, threshold);
        await this.#send(kind, record, transfer, packSignatures(chosen), report);
        return;
      }
      if (signedAt + this.#context.options.signatureWaitMs > now || record.voted) return;
      this.#context.log.log("info", "fallback", { ...fields, kind, reason: "signatures did not arrive in time" });
    } else if (record.voted) {
      return;
    }
    await this.#send(kind, record, transfer, "0x", report);
  }

  /**
   * Whether this operator may approve `kind` for `record` now. A cancellation: the destination holds this very
   * transfer failed or held. A refund: the destination, at its confirmed head, holds this very transfer cancelled,
   * and the source has not refunded it (the rule that makes a refund safe: never without the cancellation).
   */
  async #mayApprove(kind: RecoveryKind, record: RecoveryRecord, request: TransferRequest): Promise<boolean> {
    const source = record.source;
    const destination = this.#context.ledgers[otherSide(source)];
    const expected = transferContentHash(toSignedTransfer(request));
    if (kind === "cancel") {
      const [status, hash] = await this.#context.rpc(() => destination.recovery.parkedTransfer(record.nonce));
      const state = Number(status);
      if ((state === ParkedStatus.Failed || state === ParkedStatus.Held) && hash === expected) return true;
      if (state === ParkedStatus.Cancelled) return false; // cancelled: the event moves it on
      if (state === ParkedStatus.None) {
        await reconcile(this.#context, record);
        return false;
      }
      this.#refuse(kind, record, "the destination holds different content under this nonce");
      return false;
    }
    const head = (await this.#context.rpc(() => destination.chain.provider.getBlockNumber())) - destination.chain.confirmations;
    const [status, hash] = await this.#context.rpc(() => destination.recovery.parkedTransfer(record.nonce, { blockTag: head }));
    if (Number(status) !== ParkedStatus.Cancelled || hash !== expected || hash === ZeroHash) {
      this.#refuse(kind, record, `the destination does not show this transfer cancelled (status ${Number(status)})`);
      return false;
    }
    if (await this.#context.rpc(() => this.#context.ledgers[source].recovery.isRefunded(record.nonce))) {
      this.#context.store.updateRecovery(source, record.nonce, { state: "refunded" });
      return false;
    }
    return true;
  }

  /** Whether the ledger shows the cancellation or refund done by another caller (said in one line when it does). */
  async #doneByAnother(kind: RecoveryKind, record: RecoveryRecord, txHash: string): Promise<boolean> {
    const source = record.source;
    if (kind === "cancel") {
      const [status] = await this.#context.rpc(() => this.#context.ledgers[otherSide(source)].recovery.parkedTransfer(record.nonce));
      if (Number(status) !== ParkedStatus.Cancelled) return false; // the event moves it on
    } else {
      if (!(await this.#context.rpc(() => this.#context.ledgers[source].recovery.isRefunded(record.nonce)))) return false;
      this.#context.store.updateRecovery(source, record.nonce, { state: "refunded" });
    }
    this.#context.log.log("info", "already-done", { kind, direction: directionOf(source), nonce: record.nonce, by: "another caller", tx: txHash });
    return true;
  }

  #refuse(kind: RecoveryKind, record: RecoveryRecord, reason: string): void {
    const key = `${kind}:${record.source}:${record.nonce}`;
    this.#context.store.updateRecovery(record.source, record.nonce, { lastReason: reason, retryAt: this.#context.now() + this.#context.options.backoffMs });
    if (this.#refusals.has(key)) return;
    this.#refusals.add(key);
    this.#context.log.log("error", `${kind}-refused`, { direction: directionOf(record.source), nonce: record.nonce, reason });
  }

  /** Sends `cancelTransfer` or `refundTransfer` with `signatures` (a threshold, or "0x": this operator's approval). */
  async #send(
    kind: RecoveryKind,
    record: RecoveryRecord,
    transfer: SignedTransfer,
    signatures: string,
    report: RecoveryReport,
  ): Promise<void> {
    const source = record.source;
    const ledger = ledgerOf(this.#context, kind, source);
    const vote = signatures === "0x";
    const fields = { direction: directionOf(source), nonce: record.nonce, by: vote ? "approval" : "signatures" };
    let txHash: string | undefined;
    try {
      const tx =
        kind === "cancel"
          ? await ledger.recovery.cancelTransfer(transfer, signatures)
          : await ledger.recovery.refundTransfer(transfer, signatures);
      txHash = tx.hash;
      await this.#context.afterSend?.({ kind, side: ledger.chain.side, nonces: [record.nonce], txHash: tx.hash });
      this.#context.store.updateRecovery(source, record.nonce, { tx: tx.hash });
      const receipt = await tx.wait();
      if (receipt === null || receipt.status !== 1) throw new Error(`${kind} ${tx.hash} failed`);
    } catch (error) {
      const revert = decodeRevert(error, ledger.recovery.interface);
      if (revert?.name === "AlreadyApproved") {
        this.#context.store.updateRecovery(source, record.nonce, { voted: true });
        return;
      }
      if (revert?.name === "AlreadyRefunded") {
        this.#context.store.updateRecovery(source, record.nonce, { state: "refunded" });
        return;
      }
      if (revert?.name === "TransferNotParked") {
        await reconcile(this.#context, record);
        return;
      }
      if (!vote && revert !== undefined && !record.voted) {
        // the signatures were refused (one withdrawn from the operator set meanwhile, a peer's bad copy): this
        // operator's own approval instead, which needs nobody else's file
        this.#context.log.log("warn", "fallback", { ...fields, kind, reason: `signatures refused: ${revert.text}` });
        await this.#send(kind, record, transfer, "0x", report);
        return;
      }
      // a transaction that reverted once mined, with no reason: the operator's other relayer may have got the same
      // one into the same block
      if (revert === undefined && txHash !== undefined && (await this.#doneByAnother(kind, record, txHash))) return;
      tryLater(this.#context, record, error, kind, txHash);
      return;
    }
    if (vote) this.#context.store.updateRecovery(source, record.nonce, { voted: true });
    if (kind === "cancel") report.cancelApprovals += 1;
    else report.refundApprovals += 1;
    this.#context.log.log("info", vote ? `${kind}-approved` : `${kind}-submitted`, { ...fields, tx: txHash });
  }
}
