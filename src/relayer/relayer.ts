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
 */
import { ZeroAddress, formatUnits, getAddress, id as selectorHash } from "ethers";
import type { ContractTransactionResponse, Provider, TransactionReceipt, TransactionResponse, TypedDataDomain } from "ethers";

import { Bridge__factory, KIP7Token__factory } from "../../types/ethers-contracts/index.js";
import type { Bridge } from "../../types/ethers-contracts/index.js";
import { Anchorer } from "./anchorer.js";
import {
  DEFAULT_RETRY,
  decodeRevert,
  describeError,
  isAlreadyHandled,
  isInsufficientFunds,
  isTransientRpcError,
  withRetry,
} from "./errors.js";
import type { RetryOptions } from "./errors.js";
import { InsufficientFundsAlarm } from "./funds.js";
import { badFileReporter, silentLogger } from "./log.js";
import { distinctSigners } from "./peer-files.js";
import type { LogFields, RelayerLogger } from "./log.js";
import { CounterpartTokens, readRequests, readRequestsOfTx } from "../protocol/requests.js";
import type { RequestProblem } from "../protocol/requests.js";
import { nonceRuns, storedRequests } from "./board-exchange.js";
import {
  batchDigest,
  bridgeDomain,
  encodeHandleSignedTransfers,
  directoryWiring,
  packSignatures,
  signBatch,
} from "./signatures.js";
import type { BatchSignature } from "./signatures.js";
import type { ExchangeWiring, SignatureExchange } from "./exchange.js";
import { TransferRecoveryWorker, emptyRecoveryReport } from "./recovery.js";
import type { RecoveryChain, RecoveryReport } from "./recovery.js";
import type { RelayerStore } from "./store.js";
import { MIN_GAS_BEFORE_PAYOUT, VoteType, withGasHeadroom } from "../protocol/constants.js";
import { checkAtSource } from "./source-check.js";
import type { SourceCheck } from "./source-check.js";
import { bindStore, openBoundStore } from "./store-binding.js";
import type { DeploymentIdentity, SetAsideStore } from "./store-binding.js";
import type { StoredTransfer } from "./store.js";
import { TokenType, otherSide, sameTransfer, toSignedTransfer } from "./types.js";
import type { ChainEndpoint, Side, SignedTransfer, TransferRequest } from "./types.js";

export interface RelayerOptions {
  parent: ChainEndpoint;
  child: ChainEndpoint;
  /** The store, or the path of its sqlite file (`":memory:"` for none). */
  store: RelayerStore | string;
  /** The directory shared with the other operators' relayers for signatures; without it, votes only. */
  signatureDir?: string;
  /**
   * How signatures are exchanged (`boardWiring`: batches, anchors, cancellations and refunds; `directoryWiring`:
   * batches, with anchors and recovery in `signatureDir`); default the directory `signatureDir` when given; neither:
   * votes only.
   */
  exchange?: ExchangeWiring;
  /**
   * Transfers per signed batch (default 100). Batches are cut at fixed request nonces, `batchSize` apart (the batch
   * of window k holds nonces k·batchSize to (k+1)·batchSize − 1), so that operators whose relayers read a burst of
   * requests at different moments propose the same batches.
   */
  batchSize?: number;
  /**
   * How long a window that is not full waits before this relayer proposes what it holds (default 1 s): until no new
   * request of its direction came for that long, or the window has waited ten times that. The operators' relayers see
   * the same requests once requests stop coming, so they propose the same partial batch; 0 proposes at once.
   */
  batchWaitMs?: number;
  /** How long signed transfers wait for the others' signatures before this operator votes instead (default 30 s). */
  signatureWaitMs?: number;
  /**
   * How long a relayer waits before it submits a batch that reached the threshold, when it is not the designated
   * submitter (the destination bridge's current operator with the lowest address): so that several operators'
   * relayers do not all send the same batch. The designated submitter submits at once. Default 0: every relayer
   * submits at once.
   */
  submitGraceMs?: number;
  /** Anchor the child chain every this many child blocks (0: never; default 0). */
  anchorEvery?: number;
  /**
   * The pair's anchor period: how many child blocks each anchor counts, the same for every operator so that their
   * anchors meet (deployments/PAIR.json `anchorPeriod`; default `anchorEvery`).
   */
  anchorPeriod?: number;
  /** Most anchors sent in one `anchor` step (default 10). */
  maxAnchorsPerStep?: number;
  /** Blocks per getLogs call (default 2000). */
  maxBlockRange?: number;
  /** Pause between steps of `run` (default 1 s). */
  pollIntervalMs?: number;
  /** Pause between recoveries in `run` (default 10 s). */
  recoveryIntervalMs?: number;
  /** Delay before a failed transfer is tried again (doubled at each failure, default 1 s). */
  failureBackoffMs?: number;
  /**
   * Failed retries of a transfer whose payout failed on the destination before this operator approves its
   * cancellation (and then its refund on the source): default 3; 0 cancels at once. See `recovery.ts`.
   */
  failedRetries?: number;
  /** Cancel (and refund) transfers held above the destination's limits too, instead of leaving them to the owner. */
  cancelHeld?: boolean;
  /** Delay before the first retry of a failed payout, doubled at each failed retry (default 5 s). */
  payoutRetryBackoffMs?: number;
  logger?: RelayerLogger;
  retry?: RetryOptions;
  /** The clock (tests move it). */
  now?: () => number;
  /** Called right after a transaction is sent, before anything about it is recorded (tests crash here). */
  afterSend?: (sent: {
    kind: "vote" | "batch" | "anchor" | "retry" | "cancel" | "refund";
    side: Side;
    nonces: bigint[];
    txHash: string;
  }) => unknown;
}

/** What one `processPending` did. */
export interface ProcessReport {
  /** Transfers the destination handled (paid, failed or held there). */
  handled: number;
  votes: number;
  signatures: number;
  batches: number;
  /** Votes and batches of this relayer that failed (their transfers are retried, by votes for a batch). */
  failed: number;
  waiting: number;
  /** Handled transfers whose payout failed on the destination (parked as failed: retried, then refunded). */
  payoutFailures: number;
  /** Handled transfers held above the destination's limits. */
  held: number;
  /** Retries of failed payouts that failed again. */
  retryFailures: number;
  /** Request logs skipped because they cannot be read as requests. */
  unrelayable: number;
}

interface SideContext {
  side: Side;
  endpoint: ChainEndpoint;
  provider: Provider;
  bridge: Bridge;
  bridgeAddress: string;
  chainId: bigint;
  confirmations: number;
  tokens: CounterpartTokens;
  domain: TypedDataDomain;
  /** The signature exchange of this side's bridge, when the signed path is on (see `RelayerOptions.exchange`). */
  signatures?: SignatureExchange<BatchSignature>;
  signedPath: boolean;
}

const HANDLE_SIGNED_SELECTOR = selectorHash(
  "handleSignedTransfers((bytes32,uint8,address,address,address,uint256,uint64,uint64,string,bytes)[],bytes)",
).slice(2, 10);

/** The longest a failed transfer waits before it is tried again. */
const MAX_FAILURE_BACKOFF_MS = 60_000;

/**
 * Whether batch `a` goes before batch `b` when two batches hold some of the same transfers: the one with the lowest
 * first nonce, then the longer one, then the lower digest. Every relayer orders the batches it knows this way.
 */
function preferredBatch(aDigest: string, a: SignedTransfer[], bDigest: string, b: SignedTransfer[]): boolean {
  const first = (transfers: SignedTransfer[]) =>
    transfers.reduce((low, transfer) => (transfer.requestNonce < low ? transfer.requestNonce : low), 2n ** 64n);
  const [firstA, firstB] = [first(a), first(b)];
  if (firstA !== firstB) return firstA < firstB;
  if (a.length !== b.length) return a.length > b.length;
  return aDigest.toLowerCase() < bDigest.toLowerCase();
}

/**
 * What the signed batches this relayer sent to one side cost: the most gas per transfer, over batches of KIP7
 * transfers, and the tokens and recipients of those transfers. A batch of KIP7 transfers of known tokens to known
 * recipients is sent with a gas limit from that figure instead of an estimate (which executes the batch once more).
 */
interface BatchGas {
  perTransfer: bigint;
  tokens: Set<string>;
  recipients: Set<string>;
  /** The longest extra data (as hex text) of those transfers. */
  extraDataLength: number;
}

function newBatchGas(): BatchGas {
  return { perTransfer: 0n, tokens: new Set(), recipients: new Set(), extraDataLength: 0 };
}

function emptyReport(): ProcessReport {
  return {
    handled: 0,
    votes: 0,
    signatures: 0,
    batches: 0,
    failed: 0,
    waiting: 0,
    payoutFailures: 0,
    held: 0,
    retryFailures: 0,
    unrelayable: 0,
  };
}

function direction(source: Side): string {
  return `${source}->${otherSide(source)}`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Gas a batch sent with a limit learnt from earlier batches keeps free at its last transfer: what the bridge asks for
 * before a payout (`MIN_GAS_BEFORE_PAYOUT`), and 50,000 for the rest of that transfer's handle.
 */
const PAYOUT_RESERVE = MIN_GAS_BEFORE_PAYOUT + 50_000n;

export class Relayer {
  readonly operator: string;
  readonly store: RelayerStore;
  readonly #sides: Record<Side, SideContext>;
  readonly #options: Required<
    Pick<
      RelayerOptions,
      | "batchSize"
      | "batchWaitMs"
      | "signatureWaitMs"
      | "submitGraceMs"
      | "anchorEvery"
      | "maxAnchorsPerStep"
      | "maxBlockRange"
      | "pollIntervalMs"
      | "recoveryIntervalMs"
      | "failureBackoffMs"
      | "retry"
    >
  >;
  readonly #log: RelayerLogger;
  readonly #now: () => number;
  readonly #afterSend: RelayerOptions["afterSend"];
  readonly #funds: InsufficientFundsAlarm;
  readonly #refusedBatches = new Set<string>();
  /** When this relayer first saw each batch at the threshold (for `submitGraceMs`). */
  readonly #atThresholdSince = new Map<string, number>();
  /** When this relayer last recorded a new request, per source side (for `batchWaitMs`). */
  readonly #lastFreshRequest: Record<Side, number> = { parent: 0, child: 0 };
  /** When this relayer first held back each window that is not full, by `side:window` (for `batchWaitMs`). */
  readonly #partialSince = new Map<string, number>();
  /** The batches this relayer declined to sign as conflicting with one it signed (logged once each). */
  readonly #conflicting = new Set<string>();
  /** Whether the last step held back a window that is not full, per source side (`runOnce` waits for it). */
  readonly #holdingPartial: Record<Side, boolean> = { parent: false, child: false };
  /** The gas the signed batches this relayer sent used, per destination side (see `#batchGasLimit`). */
  readonly #batchGas: Record<Side, BatchGas> = { parent: newBatchGas(), child: newBatchGas() };
  #anchorer?: Anchorer;
  #recovery?: TransferRecoveryWorker;
  /** Logs each refused signature file once. */
  readonly #badFile: (file: string, reason: string) => void;
  /** Creates the recovery worker (tried again at each step while a chain does not answer). */
  #createRecovery?: () => Promise<TransferRecoveryWorker | undefined>;
  /** Whether the recovery worker is still to be created: a chain did not answer when it was first tried. */
  #recoveryPending = false;
  /** The batches short of the threshold in the last step, with how many signatures each lacks (for the wait line). */
  readonly #missingSignatures = new Map<string, number>();
  /** The request logs reported as unreadable or relayed with a change, by tx and reason (each logged once). */
  readonly #requestProblems = new Set<string>();
  /** Reports a request log that cannot be relayed as it is (see `RequestProblem`), once; the scan goes on. */
  readonly #onRequestProblem = (problem: RequestProblem): void => {
    const key = `${problem.source}:${problem.txHash}:${problem.reason}`;
    if (this.#requestProblems.has(key)) return;
    if (this.#requestProblems.size >= 10_000) this.#requestProblems.clear();
    this.#requestProblems.add(key);
    if (!problem.relayed) this.#unrelayable[problem.source] += 1;
    this.#log.log(problem.relayed ? "warn" : "error", problem.relayed ? "request-changed" : "request-unreadable", {
      direction: direction(problem.source),
      nonce: problem.requestNonce,
      block: problem.blockNumber,
      tx: problem.txHash,
      reason: problem.reason,
      action: problem.relayed ? "relayed" : "skipped",
    });
  };
  /** Request logs of each source this relayer could not read (skipped), since it started. */
  readonly #unrelayable: Record<Side, number> = { parent: 0, child: 0 };

  private constructor(operator: string, store: RelayerStore, sides: Record<Side, SideContext>, options: RelayerOptions) {
    this.operator = operator;
    this.store = store;
    this.#sides = sides;
    this.#options = {
      batchSize: options.batchSize ?? 100,
      batchWaitMs: options.batchWaitMs ?? 1000,
      signatureWaitMs: options.signatureWaitMs ?? 30_000,
      submitGraceMs: options.submitGraceMs ?? 0,
      anchorEvery: options.anchorEvery ?? 0,
      maxAnchorsPerStep: options.maxAnchorsPerStep ?? 10,
      maxBlockRange: options.maxBlockRange ?? 2000,
      pollIntervalMs: options.pollIntervalMs ?? 1000,
      recoveryIntervalMs: options.recoveryIntervalMs ?? 10_000,
      failureBackoffMs: options.failureBackoffMs ?? 1000,
      retry: options.retry ?? DEFAULT_RETRY,
    };
    this.#log = options.logger ?? silentLogger;
    this.#now = options.now ?? Date.now;
    this.#afterSend = options.afterSend;
    this.#funds = new InsufficientFundsAlarm(operator, this.#log);
    this.#badFile = badFileReporter(this.#log);
  }

  /** Connects to both chains, checks that the signer is the same operator on both, and opens the store. */
  static async create(options: RelayerOptions): Promise<Relayer> {
    const operator = getAddress(await options.parent.signer.getAddress());
    const childOperator = getAddress(await options.child.signer.getAddress());
    if (operator !== childOperator) {
      throw new Error(`the parent signer ${operator} and the child signer ${childOperator} must be the same operator`);
    }
    const sides = {} as Record<Side, SideContext>;
    const exchange = options.exchange ?? (options.signatureDir === undefined ? undefined : directoryWiring(options.signatureDir));
    for (const side of ["parent", "child"] as const) {
      const endpoint = options[side];
      const provider = endpoint.signer.provider;
      if (provider === null || provider === undefined) throw new Error(`the ${side} signer has no provider`);
      const bridgeAddress = getAddress(endpoint.bridge);
      const bridge = Bridge__factory.connect(bridgeAddress, endpoint.signer);
      const { chainId } = await provider.getNetwork();
      const code = await provider.getCode(bridgeAddress);
      if (code === "0x") throw new Error(`no contract at the ${side} bridge ${bridgeAddress} (chain ${chainId})`);
      const domain = bridgeDomain(chainId, bridgeAddress);
      const signedPath = exchange !== undefined && code.includes(HANDLE_SIGNED_SELECTOR);
      sides[side] = {
        side,
        endpoint,
        provider,
        bridge,
        bridgeAddress,
        chainId,
        confirmations: endpoint.confirmations ?? 0,
        tokens: new CounterpartTokens(bridge),
        domain,
        signedPath,
      };
    }
    // the deployed blocks' hashes tell a chain that was reset and redeployed alike from the one the store knew
    const blockHash = async (side: Side) => {
      const block = await sides[side].provider.getBlock(options[side].deployedBlock);
      return block?.hash ?? "none";
    };
    const identity: DeploymentIdentity = {
      parent: {
        chainId: sides.parent.chainId,
        bridge: sides.parent.bridgeAddress,
        deployedBlock: options.parent.deployedBlock,
        deployedBlockHash: await blockHash("parent"),
        anchoringReceiver: options.parent.anchoringReceiver,
      },
      child: {
        chainId: sides.child.chainId,
        bridge: sides.child.bridgeAddress,
        deployedBlock: options.child.deployedBlock,
        deployedBlockHash: await blockHash("child"),
      },
    };
    let store: RelayerStore;
    let setAside: SetAsideStore | undefined;
    if (typeof options.store === "string") {
      ({ store, setAside } = openBoundStore(options.store, identity));
    } else {
      store = options.store;
      const problem = bindStore(store, identity);
      if (problem !== undefined) throw new Error(`the relayer's store belongs to another deployment: ${problem}`);
    }
    for (const side of ["parent", "child"] as const) {
      if (exchange === undefined || !sides[side].signedPath) continue;
      const source = otherSide(side);
      sides[side].signatures = exchange.batches({ source, domain: sides[side].domain, requests: storedRequests(store, source) });
    }
    const relayer = new Relayer(operator, store, sides, options);
    if (setAside !== undefined) {
      relayer.#log.log("warn", "store-set-aside", {
        reason: `${setAside.reason}, not this one`,
        movedTo: setAside.movedTo,
        action: "starting a new store: everything is read again from the chains",
      });
    }
    const receiver = options.parent.anchoringReceiver;
    if (receiver !== undefined && relayer.#options.anchorEvery > 0) {
      relayer.#anchorer = await Anchorer.create({
        receiver,
        parentSigner: options.parent.signer,
        parentChainId: sides.parent.chainId,
        childProvider: sides.child.provider,
        childDeployedBlock: options.child.deployedBlock,
        childConfirmations: sides.child.confirmations,
        period: BigInt(relayer.#options.anchorEvery),
        anchorPeriod: BigInt(options.anchorPeriod ?? relayer.#options.anchorEvery),
        maxPerStep: relayer.#options.maxAnchorsPerStep,
        signatureDir: options.signatureDir,
        exchange,
        signatureWaitMs: relayer.#options.signatureWaitMs,
        store,
        log: relayer.#log,
        funds: relayer.#funds,
        now: relayer.#now,
        rpc: (operation) => relayer.#rpc(operation),
        afterSend: options.afterSend,
      });
    }
    relayer.#createRecovery = () =>
      TransferRecoveryWorker.create(
        {
          parent: recoveryChain(sides.parent),
          child: recoveryChain(sides.child),
        },
        store,
        operator,
        {
          failedRetries: options.failedRetries ?? 3,
          cancelHeld: options.cancelHeld ?? false,
          backoffMs: options.payoutRetryBackoffMs ?? 5000,
          signatureWaitMs: relayer.#options.signatureWaitMs,
          maxBlockRange: relayer.#options.maxBlockRange,
          signatureDir: options.signatureDir,
          exchange,
        },
        {
          log: relayer.#log,
          now: relayer.#now,
          rpc: <T>(operation: () => Promise<T>) => relayer.#rpc(operation),
          afterSend: options.afterSend as ((sent: { kind: string; side: Side; nonces: bigint[]; txHash: string }) => unknown) | undefined,
          readRequestTx: async (source, txHash) => {
            const src = sides[source];
            relayer.ingest(
              await relayer.#rpc(() => readRequestsOfTx(source, src.bridge, src.tokens, src.provider, txHash, relayer.#onRequestProblem)),
            );
          },
        },
      );
    await relayer.#startRecovery();
    for (const side of ["parent", "child"] as const) {
      const destination = sides[otherSide(side)];
      relayer.#log.log("info", "start", {
        operator,
        direction: direction(side),
        path: destination.signedPath ? "signed" : "votes",
        exchange: destination.signedPath ? exchange?.name : undefined,
        from: relayer.store.getCursor(side) ?? options[side].deployedBlock,
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
      if (this.#recoveryPending) this.#log.log("info", "recovery-on", { after: "the chains answered again" });
      this.#recoveryPending = false;
    } catch (error) {
      if (!this.#recoveryPending) {
        this.#log.log("warn", "recovery-waiting", { reason: describeError(error), retry: "next step" });
      }
      this.#recoveryPending = true;
    }
  }

  /** Whether this relayer's operator is a current operator of `side`'s bridge. */
  async isOperator(side: Side): Promise<boolean> {
    return this.#rpc(() => this.#sides[side].bridge.operators(this.operator));
  }

  /** Closes the store. */
  close(): void {
    this.store.close();
  }

  // ---------------------------------------------------------------- reading requests

  /** The requests of `side`'s bridge in blocks `fromBlock..toBlock`, without recording them. */
  async fetchRequests(side: Side, fromBlock: number, toBlock: number): Promise<TransferRequest[]> {
    const context = this.#sides[side];
    return this.#rpc(() =>
      readRequests(
        side,
        context.bridge,
        context.tokens,
        context.provider,
        fromBlock,
        toBlock,
        this.#options.maxBlockRange,
        this.#onRequestProblem,
      ),
    );
  }

  /**
   * Records `requests` as seen (known ones are left as they are), and, with `cursor`, moves that chain's cursor in
   * the same transaction. Returns the requests that were new.
   */
  ingest(requests: TransferRequest[], cursor?: { side: Side; block: number }): TransferRequest[] {
    const bySide = new Map<Side, TransferRequest[]>([
      ["parent", []],
      ["child", []],
    ]);
    for (const request of requests) bySide.get(request.source)?.push(request);
    const fresh: TransferRequest[] = [];
    for (const side of ["parent", "child"] as const) {
      const list = bySide.get(side) ?? [];
      const block = cursor?.side === side ? cursor.block : undefined;
      if (list.length === 0 && block === undefined) continue;
      fresh.push(...this.store.recordScan(side, list, block));
    }
    for (const request of fresh) this.#logRequest(request);
    for (const request of fresh) this.#lastFreshRequest[request.source] = this.#now();
    return fresh;
  }

  /** Reads the requests of both bridges from the cursors up to the confirmed heads. Returns how many were new. */
  async poll(): Promise<number> {
    let fresh = 0;
    for (const side of ["parent", "child"] as const) {
      const context = this.#sides[side];
      const head = await this.#rpc(() => context.provider.getBlockNumber());
      const safe = head - context.confirmations;
      let from = (this.store.getCursor(side) ?? context.endpoint.deployedBlock - 1) + 1;
      while (from <= safe) {
        const to = Math.min(safe, from + this.#options.maxBlockRange - 1);
        const requests = await this.fetchRequests(side, from, to);
        await this.#loadUnits(requests);
        fresh += this.ingest(requests, { side, block: to }).length;
        from = to + 1;
      }
    }
    return fresh;
  }

  /**
   * Value transfer recovery: compares each source `requestNonce` with the destination's handled nonces and reads
   * the source logs again, from the destination's `recoveryBlockNumber`, for every unhandled nonce the store lacks.
   * Returns how many requests it found again.
   */
  async recover(): Promise<number> {
    let found = 0;
    for (const source of ["parent", "child"] as const) {
      const src = this.#sides[source];
      const dest = this.#sides[otherSide(source)];
      const requested = await this.#rpc(() => src.bridge.requestNonce());
      const lower = await this.#rpc(() => dest.bridge.lowerHandleNonce());
      const upper = await this.#rpc(() => dest.bridge.upperHandleNonce());
      const missing = new Set<bigint>();
      const limit = lower + 10_000n < requested ? lower + 10_000n : requested;
      for (let nonce = lower; nonce < limit; nonce++) {
        const handled = nonce <= upper && (await this.#rpc(() => dest.bridge.isHandled(nonce)));
        if (handled) continue;
        const stored = this.store.getTransfer(source, nonce);
        if (stored === undefined) missing.add(nonce);
        else if (stored.state === "done") {
          // recorded as done, yet the destination does not have it (a reorg): what the store holds is not trusted;
          // the request is read again from the source chain's confirmed logs (and is not relayed if it is gone)
          this.store.forgetTransfers(source, [nonce]);
          missing.add(nonce);
          this.#log.log("warn", "reopen", { direction: direction(source), nonce, action: "read again from the source" });
        }
      }
      if (missing.size === 0) continue;
      const fromBlock = Number(await this.#rpc(() => dest.bridge.recoveryBlockNumber()));
      const head = (await this.#rpc(() => src.provider.getBlockNumber())) - src.confirmations;
      this.#log.log("info", "recover", {
        direction: direction(source),
        missing: [...missing].join(","),
        fromBlock,
        toBlock: head,
      });
      const requests = (await this.fetchRequests(source, Math.max(fromBlock, 0), head)).filter((request) =>
        missing.has(request.requestNonce),
      );
      found += this.ingest(requests).length;
    }
    return found;
  }

  // ---------------------------------------------------------------- handling

  /** Moves every pending transfer of both directions one step on. */
  async processPending(): Promise<ProcessReport> {
    const report = emptyReport();
    // what each batch short of the threshold lacks, as this step finds it (for the wait line)
    this.#missingSignatures.clear();
    for (const source of ["parent", "child"] as const) {
      await this.#processDirection(source, report);
    }
    const recovery = await this.recoverTransfers();
    report.payoutFailures += recovery.payoutFailures;
    report.held += recovery.held;
    report.retryFailures += recovery.retryFailures;
    report.unrelayable += this.#unrelayable.parent + this.#unrelayable.child;
    this.#unrelayable.parent = 0;
    this.#unrelayable.child = 0;
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

  async #processDirection(source: Side, report: ProcessReport): Promise<void> {
    const src = this.#sides[source];
    const dest = this.#sides[otherSide(source)];
    let pending = this.store.pendingTransfers(source);
    if (pending.length === 0) return;

    // 1. what the destination handled already, by any path and any relayer
    pending = await this.#settleHandled(source, pending, report);
    if (pending.length === 0) return;

    // 2. only confirmed requests go on
    const head = await this.#rpc(() => src.provider.getBlockNumber());
    const confirmed = pending.filter(
      (transfer) => Number(transfer.request.requestBlockNumber) + src.confirmations <= head,
    );
    report.waiting += pending.length - confirmed.length;

    // 3. a vote or batch this relayer sent before it stopped: find out what became of it
    const active: StoredTransfer[] = [];
    for (const transfer of confirmed) active.push(await this.#resumeInFlight(source, transfer));

    // 4. the signed path, when the destination has it and signatures are exchanged
    if (dest.signedPath) await this.#signedStep(source, active, report);

    // 5. votes: without the signed path, after a failure, or when signatures did not come in time
    const now = this.#now();
    const toVote = this.store.pendingTransfers(source).filter((transfer) => {
      if (Number(transfer.request.requestBlockNumber) + src.confirmations > head) return false;
      if (transfer.state === "seen") return !dest.signedPath;
      if (transfer.state === "failed") return transfer.retryAt <= now;
      if (transfer.state === "signed") {
        if ((transfer.signedAt ?? 0) + this.#options.signatureWaitMs > now) return false;
        this.#log.log("info", "fallback", {
          direction: direction(source),
          nonce: transfer.request.requestNonce,
          reason: "signatures did not arrive in time",
        });
        return true;
      }
      return false;
    });
    if (toVote.length > 0) {
      const checked = await this.#checkSource(source, toVote.map((transfer) => toSignedTransfer(transfer.request)));
      const confirmed = new Set(checked.confirmed.map((transfer) => transfer.requestNonce));
      for (const transfer of toVote) {
        if (confirmed.has(transfer.request.requestNonce)) await this.#vote(source, transfer, report);
      }
    }

    report.waiting += this.store
      .pendingTransfers(source)
      .filter((transfer) => transfer.state === "voted" || transfer.state === "signed").length;
  }

  /**
   * Marks done what the destination handled; returns the rest. Below `lowerHandleNonce` everything is handled; above
   * it, the transfers waiting for one signed batch are asked about one at a time only once one of them is handled
   * (a batch executes as a whole), so that a batch executed ahead of the others costs a few calls, not one per nonce.
   */
  async #settleHandled(source: Side, pending: StoredTransfer[], report: ProcessReport): Promise<StoredTransfer[]> {
    const dest = this.#sides[otherSide(source)];
    const lower = await this.#rpc(() => dest.bridge.lowerHandleNonce());
    const upper = await this.#rpc(() => dest.bridge.upperHandleNonce());
    const handled: bigint[] = [];
    const rest: StoredTransfer[] = [];
    const unhandledBatches = new Set<string>();
    for (const transfer of pending) {
      const nonce = transfer.request.requestNonce;
      const batch = transfer.state === "signed" || transfer.state === "submitted" ? transfer.batchDigest : null;
      let done = nonce < lower;
      if (!done && nonce <= upper && (batch === null || !unhandledBatches.has(batch))) {
        done = await this.#rpc(() => dest.bridge.isHandled(nonce));
        if (!done && batch !== null) unhandledBatches.add(batch);
      }
      if (done) handled.push(nonce);
      else rest.push(transfer);
    }
    if (handled.length > 0) {
      this.store.updateTransfers(source, handled, { state: "done", lastError: null });
      report.handled += handled.length;
      for (const nonce of handled) this.#log.log("info", "handled", { direction: direction(source), nonce });
    }
    return rest;
  }

  /** For a transfer left `voting` or `submitted` by a previous run: what the chain says became of it. */
  async #resumeInFlight(source: Side, transfer: StoredTransfer): Promise<StoredTransfer> {
    const dest = this.#sides[otherSide(source)];
    const nonce = transfer.request.requestNonce;
    if (transfer.state === "voting") {
      const voted = await this.#findOwnVote(source, nonce, transfer.voteFromBlock ?? dest.endpoint.deployedBlock);
      const update = voted !== undefined ? { state: "voted" as const, voteTx: voted } : { state: "seen" as const };
      this.store.updateTransfer(source, nonce, update);
      this.#log.log("info", "resume", { direction: direction(source), nonce, vote: voted ?? "not found, votes again" });
      return { ...transfer, ...update };
    }
    if (transfer.state === "submitted" && transfer.submitTx !== null) {
      const receipt = await this.#rpc(() => dest.provider.getTransactionReceipt(transfer.submitTx as string));
      if (receipt === null || receipt.status !== 1) {
        this.store.updateTransfer(source, nonce, { state: "signed", submitTx: null });
        return { ...transfer, state: "signed", submitTx: null };
      }
    }
    return transfer;
  }

  /** This operator's vote for `nonce` on the destination (its `VoteCast` event), from `fromBlock` on. */
  async #findOwnVote(source: Side, nonce: bigint, fromBlock: number): Promise<string | undefined> {
    const dest = this.#sides[otherSide(source)];
    const filter = dest.bridge.filters.VoteCast(0, nonce, this.operator);
    const events = await this.#rpc(() => dest.bridge.queryFilter(filter, fromBlock, "latest"));
    return events.length > 0 ? events[events.length - 1].transactionHash : undefined;
  }

  /** Sends this operator's vote for one transfer. */
  async #vote(source: Side, transfer: StoredTransfer, report: ProcessReport): Promise<void> {
    const dest = this.#sides[otherSide(source)];
    const request = transfer.request;
    const nonce = request.requestNonce;
    const fromBlock = await this.#rpc(() => dest.provider.getBlockNumber());
    this.store.updateTransfer(source, nonce, { state: "voting", voteFromBlock: fromBlock });
    let tx: ContractTransactionResponse;
    try {
      tx = await this.#sendVote(dest.bridge, request);
    } catch (error) {
      this.#onSendError(source, [transfer], error, "vote", report);
      return;
    }
    await this.#afterSend?.({ kind: "vote", side: dest.side, nonces: [nonce], txHash: tx.hash });
    this.store.updateTransfer(source, nonce, { voteTx: tx.hash });
    try {
      const receipt = await tx.wait();
      if (receipt === null || receipt.status !== 1) throw new Error(`vote ${tx.hash} failed`);
    } catch (error) {
      this.#onSendError(source, [transfer], error, "vote", report);
      return;
    }
    this.#funds.clear(dest.side);
    this.store.updateTransfer(source, nonce, { state: "voted", lastError: null });
    report.votes += 1;
    this.#log.log("info", "vote", {
      direction: direction(source),
      nonce,
      asset: assetName(request),
      amount: this.#amount(request),
      value: request.valueOrTokenId,
      to: request.to,
      tx: tx.hash,
    });
    if (await this.#rpc(() => dest.bridge.isHandled(nonce))) {
      this.store.updateTransfer(source, nonce, { state: "done" });
      report.handled += 1;
      this.#log.log("info", "handled", { direction: direction(source), nonce, tx: tx.hash });
    }
  }

  /** The Klaytn-compatible handle call of `request`, with exactly its fields. */
  #sendVote(bridge: Bridge, request: TransferRequest): Promise<ContractTransactionResponse> {
    const nonce = request.requestNonce;
    const block = request.requestBlockNumber;
    if (request.tokenType === TokenType.KLAY) {
      return bridge.handleKLAYTransfer(
        request.requestTxHash,
        request.from,
        request.to,
        request.valueOrTokenId,
        nonce,
        block,
        request.extraData,
      );
    }
    if (request.tokenType === TokenType.KIP7) {
      return bridge.handleERC20Transfer(
        request.requestTxHash,
        request.from,
        request.to,
        request.tokenAddress,
        request.valueOrTokenId,
        nonce,
        block,
        request.extraData,
      );
    }
    return bridge.handleERC721Transfer(
      request.requestTxHash,
      request.from,
      request.to,
      request.tokenAddress,
      request.valueOrTokenId,
      nonce,
      block,
      request.tokenURI,
      request.extraData,
    );
  }

  /** Sorts out a failed send: done, retry later, or failed with the decoded reason. */
  #onSendError(source: Side, transfers: StoredTransfer[], error: unknown, kind: string, report: ProcessReport): void {
    const dest = this.#sides[otherSide(source)];
    const nonces = transfers.map((transfer) => transfer.request.requestNonce);
    const revert = decodeRevert(error, dest.bridge.interface);
    if (isAlreadyHandled(revert)) {
      this.store.updateTransfers(source, nonces, { state: "done", lastError: null });
      report.handled += nonces.length;
      for (const nonce of nonces) {
        this.#log.log("info", "handled", { direction: direction(source), nonce, by: "another relayer" });
      }
      return;
    }
    const now = this.#now();
    if (isInsufficientFunds(error)) {
      this.#funds.report(dest.side, "transactions");
      const back = kind === "vote" ? ("seen" as const) : ("signed" as const);
      this.store.updateTransfers(source, nonces, { state: back, retryAt: now + this.#options.failureBackoffMs });
      return;
    }
    if (revert === undefined && isTransientRpcError(error)) {
      this.#log.log("warn", "retry", { direction: direction(source), nonces: nonces.join(","), error: describeError(error) });
      const back = kind === "vote" ? ("seen" as const) : ("signed" as const);
      this.store.updateTransfers(source, nonces, { state: back, retryAt: now + this.#options.failureBackoffMs });
      return;
    }
    const reason = revert?.text ?? describeError(error);
    for (const transfer of transfers) {
      const attempts = transfer.attempts + 1;
      this.store.updateTransfer(source, transfer.request.requestNonce, {
        state: "failed",
        lastError: reason,
        attempts,
        retryAt: now + Math.min(this.#options.failureBackoffMs * 2 ** Math.min(attempts - 1, 16), MAX_FAILURE_BACKOFF_MS),
      });
    }
    report.failed += transfers.length;
    this.#log.log("error", `${kind}-failed`, {
      direction: direction(source),
      nonces: nonces.join(","),
      error: reason,
      retry: "later",
    });
  }

  // ---------------------------------------------------------------- signed path

  async #signedStep(source: Side, active: StoredTransfer[], report: ProcessReport): Promise<void> {
    const dest = this.#sides[otherSide(source)];
    const directory = dest.signatures as SignatureExchange<BatchSignature>;
    const onInvalid = this.#badFile;
    const threshold = Number(await this.#rpc(() => dest.bridge.operatorThresholds(VoteType.ValueTransfer)));
    // the designated submitter of every batch: the current operator with the lowest address, so that one relayer
    // sends the batches, in nonce order (batches mined out of order cost more gas and can fail their estimate); the
    // others take over after `submitGraceMs`
    const designated =
      this.#options.submitGraceMs > 0 &&
      [...(await this.#rpc(() => dest.bridge.getOperatorList()))].map((a) => a.toLowerCase()).sort()[0] ===
        this.operator.toLowerCase();
    const isOperator = new Map<string, boolean>();
    // the signatures of current operators of the destination, one per operator: thresholds count these only
    const current = async (signatures: BatchSignature[]): Promise<BatchSignature[]> => {
      const entries: BatchSignature[] = [];
      for (const entry of distinctSigners(signatures)) {
        if (!isOperator.has(entry.signer)) {
          isOperator.set(entry.signer, await this.#rpc(() => dest.bridge.operators(entry.signer)));
        }
        if (isOperator.get(entry.signer) === true) entries.push(entry);
      }
      return entries;
    };

    // the batches proposed so far (by any operator, this one included), the preferred first (see `preferredBatch`)
    const known = new Map<string, BatchSignature[]>();
    const bounds = {
      lower: await this.#rpc(() => dest.bridge.lowerHandleNonce()),
      upper: await this.#rpc(() => dest.bridge.upperHandleNonce()),
    };
    for (const digest of await directory.proposals()) {
      const signatures = await directory.read(digest, onInvalid);
      if (signatures.length === 0) continue;
      if (await this.#allHandled(source, signatures[0].transfers, bounds)) {
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
      if (this.#refusedBatches.has(digest)) continue; // refused or reverted: its transfers go by votes
      const signatures = known.get(digest)!;
      const transfers = signatures[0].transfers;
      const enough = async () => {
        const now = await current(await directory.read(digest, onInvalid));
        return now.filter((entry) => entry.signer !== this.operator).length >= threshold;
      };
      if (!signatures.some((entry) => entry.signer === this.operator)) {
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
            if (problem.final) this.#refusedBatches.add(digest);
            this.#log.log("warn", problem.final ? "refuse-batch" : "defer-batch", {
              direction: direction(source),
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
      await this.#submitIfDue(source, digest, await current(signatures), threshold, designated, report);
    }

    // b. propose batches of what nobody proposed yet, window by window (see `batchSize` and `batchWaitMs`)
    const activeNonces = new Set(active.map((transfer) => transfer.request.requestNonce));
    const fresh = this.store
      .pendingTransfers(source)
      .filter((transfer) => transfer.state === "seen" && activeNonces.has(transfer.request.requestNonce));
    this.#holdingPartial[source] = false;
    const proposed: string[] = [];
    for (const part of this.#readyWindows(source, fresh)) {
      // first the batches proposed in this step that others signed meanwhile, lowest nonces first
      for (const earlier of proposed) {
        const signatures = await current(await directory.read(earlier, onInvalid));
        await this.#submitIfDue(source, earlier, signatures, threshold, designated, report);
      }
      const transfers = part.map((transfer) => toSignedTransfer(transfer.request));
      const digest = batchDigest(dest.domain, transfers).toLowerCase();
      // the same batch, proposed meanwhile by another operator's relayer
      const others = (await directory.read(digest, onInvalid)).filter((entry) => entry.signer !== this.operator);
      if ((await current(others)).length >= threshold) {
        this.#follow(source, digest, transfers);
        await this.#submitIfDue(source, digest, await current(others), threshold, designated, report);
        continue;
      }
      // what this relayer proposes it has just read from the source's confirmed logs, or it proposes nothing
      if ((await this.#checkSource(source, transfers)).confirmed.length !== transfers.length) continue;
      const own = await this.#signAndShare(source, transfers, "sign", digest, async () => {
        const now = await current(await directory.read(digest, onInvalid));
        return now.filter((entry) => entry.signer !== this.operator).length >= threshold;
      });
      if (own === undefined) {
        await this.#submitIfDue(source, digest, await current(await directory.read(digest, onInvalid)), threshold, designated, report);
        continue;
      }
      const signatures = [...others, own];
      report.signatures += 1;
      known.set(digest, signatures);
      proposed.push(digest);
      await this.#submitIfDue(source, digest, await current(signatures), threshold, designated, report);
    }
  }

  /**
   * The windows of `fresh` (pending transfers nobody proposed to this relayer's knowledge) that are ready to be
   * proposed, each as one batch: a full window at once, a window not full after `batchWaitMs` (see there).
   */
  #readyWindows(source: Side, fresh: StoredTransfer[]): StoredTransfer[][] {
    const size = BigInt(this.#options.batchSize);
    const windows = new Map<bigint, StoredTransfer[]>();
    for (const transfer of fresh) {
      const window = transfer.request.requestNonce / size;
      const list = windows.get(window);
      if (list === undefined) windows.set(window, [transfer]);
      else list.push(transfer);
    }
    const now = this.#now();
    const wait = this.#options.batchWaitMs;
    const ready: StoredTransfer[][] = [];
    for (const [window, part] of windows) {
      const key = `${source}:${window}`;
      const full = this.store.countTransfers(source, window * size, (window + 1n) * size - 1n) >= this.#options.batchSize;
      if (!full && wait > 0) {
        const since = this.#partialSince.get(key) ?? now;
        if (this.#partialSince.size >= 10_000) this.#partialSince.clear();
        this.#partialSince.set(key, since);
        const quiet = now - this.#lastFreshRequest[source] >= wait;
        if (!quiet && now - since < wait * 10) {
          this.#holdingPartial[source] = true;
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
      const stored = this.store.getTransfer(source, transfer.requestNonce);
      if (stored === undefined || (stored.state !== "signed" && stored.state !== "submitted")) continue;
      const other = stored.batchDigest?.toLowerCase();
      if (other !== undefined && other !== digest) others.add(other);
    }
    for (const other of others) {
      const signatures = known.get(other);
      if (signatures === undefined) continue; // gone: handled, or never shared
      if (this.#refusedBatches.has(other)) continue;
      if ((await atThreshold(signatures)) || !preferredBatch(digest, transfers, other, signatures[0].transfers)) {
        if (!this.#conflicting.has(digest)) {
          if (this.#conflicting.size >= 10_000) this.#conflicting.clear();
          this.#conflicting.add(digest);
          this.#log.log("info", "conflicting-batch", { direction: direction(source), digest, signed: other });
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
      .filter((nonce) => this.store.getTransfer(source, nonce)?.state === "seen");
    this.store.updateTransfers(source, nonces, { state: "signed", batchDigest: digest, signedAt: this.#now() });
  }

  /**
   * Submits batch `digest` when `signatures` (of current operators) reach the threshold and it is this relayer's
   * turn (see `submitGraceMs`).
   */
  async #submitIfDue(
    source: Side,
    digest: string,
    signatures: BatchSignature[],
    threshold: number,
    designated: boolean,
    report: ProcessReport,
  ): Promise<void> {
    if (signatures.length < threshold) {
      this.#missingSignatures.set(digest, threshold - signatures.length);
      return;
    }
    if (this.#refusedBatches.has(digest)) return;
    if (!this.#mySubmitTurn(digest, designated)) return;
    const transfers = signatures[0].transfers;
    if (await this.#allHandled(source, transfers)) {
      await (this.#sides[otherSide(source)].signatures as SignatureExchange<BatchSignature>).remove(digest);
      return;
    }
    const ours = transfers.every((transfer) => this.store.getTransfer(source, transfer.requestNonce) !== undefined);
    if (!ours) return;
    await this.#submitBatch(source, digest, transfers, signatures.slice(0, threshold), report);
  }

  /**
   * Whether this relayer submits batch `digest` now: at once when it is the designated submitter (`designated`) or
   * without `submitGraceMs`, else once the batch has been at the threshold that long.
   */
  #mySubmitTurn(digest: string, designated: boolean): boolean {
    const grace = this.#options.submitGraceMs;
    if (grace <= 0 || designated) return true;
    const now = this.#now();
    const since = this.#atThresholdSince.get(digest);
    if (since === undefined) {
      if (this.#atThresholdSince.size > 10_000) this.#atThresholdSince.clear();
      this.#atThresholdSince.set(digest, now);
      return false;
    }
    return now - since >= grace;
  }

  /**
   * Signs `transfers` as this operator, writes the signature file and records the transfers as signed. With
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
    const dest = this.#sides[otherSide(source)];
    const digest = known ?? batchDigest(dest.domain, transfers);
    const signature = await signBatch(dest.endpoint.signer, dest.domain, transfers, digest);
    if (enough !== undefined && (await enough())) {
      this.#follow(source, digest, transfers);
      return undefined;
    }
    const entry: BatchSignature = { digest, signer: this.operator, signature, transfers };
    await (dest.signatures as SignatureExchange<BatchSignature>).post(entry);
    // the transfers not signed yet, and those of a version this operator leaves for this one (see `#maySign`)
    const nonces = transfers
      .map((transfer) => this.store.getTransfer(source, transfer.requestNonce))
      .filter((stored) => stored?.state === "seen" || (stored?.state === "signed" && stored.batchDigest !== digest))
      .map((stored) => (stored as StoredTransfer).request.requestNonce);
    this.store.updateTransfers(source, nonces, { state: "signed", batchDigest: digest, signedAt: this.#now() });
    this.#log.log("info", action, {
      direction: direction(source),
      digest,
      nonces: transfers.map((transfer) => transfer.requestNonce).join(","),
    });
    return entry;
  }

  /**
   * Why this operator will not sign `transfers` (undefined when every one is a confirmed request exactly as the
   * source bridge emitted it, by its store and by the source's logs read now); `final` when that will not change.
   */
  async #checkBatch(source: Side, transfers: SignedTransfer[]): Promise<{ reason: string; final: boolean } | undefined> {
    const src = this.#sides[source];
    for (const transfer of transfers) {
      let stored = this.store.getTransfer(source, transfer.requestNonce);
      if (stored === undefined) {
        // not seen yet: read the request from the transaction it names
        const requests = await this.#rpc(() =>
          readRequestsOfTx(source, src.bridge, src.tokens, src.provider, transfer.requestTxHash, this.#onRequestProblem),
        );
        this.ingest(requests);
        stored = this.store.getTransfer(source, transfer.requestNonce);
      }
      const nonce = transfer.requestNonce;
      if (stored === undefined) return { reason: `nonce ${nonce}: no such request on the ${source} bridge`, final: false };
      if (!sameTransfer(toSignedTransfer(stored.request), transfer)) {
        return { reason: `nonce ${nonce}: fields differ from the request on the ${source} bridge`, final: true };
      }
    }
    // the store agrees with the proposal: the source's logs, read now, must too, with its confirmations
    const atSource = await this.#checkSource(source, transfers);
    const [stale] = atSource.stale;
    if (stale !== undefined) return { reason: stale.reason, final: true };
    const [unconfirmed] = atSource.unconfirmed;
    if (unconfirmed !== undefined) return { reason: `nonce ${unconfirmed}: not confirmed yet`, final: false };
    return undefined;
  }

  /**
   * Reads `transfers` again from the source bridge's logs (`checkAtSource`) before this operator approves them. The
   * stale ones (gone or changed at the source: a reorg, or a store of another deployment) are forgotten, so that the
   * scan and `recover` read them again, and reported once each.
   */
  async #checkSource(source: Side, transfers: SignedTransfer[]): Promise<SourceCheck> {
    const src = this.#sides[source];
    const checked = await checkAtSource(
      {
        side: source,
        bridge: src.bridge,
        tokens: src.tokens,
        provider: src.provider,
        confirmations: src.confirmations,
        maxBlockRange: this.#options.maxBlockRange,
        rpc: (operation) => this.#rpc(operation),
        onProblem: this.#onRequestProblem,
      },
      transfers,
    );
    if (checked.stale.length > 0) {
      // only the store's own copy is forgotten (a peer's forged version of a transfer never erases the real one)
      const given = new Map(transfers.map((transfer) => [transfer.requestNonce, transfer]));
      const stored = checked.stale.filter((entry) => {
        const record = this.store.getTransfer(source, entry.nonce);
        const transfer = given.get(entry.nonce);
        return record !== undefined && transfer !== undefined && sameTransfer(toSignedTransfer(record.request), transfer);
      });
      this.store.forgetTransfers(source, stored.map((entry) => entry.nonce));
      for (const entry of checked.stale) {
        this.#log.log("warn", "stale-request", {
          direction: direction(source),
          nonce: entry.nonce,
          reason: entry.reason,
          action: "not approved; read again from the source",
        });
      }
    }
    return checked;
  }

  /**
   * Whether the destination handled every one of `transfers`; `bounds`: its `lowerHandleNonce` and
   * `upperHandleNonce` as read earlier in the step (they only grow), else read now.
   */
  async #allHandled(
    source: Side,
    transfers: SignedTransfer[],
    bounds?: { lower: bigint; upper: bigint },
  ): Promise<boolean> {
    const dest = this.#sides[otherSide(source)];
    const upper = bounds?.upper ?? (await this.#rpc(() => dest.bridge.upperHandleNonce()));
    const lower = bounds?.lower ?? (await this.#rpc(() => dest.bridge.lowerHandleNonce()));
    if (transfers.some((transfer) => transfer.requestNonce > upper && transfer.requestNonce !== 0n)) return false;
    for (const transfer of transfers) {
      if (transfer.requestNonce < lower) continue;
      if (this.store.getTransfer(source, transfer.requestNonce)?.state === "done") continue;
      if (!(await this.#rpc(() => dest.bridge.isHandled(transfer.requestNonce)))) return false;
    }
    return true;
  }

  /** Sends `handleSignedTransfers` for one batch. */
  async #submitBatch(
    source: Side,
    digest: string,
    transfers: SignedTransfer[],
    signatures: BatchSignature[],
    report: ProcessReport,
  ): Promise<void> {
    const dest = this.#sides[otherSide(source)];
    const nonces = transfers.map((transfer) => transfer.requestNonce);
    const stored = nonces
      .map((nonce) => this.store.getTransfer(source, nonce))
      .filter((transfer): transfer is StoredTransfer => transfer !== undefined && transfer.state !== "done");
    const request = {
      to: dest.bridgeAddress,
      data: encodeHandleSignedTransfers(transfers, packSignatures(signatures)),
    };
    const signer = dest.endpoint.signer;
    const learnt = await this.#batchGasLimit(source, transfers);
    let tx: TransactionResponse;
    try {
      // headroom over the estimate: a batch mined after another one may move `lowerHandleNonce` further on (up to
      // 200 nonces) than the estimate saw, and a batch that runs out of gas goes the slow way, by votes
      const gasLimit = learnt ?? withGasHeadroom(await signer.estimateGas(request));
      tx = await signer.sendTransaction({ ...request, gasLimit });
    } catch (error) {
      await this.#onBatchError(source, digest, stored, error, report, learnt !== undefined ? request : undefined);
      return;
    }
    await this.#afterSend?.({ kind: "batch", side: dest.side, nonces, txHash: tx.hash });
    this.store.updateTransfers(
      source,
      stored.map((transfer) => transfer.request.requestNonce),
      { state: "submitted", submitTx: tx.hash },
    );
    let receipt: TransactionReceipt | null;
    try {
      receipt = await tx.wait();
      if (receipt === null || receipt.status !== 1) throw new Error(`batch ${tx.hash} failed`);
    } catch (error) {
      await this.#onBatchError(source, digest, stored, error, report, learnt !== undefined ? request : undefined);
      return;
    }
    this.#funds.clear(dest.side);
    if (learnt === undefined) this.#learnBatchGas(source, transfers, receipt);
    const executed = stored.map((transfer) => transfer.request.requestNonce);
    this.store.updateTransfers(source, executed, { state: "done", lastError: null });
    report.batches += 1;
    report.handled += executed.length;
    this.#log.log("info", "submit", {
      direction: direction(source),
      digest,
      transfers: transfers.length,
      signatures: signatures.length,
      tx: tx.hash,
    });
    await (dest.signatures as SignatureExchange<BatchSignature>).remove(digest);
  }

  /**
   * The gas limit of a batch of `source`'s transfers from what earlier batches used (`BatchGas`), with the same
   * headroom as over an estimate; undefined when the batch must be estimated: not only KIP7 transfers of known tokens
   * to known recipients with no more extra data than before, or not the next batch in nonce order (a batch handled
   * ahead of `lowerHandleNonce` records each nonce, which costs more).
   */
  async #batchGasLimit(source: Side, transfers: SignedTransfer[]): Promise<bigint | undefined> {
    const gas = this.#batchGas[otherSide(source)];
    if (gas.perTransfer === 0n) return undefined;
    for (const transfer of transfers) {
      if (transfer.tokenType !== TokenType.KIP7 || transfer.extraData.length > gas.extraDataLength) return undefined;
      if (!gas.tokens.has(transfer.tokenAddress.toLowerCase()) || !gas.recipients.has(transfer.to.toLowerCase())) {
        return undefined;
      }
    }
    const first = transfers.reduce((low, transfer) => (transfer.requestNonce < low ? transfer.requestNonce : low), 2n ** 64n);
    const lower = await this.#rpc(() => this.#sides[otherSide(source)].bridge.lowerHandleNonce());
    if (first !== lower) return undefined;
    // an estimate already leaves the payout's gas budget free at the last transfer; a limit learnt from what earlier
    // batches used must add it (`TokenCalls.PAYOUT_GAS` and the failure record: the bridge refuses a payout with less)
    return (gas.perTransfer * BigInt(transfers.length) * 3n) / 2n + PAYOUT_RESERVE;
  }

  /**
   * Records the gas of a batch sent with an estimate, when it was all KIP7 transfers and it executed every one of them
   * (a transfer handled meanwhile by another batch costs next to nothing, and would lower the figure).
   */
  #learnBatchGas(source: Side, transfers: SignedTransfer[], receipt: TransactionReceipt): void {
    if (transfers.some((transfer) => transfer.tokenType !== TokenType.KIP7)) return;
    const dest = this.#sides[otherSide(source)];
    const handleTopic = dest.bridge.interface.getEvent("HandleValueTransfer").topicHash;
    const bridge = dest.bridgeAddress.toLowerCase();
    const executed = receipt.logs.filter((log) => log.address.toLowerCase() === bridge && log.topics[0] === handleTopic);
    if (executed.length !== transfers.length) return;
    const gas = this.#batchGas[dest.side];
    const perTransfer = (receipt.gasUsed + BigInt(transfers.length) - 1n) / BigInt(transfers.length);
    if (perTransfer > gas.perTransfer) gas.perTransfer = perTransfer;
    if (gas.tokens.size + gas.recipients.size > 10_000) Object.assign(gas, newBatchGas());
    for (const transfer of transfers) {
      gas.tokens.add(transfer.tokenAddress.toLowerCase());
      gas.recipients.add(transfer.to.toLowerCase());
      if (transfer.extraData.length > gas.extraDataLength) gas.extraDataLength = transfer.extraData.length;
    }
  }

  /**
   * A batch that reverted: its transfers go the vote way, which isolates the one that fails. A batch sent with a
   * gas limit from `BatchGas` (`request`) that would succeed with an estimate ran out of gas: the figure is dropped
   * and the batch is sent again with an estimate.
   */
  async #onBatchError(
    source: Side,
    digest: string,
    transfers: StoredTransfer[],
    error: unknown,
    report: ProcessReport,
    request?: { to: string; data: string },
  ): Promise<void> {
    const dest = this.#sides[otherSide(source)];
    const revert = decodeRevert(error, dest.bridge.interface);
    if (isInsufficientFunds(error) || (revert === undefined && isTransientRpcError(error))) {
      this.#onSendError(source, transfers, error, "batch", report);
      return;
    }
    if (request !== undefined) {
      this.#batchGas[dest.side] = newBatchGas();
      try {
        await dest.endpoint.signer.estimateGas(request);
        const nonces = transfers.map((transfer) => transfer.request.requestNonce);
        this.store.updateTransfers(source, nonces, { state: "signed", submitTx: null });
        this.#log.log("warn", "batch-out-of-gas", { direction: direction(source), digest, retry: "with an estimate" });
        return;
      } catch (estimateError) {
        error = estimateError;
      }
    }
    this.#refusedBatches.add(digest);
    const reason = revert?.text ?? describeError(error);
    this.store.updateTransfers(
      source,
      transfers.map((transfer) => transfer.request.requestNonce),
      { state: "failed", lastError: reason, retryAt: this.#now() },
    );
    report.failed += transfers.length;
    this.#log.log("error", "batch-failed", {
      direction: direction(source),
      digest,
      error: reason,
      retry: "with votes",
    });
  }

  // ---------------------------------------------------------------- anchoring

  /**
   * Anchors the child blocks that are due on the parent's AnchoringReceiver (nothing without `anchorEvery` and a
   * receiver). Returns the blocks this relayer anchored or voted for in this step.
   */
  async anchor(): Promise<bigint[]> {
    return this.#anchorer === undefined ? [] : this.#anchorer.anchor();
  }

  // ---------------------------------------------------------------- running

  /**
   * Relays what is pending now and returns: reads new requests, handles them (waiting up to `batchWaitMs` to propose
   * a batch that is not full and up to `signatureWaitMs` for the other operators' signatures, then voting), runs a
   * recovery and the anchoring that is due.
   */
  async runOnce(): Promise<ProcessReport> {
    const total = emptyReport();
    const add = (report: ProcessReport) => {
      for (const key of Object.keys(total) as (keyof ProcessReport)[]) total[key] += report[key];
    };
    await this.poll();
    await this.recover();
    add(await this.processPending());
    const deadline =
      this.#now() + this.#options.batchWaitMs * 10 + this.#options.signatureWaitMs + this.#options.pollIntervalMs;
    if (this.#awaitingSignatures()) {
      // say what the run waits for, once, instead of sitting silent
      const missing = Math.max(0, ...this.#missingSignatures.values());
      const message =
        missing > 0
          ? `waiting up to ${Math.ceil(this.#options.signatureWaitMs / 1000)} s for ${missing} more signature${missing === 1 ? "" : "s"}, then voting instead`
          : `waiting up to ${Math.ceil((this.#options.batchWaitMs * 10) / 1000)} s for a batch still filling, or the other operators' signatures`;
      this.#log.log("info", "wait", { message });
    }
    while (this.#awaitingSignatures() && this.#now() < deadline) {
      await sleep(Math.min(this.#options.pollIntervalMs, 250));
      add(await this.processPending());
    }
    await this.anchor();
    const pending = this.pendingCount();
    // `failed` counts every failure of the run: votes and batches of this relayer, payouts that failed on the
    // destination, retries that failed again, request logs that could not be read
    const failed = total.failed + total.payoutFailures + total.retryFailures + total.unrelayable;
    this.#log.log(failed > 0 ? "warn" : "info", "once", {
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

  #awaitingSignatures(): boolean {
    if (this.#recovery?.awaitingSignatures() === true) return true;
    for (const source of ["parent", "child"] as const) {
      if (this.#holdingPartial[source]) return true;
      if (this.store.pendingTransfers(source).some((transfer) => transfer.state === "signed")) return true;
    }
    return false;
  }

  /** Runs until `signal` aborts: a step every `pollIntervalMs`, a recovery every `recoveryIntervalMs`. */
  async run(signal: AbortSignal): Promise<void> {
    let lastRecovery = 0;
    while (!signal.aborted) {
      try {
        await this.poll();
        if (this.#now() - lastRecovery >= this.#options.recoveryIntervalMs) {
          await this.recover();
          lastRecovery = this.#now();
        }
        await this.processPending();
        await this.anchor();
      } catch (error) {
        this.#log.log("error", "step-failed", { error: describeError(error), retry: "next step" });
      }
      await sleep(this.#options.pollIntervalMs, signal);
    }
    this.#log.log("info", "stop", { operator: this.operator });
  }

  // ---------------------------------------------------------------- helpers

  #rpc<T>(operation: () => Promise<T>): Promise<T> {
    return withRetry(operation, {
      ...this.#options.retry,
      onRetry: (error, attempt, delayMs) =>
        this.#log.log("warn", "rpc-retry", { attempt, delayMs, error: describeError(error) }),
    });
  }

  /** Symbol and decimals of the source tokens, by `side:address` (read once, for the log lines). */
  readonly #units = new Map<string, { symbol: string; decimals: number }>();

  /** Reads the symbol and decimals of the tokens of `requests` not read yet (a token that answers neither: none). */
  async #loadUnits(requests: TransferRequest[]): Promise<void> {
    for (const request of requests) {
      if (request.tokenType === TokenType.KLAY) continue;
      const key = `${request.source}:${request.sourceToken.toLowerCase()}`;
      if (this.#units.has(key)) continue;
      if (this.#units.size >= 10_000) this.#units.clear();
      const token = KIP7Token__factory.connect(request.sourceToken, this.#sides[request.source].provider);
      const symbol = await token.symbol().catch(() => (request.tokenType === TokenType.KIP7 ? "KIP7" : "KIP17"));
      const decimals = request.tokenType === TokenType.KIP7 ? Number(await token.decimals().catch(() => 18n)) : 0;
      // a token's symbol is its own data: printable characters only, bounded
      this.#units.set(key, { symbol: symbol.replace(/[^\x20-\x7e]/g, "?").slice(0, 32), decimals });
    }
  }

  /** The amount of `request` as people read it (`250.0 DMT`, `DNFT #2`), when its token's units are known. */
  #amount(request: TransferRequest): string | undefined {
    if (request.tokenType === TokenType.KLAY) return `${formatUnits(request.valueOrTokenId, 18)} KLAY`;
    const units = this.#units.get(`${request.source}:${request.sourceToken.toLowerCase()}`);
    if (units === undefined) return undefined;
    if (request.tokenType === TokenType.KIP17) return `${units.symbol} #${request.valueOrTokenId}`;
    return `${formatUnits(request.valueOrTokenId, units.decimals)} ${units.symbol}`;
  }

  #logRequest(request: TransferRequest): void {
    const fields: LogFields = {
      direction: direction(request.source),
      nonce: request.requestNonce,
      asset: assetName(request),
      amount: this.#amount(request),
      value: request.valueOrTokenId,
      from: request.from,
      to: request.to,
      block: request.requestBlockNumber,
      tx: request.requestTxHash,
    };
    if (request.tokenType !== TokenType.KLAY && request.tokenAddress === ZeroAddress) {
      fields.warning = "token not registered on the source bridge";
    }
    this.#log.log("info", "request", fields);
  }
}

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

function assetName(request: TransferRequest): string {
  if (request.tokenType === TokenType.KLAY) return "KLAY";
  return `${request.tokenType === TokenType.KIP7 ? "KIP7" : "KIP17"}:${request.sourceToken}`;
}
