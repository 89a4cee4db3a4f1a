/**
 * The relayer of one operator: it reads value transfer requests on both bridges of a pair and gets each one handled
 * on the counterpart bridge, by a batch signed by a threshold of operators (the cheap path) or by this operator's
 * own vote (Klaytn's path, and the fallback). It anchors the child chain on the parent every `anchorEvery` blocks.
 *
 * The work is split into steps that a test (or `run`) calls in any order: `poll` reads new requests up to the
 * confirmed head, `processPending` moves every pending transfer one step on, `recover` finds requests the
 * destination misses and reads them again, `anchor` anchors the child blocks that are due. `ingest` feeds requests
 * directly (a test drops, repeats or reorders them this way). Every step reads the chain before it writes and
 * records each change in the store, so a relayer killed at any point and started again neither loses nor repeats
 * a transfer.
 *
 * This class wires the workers and is their public face: `context.ts` (what they share), `scanner.ts` (reading
 * requests), `pending.ts` (one step of the pending transfers), `vote-path.ts`, `signed-path.ts` and
 * `batch-submit.ts` (the two ways a transfer is handled), `batch-gas.ts`, `run-loop.ts`, `anchorer.ts` and
 * `recovery.ts`. Signatures travel through the `SignatureExchanges` it is given (`exchanges.ts`).
 */
import { getAddress } from "ethers";

import { Anchorer } from "./anchorer.js";
import { BatchGasBook } from "./batch-gas.js";
import { BatchSubmitter } from "./batch-submit.js";
import { connectSides, deploymentOf, rpcWithRetry, withBatchExchanges } from "./context.js";
import type { RelayerContext, SideContext } from "./context.js";
import { describeError } from "./errors.js";
import { directoryWiring } from "./exchanges.js";
import { InsufficientFundsAlarm } from "./funds.js";
import { badFileReporter, silentLogger } from "./log.js";
import { emptyReport, settingsOf } from "./options.js";
import type { ProcessReport, RelayerOptions } from "./options.js";
import { PendingTransfers } from "./pending.js";
import { TransferRecoveryWorker, emptyRecoveryReport } from "./recovery.js";
import type { RecoveryChain, RecoveryReport } from "./recovery.js";
import { RunLoop } from "./run-loop.js";
import { RequestScanner } from "./scanner.js";
import { SignedPath } from "./signed-path.js";
import { bindStore, openBoundStore } from "./store-binding.js";
import type { SetAsideStore } from "./store-binding.js";
import type { RelayerStore } from "./store.js";
import { directionOf, otherSide } from "./types.js";
import type { Side, TransferRequest } from "./types.js";
import { VotePath } from "./vote-path.js";

export type { AfterSend, ProcessReport, RelayerOptions, SentTransaction } from "./options.js";

export class Relayer {
  readonly operator: string;
  readonly store: RelayerStore;
  readonly #context: RelayerContext;
  readonly #scanner: RequestScanner;
  readonly #pending: PendingTransfers;
  readonly #loop: RunLoop;
  readonly #signed: SignedPath;
  readonly #submitter: BatchSubmitter;
  #anchorer?: Anchorer;
  #recovery?: TransferRecoveryWorker;
  /** Creates the recovery worker (tried again at each step while a chain does not answer). */
  #createRecovery?: () => Promise<TransferRecoveryWorker | undefined>;
  /** Whether the recovery worker is still to be created: a chain did not answer when it was first tried. */
  #recoveryPending = false;

  private constructor(context: RelayerContext) {
    this.operator = context.operator;
    this.store = context.store;
    this.#context = context;
    this.#scanner = new RequestScanner(context);
    this.#submitter = new BatchSubmitter(context, new BatchGasBook(context));
    this.#signed = new SignedPath(context, this.#scanner, this.#submitter);
    this.#pending = new PendingTransfers(context, new VotePath(context, this.#scanner), this.#signed, this.#submitter);
    this.#loop = new RunLoop(context, {
      poll: () => this.poll(),
      recover: () => this.recover(),
      processPending: () => this.processPending(),
      anchor: () => this.anchor(),
      pendingCount: () => this.pendingCount(),
      awaitingSignatures: () => this.#awaitingSignatures(),
      missingSignatures: () => Math.max(0, ...this.#submitter.missingSignatures.values()),
    });
  }

  /** Connects to both chains, checks that the signer is the same operator on both, and opens the store. */
  static async create(options: RelayerOptions): Promise<Relayer> {
    const operator = getAddress(await options.parent.signer.getAddress());
    const childOperator = getAddress(await options.child.signer.getAddress());
    if (operator !== childOperator) {
      throw new Error(`the parent signer ${operator} and the child signer ${childOperator} must be the same operator`);
    }
    // the one place the relayer gets its signature exchanges from
    const exchange = options.exchange ?? (options.signatureDir === undefined ? undefined : directoryWiring(options.signatureDir));
    const sides = await connectSides(options, exchange);
    const identity = await deploymentOf(sides, options);
    let store: RelayerStore;
    let setAside: SetAsideStore | undefined;
    if (typeof options.store === "string") {
      ({ store, setAside } = openBoundStore(options.store, identity));
    } else {
      store = options.store;
      const problem = bindStore(store, identity);
      if (problem !== undefined) throw new Error(`the relayer's store belongs to another deployment: ${problem}`);
    }
    withBatchExchanges(sides, exchange, store);
    const settings = settingsOf(options);
    const log = options.logger ?? silentLogger;
    const context: RelayerContext = {
      operator,
      store,
      sides,
      settings,
      log,
      now: options.now ?? Date.now,
      afterSend: options.afterSend,
      funds: new InsufficientFundsAlarm(operator, log),
      badFile: badFileReporter(log),
      rpc: rpcWithRetry(settings, log),
    };
    const relayer = new Relayer(context);
    if (setAside !== undefined) {
      log.log("warn", "store-set-aside", {
        reason: `${setAside.reason}, not this one`,
        movedTo: setAside.movedTo,
        action: "starting a new store: everything is read again from the chains",
      });
    }
    const receiver = options.parent.anchoringReceiver;
    if (receiver !== undefined && settings.anchorEvery > 0) {
      relayer.#anchorer = await Anchorer.create({
        receiver,
        parentSigner: options.parent.signer,
        parentChainId: sides.parent.chainId,
        childProvider: sides.child.provider,
        childDeployedBlock: options.child.deployedBlock,
        childConfirmations: sides.child.confirmations,
        period: BigInt(settings.anchorEvery),
        anchorPeriod: BigInt(options.anchorPeriod ?? settings.anchorEvery),
        maxPerStep: settings.maxAnchorsPerStep,
        signatureDir: options.signatureDir,
        exchange,
        signatureWaitMs: settings.signatureWaitMs,
        store,
        log,
        funds: context.funds,
        now: context.now,
        rpc: context.rpc,
        afterSend: options.afterSend,
      });
    }
    relayer.#createRecovery = () =>
      TransferRecoveryWorker.create(
        { parent: recoveryChain(sides.parent), child: recoveryChain(sides.child) },
        store,
        operator,
        {
          failedRetries: options.failedRetries ?? 3,
          cancelHeld: options.cancelHeld ?? false,
          backoffMs: options.payoutRetryBackoffMs ?? 5000,
          signatureWaitMs: settings.signatureWaitMs,
          maxBlockRange: settings.maxBlockRange,
        },
        {
          log,
          now: context.now,
          rpc: context.rpc,
          afterSend: options.afterSend,
          readRequestTx: (source, txHash) => relayer.#scanner.readRequestTx(source, txHash),
        },
        exchange?.recovery === undefined ? undefined : (domain, side) => exchange.recovery?.({ domain, side }),
      );
    await relayer.#startRecovery();
    for (const side of ["parent", "child"] as const) {
      log.log("info", "start", {
        operator,
        direction: directionOf(side),
        path: sides[otherSide(side)].signedPath ? "signed" : "votes",
        exchange: sides[otherSide(side)].signedPath ? exchange?.name : undefined,
        from: store.getCursor(side) ?? options[side].deployedBlock,
      });
    }
    return relayer;
  }

  /**
   * Creates the recovery worker: off for good when a bridge has no recovery ledger, pending (tried again at the next
   * step, logged once) when a chain does not answer now.
   */
  async #startRecovery(): Promise<void> {
    if (this.#createRecovery === undefined) return;
    try {
      this.#recovery = await this.#createRecovery();
      if (this.#recoveryPending) this.#context.log.log("info", "recovery-on", { after: "the chains answered again" });
      this.#recoveryPending = false;
    } catch (error) {
      if (!this.#recoveryPending) {
        this.#context.log.log("warn", "recovery-waiting", { reason: describeError(error), retry: "next step" });
      }
      this.#recoveryPending = true;
    }
  }

  /** Whether this relayer's operator is a current operator of `side`'s bridge. */
  async isOperator(side: Side): Promise<boolean> {
    return this.#context.rpc(() => this.#context.sides[side].bridge.operators(this.operator));
  }

  /** Closes the store. */
  close(): void {
    this.store.close();
  }

  // ---------------------------------------------------------------- reading requests (scanner.ts)

  /** The requests of `side`'s bridge in blocks `fromBlock..toBlock`, without recording them. */
  async fetchRequests(side: Side, fromBlock: number, toBlock: number): Promise<TransferRequest[]> {
    return this.#scanner.fetchRequests(side, fromBlock, toBlock);
  }

  /**
   * Records `requests` as seen (known ones are left as they are), and, with `cursor`, moves that chain's cursor in
   * the same transaction. Returns the requests that were new.
   */
  ingest(requests: TransferRequest[], cursor?: { side: Side; block: number }): TransferRequest[] {
    return this.#scanner.ingest(requests, cursor);
  }

  /** Reads the requests of both bridges from the cursors up to the confirmed heads. Returns how many were new. */
  async poll(): Promise<number> {
    return this.#scanner.poll();
  }

  /**
   * Value transfer recovery: finds the requests the destination misses and the store lacks, and reads them again
   * from the source (see `RequestScanner.recover`). Returns how many requests it found again.
   */
  async recover(): Promise<number> {
    return this.#scanner.recover();
  }

  // ---------------------------------------------------------------- handling (pending.ts)

  /** Moves every pending transfer of both directions one step on. */
  async processPending(): Promise<ProcessReport> {
    const report = emptyReport();
    // what each batch short of the threshold lacks, as this step finds it (for the wait line)
    this.#submitter.missingSignatures.clear();
    for (const source of ["parent", "child"] as const) await this.#pending.step(source, report);
    const recovery = await this.recoverTransfers();
    report.payoutFailures += recovery.payoutFailures;
    report.held += recovery.held;
    report.retryFailures += recovery.retryFailures;
    report.unrelayable += this.#scanner.takeUnrelayable();
    return report;
  }

  /**
   * Moves the transfers handled but not paid out (failed, held, cancelled) one step on: retry, cancel, refund (see
   * `recovery.ts`). `processPending` calls it.
   */
  async recoverTransfers(): Promise<RecoveryReport> {
    if (this.#recoveryPending) await this.#startRecovery();
    if (this.#recovery === undefined) return emptyRecoveryReport();
    return this.#recovery.step();
  }

  /** The transfers not handled yet (by this relayer's knowledge), per source side. */
  pendingCount(): Record<Side, number> {
    return {
      parent: this.store.pendingTransfers("parent").length,
      child: this.store.pendingTransfers("child").length,
    };
  }

  // ---------------------------------------------------------------- anchoring (anchorer.ts)

  /**
   * Anchors the child blocks that are due on the parent's AnchoringReceiver (nothing without `anchorEvery` and a
   * receiver). Returns the blocks this relayer anchored or voted for in this step.
   */
  async anchor(): Promise<bigint[]> {
    return this.#anchorer === undefined ? [] : this.#anchorer.anchor();
  }

  // ---------------------------------------------------------------- running (run-loop.ts)

  /**
   * Relays what is pending now and returns: reads new requests, handles them (waiting up to `batchWaitMs` to propose
   * a batch that is not full and up to `signatureWaitMs` for the other operators' signatures, then voting), runs a
   * recovery and the anchoring that is due.
   */
  async runOnce(): Promise<ProcessReport> {
    return this.#loop.runOnce();
  }

  /** Runs until `signal` aborts: a step every `pollIntervalMs`, a recovery every `recoveryIntervalMs`. */
  async run(signal: AbortSignal): Promise<void> {
    return this.#loop.run(signal);
  }

  /**
   * Whether `runOnce` waits on: a window not full held back, a batch this operator signed short of the threshold,
   * or a cancellation or refund it signed.
   */
  #awaitingSignatures(): boolean {
    if (this.#recovery?.awaitingSignatures() === true) return true;
    for (const source of ["parent", "child"] as const) {
      if (this.#signed.holdingPartial[source]) return true;
      if (this.store.pendingTransfers(source).some((transfer) => transfer.state === "signed")) return true;
    }
    return false;
  }
}

/** What the recovery worker needs of one side. */
function recoveryChain(context: SideContext): RecoveryChain {
  return {
    side: context.side,
    provider: context.provider,
    signer: context.endpoint.signer,
    bridge: context.bridge,
    chainId: context.chainId,
    confirmations: context.confirmations,
    deployedBlock: context.endpoint.deployedBlock,
  };
}
