/**
 * The gauges of `BridgeMetrics`, read from outside the relayer: the chains (heads, the operator's balances, the
 * anchoring receiver) and the relayer's store (scan cursors, pending transfers, transfers parked as failed, held or
 * cancelled). `refresh` reads everything once, each chain with a time limit, and says whether the relayer is ready:
 * both chains answer and each scan is within `readyLagBlocks` of its confirmed head.
 */
import { formatEther, formatUnits } from "ethers";
import type { Provider } from "ethers";

import { AnchoringReceiver__factory, KIP7Token__factory } from "../contracts.js";
import type { PairDeployment } from "../deployments.js";
import type { RelayerStore } from "../relayer/store.js";
import { TokenType } from "../relayer/types.js";
import type { Side, TransferRequest } from "../relayer/types.js";
import type { BridgeMetrics } from "./metrics.js";
import { SIDES, directionOf as direction } from "./metrics.js";

/** One chain as the observer reads it. */
export interface ObservedChain {
  provider: Provider;
  /** Blocks the relayer waits after a request's block: its scan stops that far behind the head. */
  confirmations: number;
  /** The bridge's deployment block: the scan starts there. */
  deployedBlock: number;
}

export interface ObserverOptions {
  metrics: BridgeMetrics;
  store: Pick<RelayerStore, "getCursor" | "pendingTransfers" | "recoveries" | "getTransfer">;
  operator: string;
  chains: Record<Side, ObservedChain>;
  /** The parent's anchoring receiver, when the pair has one. */
  anchoringReceiver?: string;
  /** Token symbols of the pair's record, by side and address (read from the token otherwise). */
  tokens?: { parent: string; child: string; symbol?: string }[];
  /** Blocks a scan may trail its confirmed head and still be ready (default 20). */
  readyLagBlocks?: number;
  /** How long a chain has to answer a read (default 2000 ms). */
  timeoutMs?: number;
  now?: () => number;
}

/** What `refresh` found: ready, or the reasons why not. */
export interface Health {
  ready: boolean;
  reasons: string[];
}

/** The parked states whose value has not reached anyone yet (paid and refunded ones have). */
const UNPAID = ["failed", "held", "cancelled"] as const;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms (${what})`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function firstLine(error: unknown): string {
  return error instanceof Error ? error.message.split("\n")[0] : String(error);
}

export class RelayerObserver {
  readonly #options: ObserverOptions;
  readonly #readyLag: number;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  /** Request block timestamps (seconds), by `side:block`. */
  readonly #blockTimes = new Map<string, number>();
  /** Token label and decimals, by `side:address`. */
  readonly #units = new Map<string, { label: string; decimals: number }>();
  /** Every (asset, direction) value-in-flight label set so far: set to 0 when nothing of it is in flight. */
  readonly #inFlightLabels = new Map<string, { asset: string; direction: string }>();
  #refreshing?: Promise<Health>;

  constructor(options: ObserverOptions) {
    this.#options = options;
    this.#readyLag = options.readyLagBlocks ?? 20;
    this.#timeoutMs = options.timeoutMs ?? 2000;
    this.#now = options.now ?? Date.now;
    options.metrics.setOperator(options.operator);
    for (const source of SIDES) this.#inFlightLabels.set(`KLAY|${direction(source)}`, { asset: "KLAY", direction: direction(source) });
  }

  /** Reads everything once (callers at the same time share one read). */
  refresh(): Promise<Health> {
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #refresh(): Promise<Health> {
    const reasons: string[] = [];
    await Promise.all([
      ...SIDES.map((side) => this.#readChain(side, reasons)),
      ...SIDES.map((source) => this.#readPending(source, reasons)),
      this.#readAnchors(reasons),
    ]);
    return { ready: reasons.length === 0, reasons: [...new Set(reasons)] };
  }

  /** A read of `side`'s chain with the time limit; a failure counts as an RPC error of that side. */
  async #read<T>(side: Side, what: string, read: () => Promise<T>): Promise<T> {
    try {
      return await withTimeout(read(), this.#timeoutMs, what);
    } catch (error) {
      this.#options.metrics.rpcErrorsTotal.inc({ side });
      throw error;
    }
  }

  async #readChain(side: Side, reasons: string[]): Promise<void> {
    const { metrics, operator, store } = this.#options;
    const chain = this.#options.chains[side];
    let head: number;
    try {
      head = await this.#read(side, "block number", () => chain.provider.getBlockNumber());
      const balance = await this.#read(side, "balance", () => chain.provider.getBalance(operator));
      metrics.operatorBalance.set({ side, address: operator }, Number(formatEther(balance)));
    } catch (error) {
      metrics.chainUp.set({ side }, 0);
      reasons.push(`${side} chain: ${firstLine(error)}`);
      return;
    }
    metrics.chainUp.set({ side }, 1);
    const scanned = store.getCursor(side) ?? chain.deployedBlock - 1;
    const lag = Math.max(0, head - scanned);
    metrics.scannedBlock.set({ side }, scanned);
    metrics.headLagBlocks.set({ side }, lag);
    if (lag > chain.confirmations + this.#readyLag) {
      reasons.push(`${side} scan: block ${scanned} is ${lag} blocks behind the head ${head} (bound ${chain.confirmations + this.#readyLag})`);
    }
  }

  /** Pending count and age of the transfers from `source`, and the value of every unpaid one. */
  async #readPending(source: Side, reasons: string[]): Promise<void> {
    const { metrics, store } = this.#options;
    const pending = store.pendingTransfers(source).map((transfer) => transfer.request);
    metrics.pendingTransfers.set({ direction: direction(source) }, pending.length);
    const parked = store
      .recoveries(source, [...UNPAID])
      .map((record) => store.getTransfer(source, record.nonce)?.request)
      .filter((request): request is TransferRequest => request !== undefined);
    try {
      metrics.oldestPendingSeconds.set({ direction: direction(source) }, await this.#oldestAge(source, pending));
      await this.#setInFlight(source, [...pending, ...parked]);
    } catch (error) {
      reasons.push(`${source} chain: ${firstLine(error)}`);
    }
  }

  async #oldestAge(source: Side, pending: TransferRequest[]): Promise<number> {
    if (pending.length === 0) return 0;
    const block = pending.reduce((low, request) => (request.requestBlockNumber < low ? request.requestBlockNumber : low), 2n ** 64n);
    const key = `${source}:${block}`;
    let time = this.#blockTimes.get(key);
    if (time === undefined) {
      const read = await this.#read(source, "block", () => this.#options.chains[source].provider.getBlock(Number(block)));
      if (read === null) return 0;
      time = read.timestamp;
      if (this.#blockTimes.size >= 10_000) this.#blockTimes.clear();
      this.#blockTimes.set(key, time);
    }
    return Math.max(0, this.#now() / 1000 - time);
  }

  async #setInFlight(source: Side, requests: TransferRequest[]): Promise<void> {
    const sums = new Map<string, { value: bigint; decimals: number }>();
    for (const request of requests) {
      const units = await this.#unitsOf(request);
      const sum = sums.get(units.label) ?? { value: 0n, decimals: units.decimals };
      sum.value += request.tokenType === TokenType.KIP17 ? 1n : request.valueOrTokenId;
      sums.set(units.label, sum);
    }
    const metrics = this.#options.metrics;
    const dir = direction(source);
    for (const labels of this.#inFlightLabels.values()) if (labels.direction === dir) metrics.valueInFlight.set(labels, 0);
    for (const [asset, sum] of sums) {
      const labels = { asset, direction: dir };
      this.#inFlightLabels.set(`${asset}|${dir}`, labels);
      metrics.valueInFlight.set(labels, Number(formatUnits(sum.value, sum.decimals)));
    }
  }

  /** `KLAY`, or a token as `SYMBOL:address` (its source address) with its decimals (0 for an NFT: a count). */
  async #unitsOf(request: TransferRequest): Promise<{ label: string; decimals: number }> {
    if (request.tokenType === TokenType.KLAY) return { label: "KLAY", decimals: 18 };
    const key = `${request.source}:${request.sourceToken.toLowerCase()}`;
    const known = this.#units.get(key);
    if (known !== undefined) return known;
    const token = KIP7Token__factory.connect(request.sourceToken, this.#options.chains[request.source].provider);
    const recorded = this.#options.tokens?.find(
      (entry) => entry[request.source].toLowerCase() === request.sourceToken.toLowerCase(),
    )?.symbol;
    const nft = request.tokenType === TokenType.KIP17;
    const symbol = recorded ?? (await this.#read(request.source, "token symbol", () => token.symbol()).catch(() => (nft ? "KIP17" : "KIP7")));
    const decimals = nft ? 0 : Number(await this.#read(request.source, "token decimals", () => token.decimals()));
    // a token's symbol is its own data: printable characters only, bounded
    const units = { label: `${symbol.replace(/[^\x20-\x7e]/g, "?").slice(0, 32)}:${request.sourceToken}`, decimals };
    if (this.#units.size >= 10_000) this.#units.clear();
    this.#units.set(key, units);
    return units;
  }

  async #readAnchors(reasons: string[]): Promise<void> {
    const address = this.#options.anchoringReceiver;
    if (address === undefined) {
      this.#options.metrics.lastAnchoredBlock.set(0);
      return;
    }
    const receiver = AnchoringReceiver__factory.connect(address, this.#options.chains.parent.provider);
    try {
      const latest = await this.#read("parent", "anchoring receiver", async () =>
        (await receiver.hasAnyAnchor()) ? receiver.latestAnchoredBlock() : 0n,
      );
      this.#options.metrics.lastAnchoredBlock.set(Number(latest));
    } catch (error) {
      reasons.push(`parent chain: ${firstLine(error)}`);
    }
  }
}

/** The observer of `relayer`, a relayer of the recorded pair `deployment` on `sides`, scanning `confirmations` behind. */
export function observePairRelayer(
  metrics: BridgeMetrics,
  relayer: { operator: string; store: ObserverOptions["store"] },
  deployment: PairDeployment,
  sides: Record<Side, { provider: Provider }>,
  confirmations: Record<Side, number>,
  readyLagBlocks?: number,
): RelayerObserver {
  const chain = (side: Side): ObservedChain => ({
    provider: sides[side].provider,
    confirmations: confirmations[side],
    deployedBlock: deployment[side].deployedBlock,
  });
  return new RelayerObserver({
    metrics,
    store: relayer.store,
    operator: relayer.operator,
    chains: { parent: chain("parent"), child: chain("child") },
    anchoringReceiver: deployment.parent.anchoringReceiver,
    tokens: deployment.tokens,
    readyLagBlocks,
  });
}
