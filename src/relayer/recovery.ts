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
 *   signatures are exchanged in the signature directory and the first relayer holding the threshold submits
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
 * Signature files: `<signatureDir>/<chainId>-<recovery ledger lowercase>/<digest lowercase>/<signer lowercase>.json`,
 * written atomically, format `servicechain-bridge/recovery-signature@1`:
 *
 *   { "format", "kind": "cancel" | "refund", "chainId", "recovery": "0x…", "digest": "0x…", "signer": "0x…",
 *     "signature": "0x…(65 bytes r‖s‖v)", "transfer": { …the Transfer fields, numbers as decimal strings… },
 *     "createdAt" }
 *
 * A reader recomputes the digest from `kind` and `transfer` and recovers the signer; it only reads the directory of
 * a digest it computed itself from the transfer it holds.
 */
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";

import { ZeroHash, getAddress, isError, recoverAddress } from "ethers";
import type { Log, Provider, Signer, TypedDataDomain } from "ethers";

import { KIP17Token__factory, KIP7Token__factory, TransferRecovery__factory } from "../../types/ethers-contracts/index.js";
import type { Bridge, TransferRecovery } from "../../types/ethers-contracts/index.js";
import { packSignatures, recoveryDigest, recoveryDomain, signCancel, signRefund } from "../signatures.js";
import type { RecoveryKind } from "../signatures.js";
import { decodeRevert, describeError, isInsufficientFunds, isTransientRpcError } from "./errors.js";
import { REVERT_PREVIEW_CHARS, VoteType, withGasHeadroom } from "../protocol/constants.js";
import { badFileReporter } from "./log.js";
import type { RelayerLogger } from "./log.js";
import type { ExchangeWiring, OnInvalid, RecoveryExchange, SignatureExchange, SignedEntry } from "./exchange.js";
import { canonicalSignature, listDigests, readSignatureFiles } from "./peer-files.js";
import { transferFromJson, transferToJson, writeJsonAtomically } from "./signatures.js";
import type { RecoveryRecord, RelayerStore } from "./store.js";
import { ParkedStatus, refundTransferOf, transferContentHash } from "../protocol/transfer.js";
import { otherSide, toSignedTransfer } from "./types.js";

export { ParkedStatus, refundTransferOf, transferContentHash };
import type { Side, SignedTransfer, TransferRequest } from "./types.js";

export const RECOVERY_SIGNATURE_FORMAT = "servicechain-bridge/recovery-signature@1";

/** The longest a failed retry waits before the next one. */
const MAX_BACKOFF_MS = 10 * 60_000;

/** One operator's approval (a cancellation or a refund) of one transfer, as posted and read. */
export interface RecoverySignature extends SignedEntry {
  kind: RecoveryKind;
  transfer: SignedTransfer;
}

/** The cancel and refund signatures exchanged for one recovery ledger (see the module comment). */
export class RecoverySignatureDirectory implements SignatureExchange<RecoverySignature> {
  readonly root: string;

  constructor(
    directory: string,
    readonly domain: TypedDataDomain,
  ) {
    this.root = join(directory, `${String(domain.chainId)}-${String(domain.verifyingContract).toLowerCase()}`);
  }

  /** The digest an approval of `kind` for `transfer` signs on this ledger. */
  digestOf(kind: RecoveryKind, transfer: SignedTransfer): string {
    return recoveryDigest(this.domain, kind, transfer);
  }

  /** Writes this operator's approval signature, atomically. */
  async post(entry: RecoverySignature): Promise<void> {
    const dir = join(this.root, entry.digest.toLowerCase());
    await mkdir(dir, { recursive: true });
    await writeJsonAtomically(join(dir, `${entry.signer.toLowerCase()}.json`), {
      format: RECOVERY_SIGNATURE_FORMAT,
      kind: entry.kind,
      chainId: String(this.domain.chainId),
      recovery: String(this.domain.verifyingContract),
      digest: entry.digest,
      signer: entry.signer,
      signature: entry.signature,
      transfer: transferToJson(entry.transfer),
      createdAt: new Date().toISOString(),
    });
  }

  /**
   * The valid approvals of `digest`: files whose kind and transfer hash to it on this ledger and whose signature
   * recovers to the named signer, one per signer; `onInvalid` hears of the files refused.
   */
  async read(digest: string, onInvalid?: OnInvalid): Promise<RecoverySignature[]> {
    return readSignatureFiles(
      join(this.root, digest.toLowerCase()),
      (text) => {
        const file = JSON.parse(text) as Record<string, unknown>;
        if (file.format !== RECOVERY_SIGNATURE_FORMAT) throw new Error(`unknown format ${String(file.format)}`);
        if (file.kind !== "cancel" && file.kind !== "refund") throw new Error(`a ${String(file.kind)} signature`);
        const kind: RecoveryKind = file.kind;
        const transfer = transferFromJson(file.transfer as Record<string, string | number>);
        if (this.digestOf(kind, transfer).toLowerCase() !== digest.toLowerCase()) {
          throw new Error("kind and transfer do not hash to the digest");
        }
        const signature = canonicalSignature(file.signature);
        const signer = getAddress(recoverAddress(digest, signature));
        if (signer.toLowerCase() !== String(file.signer).toLowerCase()) throw new Error(`signed by ${signer}`);
        return { digest, signer, signature, kind, transfer };
      },
      onInvalid,
    );
  }

  async proposals(): Promise<string[]> {
    return listDigests(this.root);
  }

  async remove(digest: string): Promise<void> {
    await rm(join(this.root, digest.toLowerCase()), { recursive: true, force: true });
  }
}

/** What the recovery needs of one side of the pair. */
export interface RecoveryChain {
  side: Side;
  provider: Provider;
  signer: Signer;
  bridge: Bridge;
  chainId: bigint;
  confirmations: number;
  deployedBlock: number;
}

export interface RecoveryOptions {
  /** Failed retries before the relayer cancels a failed transfer (0: cancel at once). */
  failedRetries: number;
  /** Cancel (and so refund) transfers held above the limits too, instead of leaving them to the bridge owner. */
  cancelHeld: boolean;
  /** Delay before the first retry, doubled at each failed one. */
  backoffMs: number;
  /** How long signatures are awaited before this operator approves by its own call. */
  signatureWaitMs: number;
  maxBlockRange: number;
  signatureDir?: string;
  /** The exchange of cancel and refund signatures, when its wiring has one (the board); else `signatureDir`. */
  exchange?: ExchangeWiring;
}

/** What one recovery step did. */
export interface RecoveryReport {
  /** Transfers whose payout failed on the destination (`HandleValueTransferFailed` read in this step). */
  payoutFailures: number;
  /** Transfers held above the destination's limits (`TransferHeld` read in this step). */
  held: number;
  retried: number;
  retryFailures: number;
  cancelApprovals: number;
  refundApprovals: number;
}

/** A report of a step that did nothing. */
export function emptyRecoveryReport(): RecoveryReport {
  return { payoutFailures: 0, held: 0, retried: 0, retryFailures: 0, cancelApprovals: 0, refundApprovals: 0 };
}

interface Ledger {
  chain: RecoveryChain;
  recovery: TransferRecovery;
  address: string;
  domain: TypedDataDomain;
  signatures?: RecoveryExchange;
}

/** What the worker borrows from its relayer: its logger, clock, RPC retry and crash hook. */
export interface RecoveryHooks {
  log: RelayerLogger;
  now: () => number;
  rpc: <T>(operation: () => Promise<T>) => Promise<T>;
  afterSend?: (sent: { kind: string; side: Side; nonces: bigint[]; txHash: string }) => unknown;
  /** Reads the requests of a source transaction into the store (a parked transfer whose request it does not know). */
  readRequestTx?: (source: Side, txHash: string) => Promise<void>;
}

/** The recovery of failed and held transfers for one operator's relayer (see the module comment). */
export class TransferRecoveryWorker {
  readonly #ledgers: Record<Side, Ledger>;
  readonly #store: RelayerStore;
  readonly #options: RecoveryOptions;
  readonly #log: RelayerLogger;
  /** Logs each refused signature file once. */
  readonly #badFile: (file: string, reason: string) => void;
  readonly #now: () => number;
  readonly #rpc: <T>(operation: () => Promise<T>) => Promise<T>;
  readonly #operator: string;
  readonly #afterSend?: (sent: { kind: string; side: Side; nonces: bigint[]; txHash: string }) => unknown;
  readonly #readRequestTx?: (source: Side, txHash: string) => Promise<void>;
  /** The refusals already logged, by `kind:source:nonce` (logged once each). */
  readonly #refusals = new Set<string>();

  private constructor(
    ledgers: Record<Side, Ledger>,
    store: RelayerStore,
    operator: string,
    options: RecoveryOptions,
    hooks: RecoveryHooks,
  ) {
    this.#ledgers = ledgers;
    this.#store = store;
    this.#operator = operator;
    this.#options = options;
    this.#log = hooks.log;
    this.#badFile = badFileReporter(hooks.log);
    this.#now = hooks.now;
    this.#rpc = hooks.rpc;
    this.#afterSend = hooks.afterSend;
    this.#readRequestTx = hooks.readRequestTx;
  }

  /**
   * The worker of both sides, or undefined when a bridge has no recovery ledger (an older deployment). Throws when a
   * chain cannot be asked now (the relayer tries again at its next step).
   */
  static async create(
    chains: Record<Side, RecoveryChain>,
    store: RelayerStore,
    operator: string,
    options: RecoveryOptions,
    hooks: RecoveryHooks,
  ): Promise<TransferRecoveryWorker | undefined> {
    const ledgers = {} as Record<Side, Ledger>;
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
        signatures:
          options.exchange?.recovery?.({ domain, side }) ??
          (options.signatureDir === undefined ? undefined : new RecoverySignatureDirectory(options.signatureDir, domain)),
      };
    }
    return new TransferRecoveryWorker(ledgers, store, operator, options, hooks);
  }

  /** Reads the recovery events of both chains, then moves every failed, held and cancelled transfer one step on. */
  async step(): Promise<RecoveryReport> {
    const report = emptyRecoveryReport();
    for (const side of ["parent", "child"] as const) await this.scan(side, report);
    for (const source of ["parent", "child"] as const) {
      for (const record of this.#store.recoveries(source, ["failed", "held", "cancelled"])) {
        try {
          await this.#advance(record, report);
        } catch (error) {
          this.#log.log("error", "recovery-step-failed", {
            direction: direction(source),
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
    if (this.#options.signatureDir === undefined && this.#options.exchange?.recovery === undefined) return false;
    for (const source of ["parent", "child"] as const) {
      for (const record of this.#store.recoveries(source, ["failed", "held", "cancelled"])) {
        if (record.signedAt !== null && !record.voted) return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- events

  /** Reads the recovery events of `side` (its bridge and ledger) up to its confirmed head. */
  async scan(side: Side, report: RecoveryReport = emptyRecoveryReport()): Promise<void> {
    const ledger = this.#ledgers[side];
    const { chain } = ledger;
    const key = `recovery-${side}`;
    const head = (await this.#rpc(() => chain.provider.getBlockNumber())) - chain.confirmations;
    let from = (this.#store.getNamedCursor(key) ?? chain.deployedBlock - 1) + 1;
    const bridgeInterface = chain.bridge.interface;
    const recoveryInterface = ledger.recovery.interface;
    const topics = [
      bridgeInterface.getEvent("HandleValueTransferFailed").topicHash,
      bridgeInterface.getEvent("TransferHeld").topicHash,
      recoveryInterface.getEvent("TransferRetried").topicHash,
      recoveryInterface.getEvent("TransferReleased").topicHash,
      recoveryInterface.getEvent("TransferCancelled").topicHash,
      recoveryInterface.getEvent("ValueTransferRefunded").topicHash,
    ];
    const bridgeAddress = (await chain.bridge.getAddress()).toLowerCase();
    while (from <= head) {
      const to = Math.min(head, from + this.#options.maxBlockRange - 1);
      const logs = await this.#rpc(() =>
        chain.provider.getLogs({ address: [bridgeAddress, ledger.address], fromBlock: from, toBlock: to, topics: [topics] }),
      );
      for (const log of logs) await this.#apply(side, log, log.address.toLowerCase() === bridgeAddress, report);
      this.#store.setNamedCursor(key, to);
      from = to + 1;
    }
  }

  async #apply(side: Side, log: Log, fromBridge: boolean, report: RecoveryReport): Promise<void> {
    const ledger = this.#ledgers[side];
    const parsed = fromBridge ? ledger.chain.bridge.interface.parseLog(log) : ledger.recovery.interface.parseLog(log);
    if (parsed === null) return;
    const source = otherSide(side);
    const nonce = BigInt(parsed.args.handleNonce ?? parsed.args.requestNonce ?? 0n);
    const current = parsed.name === "ValueTransferRefunded" ? this.#store.getRecovery(side, nonce) : this.#store.getRecovery(source, nonce);
    const fields = { direction: direction(source), nonce, block: log.blockNumber, tx: log.transactionHash };
    if (
      (parsed.name === "HandleValueTransferFailed" || parsed.name === "TransferHeld") &&
      this.#store.getTransfer(source, nonce) === undefined
    ) {
      // handled before this relayer read its request (a store started late): the request tx the event names
      await this.#readRequestTx?.(source, String(parsed.args.requestTxHash));
    }
    switch (parsed.name) {
      case "HandleValueTransferFailed": {
        if (current !== undefined && current.state !== "held" && current.state !== "failed") return;
        const reason = describeReason(String(parsed.args.reason), ledger.chain.bridge, ledger.recovery);
        this.#store.updateRecovery(source, nonce, {
          state: "failed",
          lastReason: reason,
          block: log.blockNumber,
          attempts: current?.attempts ?? 0,
          retryAt: current?.state === "failed" ? current.retryAt : this.#now(),
        });
        report.payoutFailures += 1;
        this.#log.log("warn", "payout-failed", { ...fields, reason });
        return;
      }
      case "TransferHeld":
        if (current !== undefined) return;
        this.#store.updateRecovery(source, nonce, { state: "held", block: log.blockNumber, retryAt: this.#now() });
        report.held += 1;
        this.#log.log("warn", "held", {
          ...fields,
          action: this.#options.cancelHeld ? "cancel" : "left to the bridge owner (bridge release)",
        });
        return;
      case "TransferRetried":
      case "TransferReleased":
        if (parsed.name === "TransferReleased" && parsed.args.paid !== true) return; // now failed (its own event)
        if (current?.state === "cancelled" || current?.state === "refunded") return;
        this.#store.updateRecovery(source, nonce, { state: "paid", block: log.blockNumber, lastReason: null });
        this.#log.log("info", parsed.name === "TransferRetried" ? "paid-by-retry" : "paid-by-release", fields);
        return;
      case "TransferCancelled":
        if (current?.state === "refunded") return;
        this.#store.updateRecovery(source, nonce, {
          state: "cancelled",
          block: log.blockNumber,
          signedAt: null,
          voted: false,
          retryAt: 0,
        });
        this.#log.log("info", "cancelled", fields);
        await this.#removeSignatures(source, nonce, "cancel");
        return;
      case "ValueTransferRefunded":
        this.#store.updateRecovery(side, nonce, { state: "refunded", block: log.blockNumber, lastReason: null });
        this.#log.log("info", "refunded", { direction: direction(side), nonce, block: log.blockNumber, tx: log.transactionHash });
        await this.#removeSignatures(side, nonce, "refund");
        return;
    }
  }

  async #removeSignatures(source: Side, nonce: bigint, kind: RecoveryKind): Promise<void> {
    const stored = this.#store.getTransfer(source, nonce);
    if (stored === undefined) return;
    const ledger = kind === "cancel" ? this.#ledgers[otherSide(source)] : this.#ledgers[source];
    const transfer = kind === "cancel" ? toSignedTransfer(stored.request) : refundTransferOf(stored.request);
    await ledger.signatures?.remove(ledger.signatures.digestOf(kind, transfer));
  }

  // ---------------------------------------------------------------- steps

  async #advance(record: RecoveryRecord, report: RecoveryReport): Promise<void> {
    const stored = this.#store.getTransfer(record.source, record.nonce);
    if (stored === undefined) return; // the request is read by `poll`; nothing to act on before
    if (record.retryAt > this.#now()) return;
    if (record.state === "failed") {
      if (record.attempts < this.#options.failedRetries) await this.#retry(record, stored.request, report);
      else await this.#approve("cancel", record, stored.request, report);
    } else if (record.state === "held") {
      if (this.#options.cancelHeld) await this.#approve("cancel", record, stored.request, report);
    } else if (record.state === "cancelled") {
      await this.#approve("refund", record, stored.request, report);
    }
  }

  #backoff(attempts: number): number {
    return Math.min(this.#options.backoffMs * 2 ** Math.min(Math.max(attempts - 1, 0), 20), MAX_BACKOFF_MS);
  }

  /** One retry of a failed transfer: estimated first (a payout that still fails costs nothing but a call). */
  async #retry(record: RecoveryRecord, request: TransferRequest, report: RecoveryReport): Promise<void> {
    const source = record.source;
    const ledger = this.#ledgers[otherSide(source)];
    const transfer = toSignedTransfer(request);
    const fields = { direction: direction(source), nonce: record.nonce };
    let txHash: string | undefined;
    try {
      const gas = await ledger.recovery.retryTransfer.estimateGas(transfer);
      const tx = await ledger.recovery.retryTransfer(transfer, { gasLimit: withGasHeadroom(gas) });
      txHash = tx.hash;
      await this.#afterSend?.({ kind: "retry", side: ledger.chain.side, nonces: [record.nonce], txHash: tx.hash });
      this.#store.updateRecovery(source, record.nonce, { tx: tx.hash });
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
            ? describeReason(revert.args[1] ?? "0x", ledger.chain.bridge, ledger.recovery)
            : revert.name === "RetryAboveLimits"
              ? `${revert.text}: above the destination's handle limits`
              : revert.text;
        this.#store.updateRecovery(source, record.nonce, {
          attempts,
          lastReason: reason,
          retryAt: this.#now() + this.#backoff(attempts),
        });
        report.retryFailures += 1;
        this.#log.log("warn", "retry-failed", {
          ...fields,
          attempt: attempts,
          of: this.#options.failedRetries,
          reason,
          next: attempts < this.#options.failedRetries ? "retry later" : "cancel",
        });
        return;
      }
      if (revert?.name === "TransferNotParked") {
        await this.#reconcile(record);
        return;
      }
      this.#later(record, error, "retry", txHash);
      return;
    }
    this.#store.updateRecovery(source, record.nonce, { state: "paid", lastReason: null, tx: txHash });
    report.retried += 1;
    this.#log.log("info", "retried", { ...fields, tx: txHash });
  }

  /** A transfer the ledger no longer holds as this relayer thought: what the destination says now. */
  async #reconcile(record: RecoveryRecord): Promise<void> {
    const ledger = this.#ledgers[otherSide(record.source)];
    const [status] = await this.#rpc(() => ledger.recovery.parkedTransfer(record.nonce));
    const state = Number(status);
    if (state === ParkedStatus.None) {
      this.#store.updateRecovery(record.source, record.nonce, { state: "paid", lastReason: null });
      this.#log.log("info", "paid", { direction: direction(record.source), nonce: record.nonce, by: "another caller" });
    } else if (state === ParkedStatus.Held && record.state !== "held") {
      this.#store.updateRecovery(record.source, record.nonce, { state: "held" });
    } else if (state === ParkedStatus.Failed && record.state !== "failed") {
      this.#store.updateRecovery(record.source, record.nonce, { state: "failed" });
    }
    // Cancelled: the `TransferCancelled` event, read with the destination's confirmations, moves it on
  }

  /** An error that says nothing about the transfer (RPC, funds, an unexpected revert): tried again after a backoff. */
  #later(record: RecoveryRecord, error: unknown, what: string, txHash?: string): void {
    const ledgerInterface = this.#ledgers.parent.recovery.interface;
    const revert = decodeRevert(error, ledgerInterface);
    const reason = isInsufficientFunds(error) ? "insufficient funds for gas" : (revert?.text ?? describeError(error));
    this.#store.updateRecovery(record.source, record.nonce, {
      lastReason: reason,
      retryAt: this.#now() + this.#options.backoffMs,
    });
    const level = revert === undefined && isTransientRpcError(error) ? "warn" : "error";
    this.#log.log(level, `${what}-error`, {
      direction: direction(record.source),
      nonce: record.nonce,
      error: reason,
      tx: txHash,
      retry: "later",
    });
  }

  /**
   * This operator's approval of a cancellation (on the destination) or a refund (on the source): its signature in
   * the directory, the submission once a threshold of signatures is there, or its own call after `signatureWaitMs`
   * (at once without a signature directory). Refused unless the chain shows the transfer in the state that allows it.
   */
  async #approve(kind: RecoveryKind, record: RecoveryRecord, request: TransferRequest, report: RecoveryReport): Promise<void> {
    const source = record.source;
    const ledger = kind === "cancel" ? this.#ledgers[otherSide(source)] : this.#ledgers[source];
    const transfer = kind === "cancel" ? toSignedTransfer(request) : refundTransferOf(request);
    const fields = { direction: direction(source), nonce: record.nonce };
    if (!(await this.#mayApprove(kind, record, request))) return;

    const now = this.#now();
    let signedAt = record.signedAt;
    if (ledger.signatures !== undefined) {
      if (signedAt === null) {
        const signature = await signRecovery(ledger.chain.signer, ledger.domain, kind, transfer);
        await ledger.signatures.post({
          digest: ledger.signatures.digestOf(kind, transfer),
          signer: this.#operator,
          signature,
          kind,
          transfer,
        });
        signedAt = now;
        this.#store.updateRecovery(source, record.nonce, { signedAt });
        this.#log.log("info", `${kind}-signed`, fields);
      }
      const threshold = Number(await this.#rpc(() => ledger.chain.bridge.operatorThresholds(VoteType.ValueTransfer)));
      const signatures: RecoverySignature[] = [];
      for (const entry of await ledger.signatures.read(ledger.signatures.digestOf(kind, transfer), this.#badFile)) {
        if (await this.#rpc(() => ledger.chain.bridge.operators(entry.signer))) signatures.push(entry);
      }
      if (signatures.length >= threshold) {
        const chosen = signatures.sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1)).slice(0, threshold);
        await this.#send(kind, record, transfer, packSignatures(chosen), report);
        return;
      }
      if (signedAt + this.#options.signatureWaitMs > now || record.voted) return;
      this.#log.log("info", "fallback", { ...fields, kind, reason: "signatures did not arrive in time" });
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
    const destination = this.#ledgers[otherSide(source)];
    const expected = transferContentHash(toSignedTransfer(request));
    if (kind === "cancel") {
      const [status, hash] = await this.#rpc(() => destination.recovery.parkedTransfer(record.nonce));
      const state = Number(status);
      if ((state === ParkedStatus.Failed || state === ParkedStatus.Held) && hash === expected) return true;
      if (state === ParkedStatus.Cancelled) return false; // cancelled: the event moves it on
      if (state === ParkedStatus.None) {
        await this.#reconcile(record);
        return false;
      }
      this.#refuse(kind, record, "the destination holds different content under this nonce");
      return false;
    }
    const head = (await this.#rpc(() => destination.chain.provider.getBlockNumber())) - destination.chain.confirmations;
    const [status, hash] = await this.#rpc(() => destination.recovery.parkedTransfer(record.nonce, { blockTag: head }));
    if (Number(status) !== ParkedStatus.Cancelled || hash !== expected || hash === ZeroHash) {
      this.#refuse(kind, record, `the destination does not show this transfer cancelled (status ${Number(status)})`);
      return false;
    }
    if (await this.#rpc(() => this.#ledgers[source].recovery.isRefunded(record.nonce))) {
      this.#store.updateRecovery(source, record.nonce, { state: "refunded" });
      return false;
    }
    return true;
  }

  #refuse(kind: RecoveryKind, record: RecoveryRecord, reason: string): void {
    const key = `${kind}:${record.source}:${record.nonce}`;
    this.#store.updateRecovery(record.source, record.nonce, { lastReason: reason, retryAt: this.#now() + this.#options.backoffMs });
    if (this.#refusals.has(key)) return;
    this.#refusals.add(key);
    this.#log.log("error", `${kind}-refused`, { direction: direction(record.source), nonce: record.nonce, reason });
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
    const ledger = kind === "cancel" ? this.#ledgers[otherSide(source)] : this.#ledgers[source];
    const vote = signatures === "0x";
    const fields = { direction: direction(source), nonce: record.nonce, by: vote ? "approval" : "signatures" };
    let txHash: string | undefined;
    try {
      const tx =
        kind === "cancel"
          ? await ledger.recovery.cancelTransfer(transfer, signatures)
          : await ledger.recovery.refundTransfer(transfer, signatures);
      txHash = tx.hash;
      await this.#afterSend?.({ kind, side: ledger.chain.side, nonces: [record.nonce], txHash: tx.hash });
      this.#store.updateRecovery(source, record.nonce, { tx: tx.hash });
      const receipt = await tx.wait();
      if (receipt === null || receipt.status !== 1) throw new Error(`${kind} ${tx.hash} failed`);
    } catch (error) {
      const revert = decodeRevert(error, ledger.recovery.interface);
      if (revert?.name === "AlreadyApproved") {
        this.#store.updateRecovery(source, record.nonce, { voted: true });
        return;
      }
      if (revert?.name === "AlreadyRefunded") {
        this.#store.updateRecovery(source, record.nonce, { state: "refunded" });
        return;
      }
      if (revert?.name === "TransferNotParked") {
        await this.#reconcile(record);
        return;
      }
      if (!vote && revert !== undefined && !record.voted) {
        // the signatures were refused (one withdrawn from the operator set meanwhile, a peer's bad copy): this
        // operator's own approval instead, which needs nobody else's file
        this.#log.log("warn", "fallback", { ...fields, kind, reason: `signatures refused: ${revert.text}` });
        await this.#send(kind, record, transfer, "0x", report);
        return;
      }
      this.#later(record, error, kind, txHash);
      return;
    }
    if (vote) this.#store.updateRecovery(source, record.nonce, { voted: true });
    if (kind === "cancel") report.cancelApprovals += 1;
    else report.refundApprovals += 1;
    this.#log.log("info", vote ? `${kind}-approved` : `${kind}-submitted`, { ...fields, tx: txHash });
  }
}

/** One operator's signature of a cancellation or refund (`signCancel` / `signRefund` of the toolkit). */
async function signRecovery(signer: Signer, domain: TypedDataDomain, kind: RecoveryKind, transfer: SignedTransfer): Promise<string> {
  return kind === "cancel" ? signCancel(signer, domain, transfer) : signRefund(signer, domain, transfer);
}

/** The tokens' errors (OpenZeppelin's ERC-20 and ERC-721 errors, the KIP receiver checks). */
const tokenInterfaces = { kip7: KIP7Token__factory.createInterface(), kip17: KIP17Token__factory.createInterface() };

/** What a recipient or token returned, for a log line: its custom error when the bridge or ledger knows it. */
export function describeReason(reason: string, bridge: Bridge, recovery: TransferRecovery): string {
  if (reason === "0x" || reason === "") return "reverted without a reason";
  for (const iface of [bridge.interface, recovery.interface, tokenInterfaces.kip7, tokenInterfaces.kip17]) {
    const decoded = decodeRevert({ data: reason }, iface);
    if (decoded !== undefined && !decoded.text.startsWith("unknown revert")) return decoded.text;
  }
  return reason.length > REVERT_PREVIEW_CHARS ? `${reason.slice(0, REVERT_PREVIEW_CHARS)}…` : reason;
}

function direction(source: Side): string {
  return `${source}->${otherSide(source)}`;
}
