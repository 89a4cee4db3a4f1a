/**
 * The signed path: batches of transfers that a threshold of operators sign and one relayer submits. Batch by batch,
 * lowest nonces first, this relayer co-signs what the other operators proposed (once each transfer is checked
 * against the source chain and it signed no other version of it), and proposes the windows nobody proposed yet;
 * `BatchSubmitter` sends what reached the threshold.
 */
import { batchDigest } from "../protocol/batch.js";
import { VoteType } from "../protocol/constants.js";
import type { BatchSubmitter } from "./batch-submit.js";
import { batchExchange } from "./context.js";
import type { RelayerContext } from "./context.js";
import type { BatchSignature } from "./exchange.js";
import type { ProcessReport } from "./options.js";
import { distinctSigners } from "./peer-files.js";
import type { RequestScanner } from "./scanner.js";
import { signBatch } from "../signatures.js";
import type { StoredTransfer } from "./store.js";
import { directionOf, lowestNonce, otherSide, sameTransfer, toSignedTransfer } from "./types.js";
import type { Side, SignedTransfer } from "./types.js";
import { nonceRuns } from "./board-exchange.js";

/**
 * Whether batch `a` goes before batch `b` when two batches hold some of the same transfers: the one with the lowest
 * first nonce, then the longer one, then the lower digest. Every relayer orders the batches it knows this way.
 */
function preferredBatch(aDigest: string, a: SignedTransfer[], bDigest: string, b: SignedTransfer[]): boolean {
  const [firstA, firstB] = [lowestNonce(a), lowestNonce(b)];
  if (firstA !== firstB) return firstA < firstB;
  if (a.length !== b.length) return a.length > b.length;
  return aDigest.toLowerCase() < bDigest.toLowerCase();
}

/**
 * A signature of this step, recorded in the store but not shared yet (`SignedPath.#shareHeld`): the transfers it
 * signed, with what the store said of each before.
 */
interface HeldSignature {
  source: Side;
  entry: BatchSignature;
  action: string;
  before: StoredTransfer[];
}

export class SignedPath {
  readonly #context: RelayerContext;
  readonly #scanner: RequestScanner;
  readonly #submitter: BatchSubmitter;
  /** When this relayer first held back each window that is not full, by `side:window` (for `batchWaitMs`). */
  readonly #partialSince = new Map<string, number>();
  /** The batches this relayer declined to sign as conflicting with one it signed (logged once each). */
  readonly #conflicting = new Set<string>();
  /** Whether the last step held back a window that is not full, per source side (`runOnce` waits for it). */
  readonly holdingPartial: Record<Side, boolean> = { parent: false, child: false };
  /** The signatures made in this step, shared together at its end when the exchange posts several at once. */
  #held: HeldSignature[] = [];
  /** How many held signatures make the next post within the step (1, then 2, 4, …: see `#hold`). */
  #postAt = 1;
  /** The report of the step under way (`#hold` settles the batches sent before it posts). */
  #report?: ProcessReport;

  constructor(context: RelayerContext, scanner: RequestScanner, submitter: BatchSubmitter) {
    this.#context = context;
    this.#scanner = scanner;
    this.#submitter = submitter;
  }

  /**
   * One step of the signed path for `source`'s transfers (`active`: the confirmed ones): co-sign and submit what the
   * operators proposed, then propose what nobody proposed yet. The batches sent have their receipts read at the end
   * of the step (`BatchSubmitter.settle`); where the exchange posts several signatures at once, they are shared a few
   * to a transaction (`#hold`) and what is left at the end of the step.
   */
  async step(source: Side, active: StoredTransfer[], report: ProcessReport): Promise<void> {
    this.#held = [];
    this.#postAt = 1;
    this.#report = report;
    this.#submitter.begin();
    await this.#scanner.withOneReadPerRange(source, () => this.#signAndSubmit(source, active, report));
    // the batches sent back to back: their receipts; then the signatures still held (those of batches executed
    // meanwhile are left out: nobody needs them)
    await this.#submitter.settle(report);
    await this.#shareHeld(source);
  }

  async #signAndSubmit(source: Side, active: StoredTransfer[], report: ProcessReport): Promise<void> {
    const dest = this.#context.sides[otherSide(source)];
    const directory = batchExchange(this.#context, source);
    const onInvalid = this.#context.badFile;
    const threshold = Number(await this.#context.rpc(() => dest.bridge.operatorThresholds(VoteType.ValueTransfer)));
    // the designated submitter of every batch: the current operator with the lowest address, so that one relayer
    // sends the batches, in nonce order (batches mined out of order cost more gas and can fail their estimate); the
    // others take over after `submitGraceMs`
    const designated =
      this.#context.settings.submitGraceMs > 0 &&
      [...(await this.#context.rpc(() => dest.bridge.getOperatorList()))].map((a) => a.toLowerCase()).sort()[0] ===
        this.#context.operator.toLowerCase();
    const isOperator = new Map<string, boolean>();
    // the signatures of current operators of the destination, one per operator: thresholds count these only
    const current = async (signatures: BatchSignature[]): Promise<BatchSignature[]> => {
      const entries: BatchSignature[] = [];
      for (const entry of distinctSigners(signatures)) {
        if (!isOperator.has(entry.signer)) {
          isOperator.set(entry.signer, await this.#context.rpc(() => dest.bridge.operators(entry.signer)));
        }
        if (isOperator.get(entry.signer) === true) entries.push(entry);
      }
      return entries;
    };

    // the batches proposed so far (by any operator, this one included), the preferred first (see `preferredBatch`)
    const known = new Map<string, BatchSignature[]>();
    const bounds = {
      lower: await this.#context.rpc(() => dest.bridge.lowerHandleNonce()),
      upper: await this.#context.rpc(() => dest.bridge.upperHandleNonce()),
    };
    for (const digest of await directory.proposals()) {
      const signatures = await directory.read(digest, onInvalid);
      if (signatures.length === 0) continue;
      if (await this.#submitter.allHandled(source, signatures[0].transfers, bounds)) {
        await directory.remove(digest); // handled, by this batch or another: nothing left to sign or submit
        continue;
      }
      known.set(digest.toLowerCase(), signatures);
    }
    const ordered = [...known.keys()].sort((a, b) =>
      preferredBatch(a, known.get(a)![0].transfers, b, known.get(b)![0].transfers) ? -1 : 1,
    );

    // a. batch by batch, lowest nonces first: sign what the other operators proposed, once each transfer is checked
    // against the source chain and this operator signed no other version of it that may still be executed; then
    // submit the batch if it has a threshold of current operators' signatures and it is this relayer's turn
    for (const digest of ordered) {
      if (this.#submitter.refusedBatches.has(digest)) continue; // refused or reverted: its transfers go by votes
      const signatures = known.get(digest)!;
      const transfers = signatures[0].transfers;
      const enough = async () => {
        const now = await current(await directory.read(digest, onInvalid));
        return now.filter((entry) => entry.signer !== this.#context.operator).length >= threshold;
      };
      if (!signatures.some((entry) => entry.signer === this.#context.operator)) {
        if ((await current(signatures)).length >= threshold) {
          // enough signatures without this operator's: its transfers wait for that batch
          this.#follow(source, digest, transfers);
        } else {
          if (!(await this.#maySign(source, digest, transfers, known, async (entries) => (await current(entries)).length >= threshold))) {
            continue;
          }
          const problem = await this.#checkBatch(source, transfers);
          if (problem !== undefined) {
            // a field that differs from the request is final; a request not seen or not confirmed yet may come
            if (problem.final) this.#submitter.refusedBatches.add(digest);
            this.#context.log.log("warn", problem.final ? "refuse-batch" : "defer-batch", {
              direction: directionOf(source),
              digest,
              reason: problem.reason,
            });
            continue;
          }
          const own = await this.#signAndShare(source, transfers, "cosign", digest, enough);
          if (own === undefined) signatures.splice(0, signatures.length, ...(await directory.read(digest, onInvalid)));
          else signatures.push(own);
          if (own !== undefined) report.signatures += 1;
        }
      }
      await this.#submitter.submitIfDue(source, digest, await current(signatures), threshold, designated, report);
    }

    // b. propose batches of what nobody proposed yet, window by window (see `batchSize` and `batchWaitMs`)
    const activeNonces = new Set(active.map((transfer) => transfer.request.requestNonce));
    const fresh = this.#context.store
      .pendingTransfers(source)
      .filter((transfer) => transfer.state === "seen" && activeNonces.has(transfer.request.requestNonce));
    this.holdingPartial[source] = false;
    const proposed: string[] = [];
    // the batches proposed in this step that others signed meanwhile, lowest nonces first, with this operator's
    // signature (not on the board yet while it is held)
    const submitEarlier = async () => {
      for (const earlier of [...proposed]) {
        const own = (known.get(earlier) ?? []).filter((entry) => entry.signer === this.#context.operator);
        const signatures = await current([...(await directory.read(earlier, onInvalid)), ...own]);
        await this.#submitter.submitIfDue(source, earlier, signatures, threshold, designated, report);
        // handled (its receipt seen): nothing left of it to submit in this step
        const batch = known.get(earlier)?.[0].transfers ?? [];
        const done = batch.every((transfer) => this.#context.store.getTransfer(source, transfer.requestNonce)?.state === "done");
        if (done) proposed.splice(proposed.indexOf(earlier), 1);
      }
    };
    for (const part of this.#readyWindows(source, fresh)) {
      await submitEarlier();
      const transfers = part.map((transfer) => toSignedTransfer(transfer.request));
      const digest = batchDigest(dest.domain, transfers).toLowerCase();
      // the same batch, proposed meanwhile by another operator's relayer
      const others = (await directory.read(digest, onInvalid)).filter((entry) => entry.signer !== this.#context.operator);
      if ((await current(others)).length >= threshold) {
        this.#follow(source, digest, transfers);
        await submitEarlier(); // in nonce order: those signed meanwhile go first
        await this.#submitter.submitIfDue(source, digest, await current(others), threshold, designated, report);
        continue;
      }
      // what this relayer proposes it has just read from the source's confirmed logs, or it proposes nothing
      if ((await this.#scanner.checkSource(source, transfers)).confirmed.length !== transfers.length) continue;
      const own = await this.#signAndShare(source, transfers, "sign", digest, async () => {
        const now = await current(await directory.read(digest, onInvalid));
        return now.filter((entry) => entry.signer !== this.#context.operator).length >= threshold;
      });
      if (own === undefined) {
        await this.#submitter.submitIfDue(source, digest, await current(await directory.read(digest, onInvalid)), threshold, designated, report);
        continue;
      }
      const signatures = [...others, own];
      report.signatures += 1;
      known.set(digest, signatures);
      proposed.push(digest);
      await this.#submitter.submitIfDue(source, digest, await current(signatures), threshold, designated, report);
    }
    await submitEarlier();
  }

  /**
   * The windows of `fresh` (pending transfers nobody proposed to this relayer's knowledge) that are ready to be
   * proposed, each as one batch: a full window at once, a window not full after `batchWaitMs` (see there).
   */
  #readyWindows(source: Side, fresh: StoredTransfer[]): StoredTransfer[][] {
    const size = BigInt(this.#context.settings.batchSize);
    const windows = new Map<bigint, StoredTransfer[]>();
    for (const transfer of fresh) {
      const window = transfer.request.requestNonce / size;
      const list = windows.get(window);
      if (list === undefined) windows.set(window, [transfer]);
      else list.push(transfer);
    }
    const now = this.#context.now();
    const wait = this.#context.settings.batchWaitMs;
    const ready: StoredTransfer[][] = [];
    for (const [window, part] of windows) {
      const key = `${source}:${window}`;
      const full = this.#context.store.countTransfers(source, window * size, (window + 1n) * size - 1n) >= this.#context.settings.batchSize;
      if (!full && wait > 0) {
        const since = this.#partialSince.get(key) ?? now;
        if (this.#partialSince.size >= 10_000) this.#partialSince.clear();
        this.#partialSince.set(key, since);
        const quiet = now - this.#scanner.lastFreshRequest[source] >= wait;
        if (!quiet && now - since < wait * 10) {
          this.holdingPartial[source] = true;
          continue;
        }
      }
      this.#partialSince.delete(key);
      ready.push(...nonceRuns(part)); // each a run of consecutive nonces, which a board post can name
    }
    return ready;
  }

  /**
   * Whether this operator may sign batch `digest`: none of its transfers is in another batch this operator signed
   * (or waits for) that may still be executed, unless that other batch is short of the threshold and `digest` is
   * preferred to it (`preferredBatch`). So an operator signs one version of each transfer, and two relayers that
   * proposed different cuts at the same moment settle on the preferred one.
   */
  async #maySign(
    source: Side,
    digest: string,
    transfers: SignedTransfer[],
    known: Map<string, BatchSignature[]>,
    atThreshold: (signatures: BatchSignature[]) => Promise<boolean>,
  ): Promise<boolean> {
    const others = new Set<string>();
    for (const transfer of transfers) {
      const stored = this.#context.store.getTransfer(source, transfer.requestNonce);
      if (stored === undefined || (stored.state !== "signed" && stored.state !== "submitted")) continue;
      const other = stored.batchDigest?.toLowerCase();
      if (other !== undefined && other !== digest) others.add(other);
    }
    for (const other of others) {
      const signatures = known.get(other);
      if (signatures === undefined) continue; // gone: handled, or never shared
      if (this.#submitter.refusedBatches.has(other)) continue;
      if ((await atThreshold(signatures)) || !preferredBatch(digest, transfers, other, signatures[0].transfers)) {
        if (!this.#conflicting.has(digest)) {
          if (this.#conflicting.size >= 10_000) this.#conflicting.clear();
          this.#conflicting.add(digest);
          this.#context.log.log("info", "conflicting-batch", { direction: directionOf(source), digest, signed: other });
        }
        return false;
      }
    }
    return true;
  }

  /** Records the transfers of batch `digest` that this relayer has not signed as waiting for that batch. */
  #follow(source: Side, digest: string, transfers: SignedTransfer[]): void {
    const nonces = transfers
      .map((transfer) => transfer.requestNonce)
      .filter((nonce) => this.#context.store.getTransfer(source, nonce)?.state === "seen");
    this.#context.store.updateTransfers(source, nonces, { state: "signed", batchDigest: digest, signedAt: this.#context.now() });
  }

  /**
   * Signs `transfers` as this operator, shares the signature (a few at a time when the exchange posts several at
   * once: `#hold`) and records the transfers as signed. With
   * `enough`, asked once the signature is made: when the batch has a threshold of signatures by then (other relayers
   * signed it meanwhile), the signature is not shared and the transfers wait for that batch (undefined).
   */
  async #signAndShare(
    source: Side,
    transfers: SignedTransfer[],
    action: string,
    known?: string,
    enough?: () => Promise<boolean>,
  ): Promise<BatchSignature | undefined> {
    const dest = this.#context.sides[otherSide(source)];
    const digest = known ?? batchDigest(dest.domain, transfers);
    const signature = await signBatch(dest.endpoint.signer, dest.domain, transfers, digest);
    if (enough !== undefined && (await enough())) {
      this.#follow(source, digest, transfers);
      return undefined;
    }
    const entry: BatchSignature = { digest, signer: this.#context.operator, signature, transfers };
    const exchange = batchExchange(this.#context, source);
    if (exchange.postAll !== undefined) {
      // shared with others made in this step (`#hold`); recorded now, so that this operator signs no other version
      // of these transfers meanwhile (`#maySign`)
      await this.#hold({ source, entry, action, before: this.#recordSigned(source, transfers, digest) });
      return entry;
    }
    await exchange.post(entry);
    this.#recordSigned(source, transfers, digest);
    this.#logSigned(source, entry, action);
    return entry;
  }

  /**
   * Records `transfers` as signed in batch `digest`: those not signed yet, and those of a version this operator leaves
   * for this one (see `#maySign`). Returns them as they were.
   */
  #recordSigned(source: Side, transfers: SignedTransfer[], digest: string): StoredTransfer[] {
    const before = transfers
      .map((transfer) => this.#context.store.getTransfer(source, transfer.requestNonce))
      .filter((stored): stored is StoredTransfer => stored?.state === "seen" || (stored?.state === "signed" && stored.batchDigest !== digest));
    const nonces = before.map((stored) => stored.request.requestNonce);
    this.#context.store.updateTransfers(source, nonces, { state: "signed", batchDigest: digest, signedAt: this.#context.now() });
    return before;
  }

  #logSigned(source: Side, entry: BatchSignature, action: string): void {
    this.#context.log.log("info", action, {
      direction: directionOf(source),
      digest: entry.digest,
      nonces: entry.transfers.map((transfer) => transfer.requestNonce).join(","),
    });
  }

  /**
   * Holds a signature to be shared with others: the first of a step at once (the other operators wait for it), then
   * two, four, … at a time, and what is left at the end of the step. So a step's signatures take a few transactions
   * on the board, not one each, while the first batches are not held back until the last window is signed.
   */
  async #hold(held: HeldSignature): Promise<void> {
    this.#held.push(held);
    if (this.#held.length < this.#postAt) return;
    this.#postAt *= 2;
    // the batches sent so far first: this account sends nothing while its own transactions wait to be mined
    if (this.#report !== undefined) await this.#submitter.settle(this.#report);
    await this.#shareHeld(held.source);
  }

  /**
   * Shares the signatures held (`#held`) at once, but those whose batch was executed meanwhile. When
   * that fails, the transfers they signed are as they were before (a proposal not shared is proposed again).
   */
  async #shareHeld(source: Side): Promise<void> {
    const held = this.#held.filter(({ entry }) =>
      entry.transfers.some((transfer) => this.#context.store.getTransfer(source, transfer.requestNonce)?.state !== "done"),
    );
    this.#held = [];
    if (held.length === 0) return;
    try {
      await batchExchange(this.#context, source).postAll!(held.map(({ entry }) => entry));
    } catch (error) {
      for (const { entry, before } of held) {
        for (const was of before) {
          const now = this.#context.store.getTransfer(source, was.request.requestNonce);
          if (now?.state !== "signed" || now.batchDigest !== entry.digest) continue; // moved on since
          this.#context.store.updateTransfer(source, was.request.requestNonce, {
            state: was.state,
            batchDigest: was.batchDigest,
            signedAt: was.signedAt,
          });
        }
      }
      throw error;
    }
    for (const { entry, action } of held) this.#logSigned(source, entry, action);
  }

  /**
   * Why this operator will not sign `transfers` (undefined when every one is a confirmed request exactly as the
   * source bridge emitted it, by its store and by the source's logs read now); `final` when that will not change.
   */
  async #checkBatch(source: Side, transfers: SignedTransfer[]): Promise<{ reason: string; final: boolean } | undefined> {
    for (const transfer of transfers) {
      let stored = this.#context.store.getTransfer(source, transfer.requestNonce);
      if (stored === undefined) {
        // not seen yet: read the request from the transaction it names
        await this.#scanner.readRequestTx(source, transfer.requestTxHash);
        stored = this.#context.store.getTransfer(source, transfer.requestNonce);
      }
      const nonce = transfer.requestNonce;
      if (stored === undefined) return { reason: `nonce ${nonce}: no such request on the ${source} bridge`, final: false };
      if (!sameTransfer(toSignedTransfer(stored.request), transfer)) {
        return { reason: `nonce ${nonce}: fields differ from the request on the ${source} bridge`, final: true };
      }
    }
    // the store agrees with the proposal: the source's logs, read now, must too, with its confirmations
    const atSource = await this.#scanner.checkSource(source, transfers);
    const [stale] = atSource.stale;
    if (stale !== undefined) return { reason: stale.reason, final: true };
    const [unconfirmed] = atSource.unconfirmed;
    if (unconfirmed !== undefined) return { reason: `nonce ${unconfirmed}: not confirmed yet`, final: false };
    return undefined;
  }
}
