/**
 * Anchoring the child chain on the parent's AnchoringReceiver, for one operator: which child blocks are due, this
 * operator's signature over each (exchanged like the batch signatures) or its vote, and the submission of the
 * anchors a threshold of operators signed, several in one transaction.
 */
import type { Provider, Signer } from "ethers";

import { AnchoringReceiver__factory } from "../../types/ethers-contracts/index.js";
import type { AnchoringReceiver } from "../../types/ethers-contracts/index.js";
import { AnchorSignatureDirectory, anchoringDomain, dueAnchorBlocks, readAnchor, signAnchorEntry } from "./anchoring.js";
import type { AnchorData, AnchorSignature } from "./anchoring.js";
import type { AnchorExchange, ExchangeWiring } from "./exchange.js";
import { decodeRevert, describeError, isInsufficientFunds, isNonceCollision } from "./errors.js";
import { logNonceCollision } from "./failures.js";
import type { InsufficientFundsAlarm } from "./funds.js";
import { VoteType } from "../protocol/constants.js";
import { badFileReporter } from "./log.js";
import type { RelayerLogger } from "./log.js";
import { submitAnchorArgs } from "../protocol/anchor.js";
import { packSignatures } from "../protocol/batch.js";
import type { RelayerStore } from "./store.js";
import type { Side } from "./types.js";

const SUBMIT_SIGNED_ANCHORS_SELECTOR = AnchoringReceiver__factory.createInterface()
  .getFunction("submitSignedAnchors")
  .selector.slice(2);

/** What the anchorer works with (the relayer hands over its own store, logger, clock and RPC retry). */
export interface AnchorerContext {
  receiver: string;
  parentSigner: Signer;
  parentChainId: bigint;
  childProvider: Provider;
  childDeployedBlock: number;
  childConfirmations: number;
  /** Anchor every `period` child blocks (the schedule). */
  period: bigint;
  /** The pair's anchor period: how many blocks each anchor counts (`src/protocol/anchor.ts`). */
  anchorPeriod: bigint;
  maxPerStep: number;
  /** Shared with the other operators; without it (or without the signed path on the receiver), votes only. */
  signatureDir?: string;
  /** The exchange of anchor signatures, when its wiring has one (the board); else `signatureDir`. */
  exchange?: ExchangeWiring;
  signatureWaitMs: number;
  store: RelayerStore;
  log: RelayerLogger;
  funds: InsufficientFundsAlarm;
  now: () => number;
  rpc: <T>(operation: () => Promise<T>) => Promise<T>;
  afterSend?: (sent: { kind: "vote" | "batch" | "anchor"; side: Side; nonces: bigint[]; txHash: string }) => unknown;
}

export class Anchorer {
  readonly #context: AnchorerContext;
  readonly #receiver: AnchoringReceiver;
  readonly #signatures?: AnchorExchange;
  /** Logs each refused signature file once. */
  readonly #badFile: (file: string, reason: string) => void;

  private constructor(context: AnchorerContext, signatures?: AnchorExchange) {
    this.#context = context;
    this.#badFile = badFileReporter(context.log);
    this.#receiver = AnchoringReceiver__factory.connect(context.receiver, context.parentSigner);
    this.#signatures = signatures;
  }

  /** Checks the receiver and picks the signed path when the receiver has it and signatures are exchanged. */
  static async create(context: AnchorerContext): Promise<Anchorer> {
    const provider = context.parentSigner.provider;
    const code = provider === null || provider === undefined ? "0x" : await provider.getCode(context.receiver);
    if (code === "0x") throw new Error(`no contract at the anchoring receiver ${context.receiver}`);
    const domain = anchoringDomain(context.parentChainId, context.receiver);
    const signedPath = code.includes(SUBMIT_SIGNED_ANCHORS_SELECTOR);
    const anchorOf = async (blockNumber: bigint) => {
      const head = await context.childProvider.getBlockNumber();
      if (Number(blockNumber) + context.childConfirmations > head) return undefined;
      return readAnchor(context.childProvider, blockNumber, context.anchorPeriod);
    };
    const signatures = !signedPath
      ? undefined
      : context.exchange?.anchors !== undefined
        ? context.exchange.anchors({ domain, anchorOf })
        : context.signatureDir !== undefined
          ? new AnchorSignatureDirectory(context.signatureDir, domain)
          : undefined;
    return new Anchorer(context, signatures);
  }

  #rpc<T>(operation: () => Promise<T>): Promise<T> {
    return this.#context.rpc(operation);
  }

  /**
   * Anchors the child blocks that are due (multiples of `anchorEvery` above the latest anchored one) on the
   * parent's AnchoringReceiver: signed by this operator and submitted together once a threshold of operators signed
   * them, or by this operator's vote (no signature directory, no signed path, or signatures late). Returns the
   * blocks this relayer anchored or voted for in this step.
   */
  async anchor(): Promise<bigint[]> {
    const receiver = this.#receiver;
    const period = this.#context.period;
    const { childProvider, childConfirmations } = this.#context;
    const head = BigInt((await this.#rpc(() => childProvider.getBlockNumber())) - childConfirmations);
    const onChain = await this.#rpc(() => receiver.latestAnchoredBlock());
    const mine = BigInt(this.#context.store.lastAnchor()?.block ?? 0);
    // nothing before the pair existed is anchored: the first anchor is the first period end after the deployment
    const start = (BigInt(this.#context.childDeployedBlock) / period) * period;
    const last = [onChain, mine, start].reduce((a, b) => (a > b ? a : b));
    const due = dueAnchorBlocks(last, head, period, this.#context.maxPerStep);
    const done: bigint[] = [];
    const signatures = this.#signatures;
    for (const blockNumber of due) {
      if (await this.#rpc(() => receiver.isAnchored(blockNumber))) {
        this.#context.store.recordAnchor(Number(blockNumber), "", "anchored", null);
        continue;
      }
      const anchor = await this.#rpc(() => readAnchor(this.#context.childProvider, blockNumber, this.#context.anchorPeriod));
      if (signatures !== undefined) {
        const signed = await signAnchorEntry(this.#context.parentSigner, signatures.domain, anchor);
        await signatures.post(signed);
        this.#context.store.recordAnchor(Number(blockNumber), anchor.blockHash, "signed", null, this.#context.now());
        this.#context.log.log("info", "sign-anchor", { block: blockNumber, hash: anchor.blockHash, digest: signed.digest });
      } else if (await this.#voteAnchor(receiver, anchor)) {
        done.push(blockNumber);
      } else {
        break;
      }
    }
    if (signatures !== undefined) {
      done.push(...(await this.#submitSignedAnchors(receiver, signatures)));
      // anchors whose signatures did not come in time: this operator's vote instead
      const latest = await this.#rpc(() => receiver.latestAnchoredBlock());
      for (const row of this.#context.store.anchorsInState("signed")) {
        if ((row.signedAt ?? 0) + this.#context.signatureWaitMs > this.#context.now()) continue;
        const blockNumber = BigInt(row.block);
        if (blockNumber <= latest) {
          this.#context.store.recordAnchor(row.block, row.blockHash, "passed", null);
          continue;
        }
        this.#context.log.log("info", "fallback", { block: blockNumber, reason: "anchor signatures did not arrive in time" });
        const anchor = await this.#rpc(() => readAnchor(this.#context.childProvider, blockNumber, this.#context.anchorPeriod));
        if (await this.#voteAnchor(receiver, anchor)) done.push(blockNumber);
      }
    }
    return done;
  }

  /** Submits, in one transaction, every due anchor that a threshold of current operators signed. */
  async #submitSignedAnchors(receiver: AnchoringReceiver, signatures: AnchorExchange): Promise<bigint[]> {
    const latest = await this.#rpc(() => receiver.latestAnchoredBlock());
    const threshold = Number(await this.#rpc(() => receiver.operatorThresholds(VoteType.ValueTransfer)));
    const isOperator = new Map<string, boolean>();
    const ready = new Map<bigint, { anchor: AnchorData; signatures: AnchorSignature[]; digest: string }>();
    const onInvalid = this.#badFile;
    for (const digest of await signatures.proposals()) {
      const entries = await signatures.read(digest, onInvalid);
      if (entries.length === 0) continue;
      const anchor = entries[0].anchor;
      if (anchor.blockNumber <= latest) {
        await signatures.remove(digest);
        continue;
      }
      const current: AnchorSignature[] = [];
      for (const entry of entries) {
        if (!isOperator.has(entry.signer)) {
          isOperator.set(entry.signer, await this.#rpc(() => receiver.operators(entry.signer)));
        }
        if (isOperator.get(entry.signer) === true) current.push(entry);
      }
      if (current.length >= threshold && !ready.has(anchor.blockNumber)) {
        ready.set(anchor.blockNumber, { anchor, signatures: current.slice(0, threshold), digest });
      }
    }
    if (ready.size === 0) return [];
    const batch = [...ready.values()].sort((a, b) => (a.anchor.blockNumber < b.anchor.blockNumber ? -1 : 1));
    const anchors = batch.map((entry) => entry.anchor);
    const sets = batch.map((entry) => packSignatures(entry.signatures));
    try {
      const tx = await receiver.submitSignedAnchors(anchors, sets);
      await this.#context.afterSend?.({ kind: "anchor", side: "parent", nonces: [], txHash: tx.hash });
      await tx.wait();
      for (const entry of batch) {
        this.#context.store.recordAnchor(Number(entry.anchor.blockNumber), entry.anchor.blockHash, "anchored", tx.hash);
        await signatures.remove(entry.digest);
      }
      this.#context.funds.clear("parent");
      this.#context.log.log("info", "submit-anchors", {
        blocks: anchors.map((anchor) => anchor.blockNumber).join(","),
        signatures: batch.map((entry) => entry.signatures.length).join(","),
        tx: tx.hash,
      });
      return anchors.map((anchor) => anchor.blockNumber);
    } catch (error) {
      this.#onAnchorError(receiver, anchors[0], error);
      return [];
    }
  }

  async #voteAnchor(receiver: AnchoringReceiver, anchor: AnchorData): Promise<boolean> {
    try {
      const tx = await receiver.submitAnchor(...submitAnchorArgs(anchor));
      await this.#context.afterSend?.({ kind: "anchor", side: "parent", nonces: [], txHash: tx.hash });
      await tx.wait();
      this.#context.store.recordAnchor(Number(anchor.blockNumber), anchor.blockHash, "voted", tx.hash);
      this.#context.funds.clear("parent");
      this.#context.log.log("info", "anchor", {
        block: anchor.blockNumber,
        hash: anchor.blockHash,
        blocks: anchor.blockCount,
        txs: anchor.txCount,
        tx: tx.hash,
      });
      return true;
    } catch (error) {
      return this.#onAnchorError(receiver, anchor, error);
    }
  }

  /** Sorts out a failed anchor transaction; true when the anchor needs nothing more from this relayer. */
  #onAnchorError(receiver: AnchoringReceiver, anchor: AnchorData, error: unknown): boolean {
    const revert = decodeRevert(error, receiver.interface);
    if (revert?.name === "AlreadyAnchored" || revert?.name === "AnchorNotAfterLatest") {
      this.#context.store.recordAnchor(Number(anchor.blockNumber), anchor.blockHash, "anchored", null);
      this.#context.log.log("info", "anchored", { block: anchor.blockNumber, by: "another relayer" });
      return true;
    }
    if (isInsufficientFunds(error)) {
      this.#context.funds.report("parent", "anchoring");
      return false;
    }
    if (revert === undefined && isNonceCollision(error)) {
      logNonceCollision(this.#context, "anchor", error, { block: anchor.blockNumber });
      return false;
    }
    this.#context.log.log("error", "anchor-failed", {
      block: anchor.blockNumber,
      error: revert?.text ?? describeError(error),
      retry: "later",
    });
    return false;
  }
}
