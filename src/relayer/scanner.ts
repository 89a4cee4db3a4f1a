/**
 * The scanner: reads value transfer requests from both bridges up to their confirmed heads (`poll`), records them
 * (`ingest`), finds again the ones the destination misses (`recover`), and reads a proposed transfer again from the
 * source's logs before this operator approves it (`checkSource`). It reports each request log it cannot relay as
 * it is, once.
 */
import { ZeroAddress } from "ethers";

import { readRequests, readRequestsOfTx } from "../protocol/requests.js";
import type { RequestProblem } from "../protocol/requests.js";
import type { RelayerContext } from "./context.js";
import type { LogFields } from "./log.js";
import { checkAtSource } from "./source-check.js";
import type { SourceCheck } from "./source-check.js";
import { TokenUnits, assetName } from "./token-units.js";
import { TokenType, directionOf, otherSide, sameTransfer, toSignedTransfer } from "./types.js";
import type { Side, SignedTransfer, TransferRequest } from "./types.js";

export class RequestScanner {
  readonly #context: RelayerContext;
  /** Symbols and decimals of the source tokens, for the log lines. */
  readonly units: TokenUnits;
  /** When this relayer last recorded a new request, per source side (for `batchWaitMs`). */
  readonly lastFreshRequest: Record<Side, number> = { parent: 0, child: 0 };
  /** The request logs reported as unreadable or relayed with a change, by tx and reason (each logged once). */
  readonly #requestProblems = new Set<string>();
  /** Request logs of each source this relayer could not read (skipped), since the last `takeUnrelayable`. */
  readonly #unrelayable: Record<Side, number> = { parent: 0, child: 0 };
  /** The source reads of the current round of checks, per source (`withOneReadPerRange`), else none kept. */
  #reads: Partial<Record<Side, Map<string, Promise<TransferRequest[]>>>> = {};

  constructor(context: RelayerContext) {
    this.#context = context;
    this.units = new TokenUnits({ parent: context.sides.parent.provider, child: context.sides.child.provider });
  }

  /** Reports a request log that cannot be relayed as it is (see `RequestProblem`), once; the scan goes on. */
  readonly onRequestProblem = (problem: RequestProblem): void => {
    const key = `${problem.source}:${problem.txHash}:${problem.reason}`;
    if (this.#requestProblems.has(key)) return;
    if (this.#requestProblems.size >= 10_000) this.#requestProblems.clear();
    this.#requestProblems.add(key);
    if (!problem.relayed) this.#unrelayable[problem.source] += 1;
    this.#context.log.log(problem.relayed ? "warn" : "error", problem.relayed ? "request-changed" : "request-unreadable", {
      direction: directionOf(problem.source),
      nonce: problem.requestNonce,
      block: problem.blockNumber,
      tx: problem.txHash,
      reason: problem.reason,
      action: problem.relayed ? "relayed" : "skipped",
    });
  };

  /** The request logs skipped as unreadable since the last call, both sources together. */
  takeUnrelayable(): number {
    const count = this.#unrelayable.parent + this.#unrelayable.child;
    this.#unrelayable.parent = 0;
    this.#unrelayable.child = 0;
    return count;
  }

  /** Reads the requests of source transaction `txHash` into the store. */
  async readRequestTx(source: Side, txHash: string): Promise<void> {
    const src = this.#context.sides[source];
    this.ingest(
      await this.#context.rpc(() => readRequestsOfTx(source, src.bridge, src.tokens, src.provider, txHash, this.onRequestProblem)),
    );
  }

  /** The requests of `side`'s bridge in blocks `fromBlock..toBlock`, without recording them. */
  async fetchRequests(side: Side, fromBlock: number, toBlock: number): Promise<TransferRequest[]> {
    const chain = this.#context.sides[side];
    return this.#context.rpc(() =>
      readRequests(
        side,
        chain.bridge,
        chain.tokens,
        chain.provider,
        fromBlock,
        toBlock,
        this.#context.settings.maxBlockRange,
        this.onRequestProblem,
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
      fresh.push(...this.#context.store.recordScan(side, list, block));
    }
    for (const request of fresh) this.#logRequest(request);
    for (const request of fresh) this.lastFreshRequest[request.source] = this.#context.now();
    return fresh;
  }

  /** Reads the requests of both bridges from the cursors up to the confirmed heads. Returns how many were new. */
  async poll(): Promise<number> {
    let fresh = 0;
    for (const side of ["parent", "child"] as const) {
      const chain = this.#context.sides[side];
      const head = await this.#context.rpc(() => chain.provider.getBlockNumber());
      const safe = head - chain.confirmations;
      let from = (this.#context.store.getCursor(side) ?? chain.endpoint.deployedBlock - 1) + 1;
      while (from <= safe) {
        const to = Math.min(safe, from + this.#context.settings.maxBlockRange - 1);
        const requests = await this.fetchRequests(side, from, to);
        await this.units.load(requests);
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
      const src = this.#context.sides[source];
      const dest = this.#context.sides[otherSide(source)];
      const requested = await this.#context.rpc(() => src.bridge.requestNonce());
      const lower = await this.#context.rpc(() => dest.bridge.lowerHandleNonce());
      const upper = await this.#context.rpc(() => dest.bridge.upperHandleNonce());
      const missing = new Set<bigint>();
      const limit = lower + 10_000n < requested ? lower + 10_000n : requested;
      for (let nonce = lower; nonce < limit; nonce++) {
        const handled = nonce <= upper && (await this.#context.rpc(() => dest.bridge.isHandled(nonce)));
        if (handled) continue;
        const stored = this.#context.store.getTransfer(source, nonce);
        if (stored === undefined) missing.add(nonce);
        else if (stored.state === "done") {
          // recorded as done, yet the destination does not have it (a reorg): what the store holds is not trusted;
          // the request is read again from the source chain's confirmed logs (and is not relayed if it is gone)
          this.#context.store.forgetTransfers(source, [nonce]);
          missing.add(nonce);
          this.#context.log.log("warn", "reopen", { direction: directionOf(source), nonce, action: "read again from the source" });
        }
      }
      if (missing.size === 0) continue;
      const fromBlock = Number(await this.#context.rpc(() => dest.bridge.recoveryBlockNumber()));
      const head = (await this.#context.rpc(() => src.provider.getBlockNumber())) - src.confirmations;
      this.#context.log.log("info", "recover", {
        direction: directionOf(source),
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

  /**
   * Runs `round` (one signed step of `source`: its checks moments apart) with each block range of the source read at
   * most once by `checkSource`: the windows of one step that name the same blocks are checked against one read. Every
   * round reads afresh.
   */
  async withOneReadPerRange<T>(source: Side, round: () => Promise<T>): Promise<T> {
    this.#reads[source] = new Map();
    try {
      return await round();
    } finally {
      delete this.#reads[source];
    }
  }

  /**
   * Reads `transfers` again from the source bridge's logs (`checkAtSource`) before this operator approves them. The
   * stale ones (gone or changed at the source: a reorg, or a store of another deployment) are forgotten, so that the
   * scan and `recover` read them again, and reported once each.
   */
  async checkSource(source: Side, transfers: SignedTransfer[]): Promise<SourceCheck> {
    const src = this.#context.sides[source];
    const reads = this.#reads[source];
    const checked = await checkAtSource(
      {
        side: source,
        bridge: src.bridge,
        tokens: src.tokens,
        provider: src.provider,
        confirmations: src.confirmations,
        maxBlockRange: this.#context.settings.maxBlockRange,
        rpc: (operation) => this.#context.rpc(operation),
        onProblem: this.onRequestProblem,
        reads,
      },
      transfers,
    );
    if (checked.stale.length > 0) {
      // only the store's own copy is forgotten (a peer's forged version of a transfer never erases the real one)
      const given = new Map(transfers.map((transfer) => [transfer.requestNonce, transfer]));
      const stored = checked.stale.filter((entry) => {
        const record = this.#context.store.getTransfer(source, entry.nonce);
        const transfer = given.get(entry.nonce);
        return record !== undefined && transfer !== undefined && sameTransfer(toSignedTransfer(record.request), transfer);
      });
      this.#context.store.forgetTransfers(source, stored.map((entry) => entry.nonce));
      for (const entry of checked.stale) {
        this.#context.log.log("warn", "stale-request", {
          direction: directionOf(source),
          nonce: entry.nonce,
          reason: entry.reason,
          action: "not approved; read again from the source",
        });
      }
    }
    return checked;
  }

  #logRequest(request: TransferRequest): void {
    const fields: LogFields = {
      direction: directionOf(request.source),
      nonce: request.requestNonce,
      asset: assetName(request),
      amount: this.units.amount(request),
      value: request.valueOrTokenId,
      from: request.from,
      to: request.to,
      block: request.requestBlockNumber,
      tx: request.requestTxHash,
    };
    if (request.tokenType !== TokenType.KLAY && request.tokenAddress === ZeroAddress) {
      fields.warning = "token not registered on the source bridge";
    }
    this.#context.log.log("info", "request", fields);
  }
}
