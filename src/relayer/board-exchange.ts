/**
 * The signature board as a `SignatureExchange` (see `board-feed.ts` for the reading and posting): handle batches are
 * posted by name (their source side and nonce run, `src/protocol/board.ts`), digest and signature, never with their
 * transfers. A reader rebuilds a batch from its own scan of the source chain (`BatchExchangeContext.requests`),
 * hashes it under the destination's domain and keeps a post only when the digests agree; a post whose name does not
 * parse or does not rebuild to its digest is refused and logged once. A post naming requests this relayer has not
 * read yet waits, unread, until its scan reaches them.
 */
import { BoardKind, anchorName, batchName, parseAnchorName, parseBatchName, parseRecoveryName, recoveryName } from "../protocol/board.js";
import type { BoardKindValue } from "../protocol/board.js";
import { otherSide, toSignedTransfer } from "../protocol/transfer.js";
import type { Side } from "../protocol/transfer.js";
import type { RelayerStore } from "./store.js";
import { recoveryDigest } from "../signatures.js";
import type { RecoveryKind } from "../signatures.js";
import type { RecoverySignature } from "./recovery.js";
import type { AnchorData } from "../protocol/anchor.js";
import { anchorDigest } from "./anchoring.js";
import type { AnchorSignature } from "./anchoring.js";
import { batchDigest } from "../signatures.js";
import type { SignedTransfer } from "../protocol/transfer.js";
import type {
  AnchorExchange,
  AnchorExchangeContext,
  BatchExchangeContext,
  ExchangeWiring,
  OnInvalid,
  RecoveryExchange,
  RecoveryExchangeContext,
  SignatureExchange,
} from "./exchange.js";
import type { BoardFeed, BoardPost } from "./board-feed.js";
import type { BatchSignature } from "./signatures.js";

/** The name of the batch `transfers` of `source`: they must be one run of consecutive nonces, ascending. */
export function runName(source: BatchExchangeContext["source"], transfers: SignedTransfer[]): string {
  const first = transfers[0]?.requestNonce;
  if (first === undefined) throw new Error("an empty batch has no name");
  transfers.forEach((transfer, index) => {
    if (transfer.requestNonce !== first + BigInt(index)) {
      throw new Error(`the batch is not a run of consecutive nonces from ${first}: the board cannot name it`);
    }
  });
  return batchName(source, first, first + BigInt(transfers.length - 1));
}

/** Splits transfers (in any order) into runs of consecutive nonces, ascending: what a board post can name. */
export function nonceRuns<T extends { request: { requestNonce: bigint } }>(items: T[]): T[][] {
  const sorted = [...items].sort((a, b) => (a.request.requestNonce < b.request.requestNonce ? -1 : 1));
  const runs: T[][] = [];
  for (const item of sorted) {
    const run = runs.at(-1);
    const last = run?.at(-1)?.request.requestNonce;
    if (run !== undefined && last !== undefined && item.request.requestNonce === last + 1n) run.push(item);
    else runs.push([item]);
  }
  return runs;
}

/**
 * Posts this operator's signature of `entry.digest` under `name`, unless the board holds one of this operator already:
 * another relayer of the same operator (high availability: one key on two machines) posted it, and a second post adds
 * nothing (`BoardFeed.send` reads the board first, and again after a nonce collision).
 */
async function postOnce(
  feed: BoardFeed,
  kind: BoardKindValue,
  name: string,
  entry: { digest: string; signature: string },
): Promise<void> {
  await feed.send([{ kind, name, digest: entry.digest, signature: entry.signature }]);
}

/**
 * The posts of `kind` for `digest` (the feed read up to date first), each with its name as `parse` reads it; a post
 * whose name does not parse (`parse` returns why) is refused: reported to `onInvalid` as a bad `what` name.
 */
async function namedPosts<T extends bigint | object>(
  feed: BoardFeed,
  kind: BoardKindValue,
  digest: string,
  what: string,
  parse: (name: string) => T | string,
  onInvalid?: OnInvalid,
): Promise<{ post: BoardPost; parsed: T }[]> {
  await feed.sync();
  const named: { post: BoardPost; parsed: T }[] = [];
  for (const post of feed.posts(kind, digest)) {
    const parsed = parse(post.name);
    if (typeof parsed === "string") onInvalid?.(post.where, `${what} name ${post.name}: ${parsed}`);
    else named.push({ post, parsed });
  }
  return named;
}

/** `BatchExchangeContext.requests` from a relayer's store: the requests of `source` it read from the source chain. */
export function storedRequests(store: RelayerStore, source: Side): BatchExchangeContext["requests"] {
  return (first, last) => {
    const transfers: SignedTransfer[] = [];
    for (let nonce = first; nonce <= last; nonce += 1n) {
      const stored = store.getTransfer(source, nonce);
      if (stored === undefined) return undefined;
      transfers.push(toSignedTransfer(stored.request));
    }
    return transfers;
  };
}

/** The handle-batch signatures of one destination bridge, on the board. */
export class BoardBatchExchange implements SignatureExchange<BatchSignature> {
  /** The batches rebuilt and found to match, by name (bounded). */
  readonly #rebuilt = new Map<string, { digest: string; transfers: SignedTransfer[] }>();

  constructor(
    readonly feed: BoardFeed,
    readonly context: BatchExchangeContext,
  ) {}

  /**
   * Posts this operator's signature of a batch, unless the board holds one of this operator already: another relayer
   * of the same operator (high availability: one key on two machines) posted it, and a second post adds nothing
   * (`BoardFeed.send`).
   */
  async post(entry: BatchSignature): Promise<void> {
    await this.postAll([entry]);
  }

  /** Posts several of this operator's signatures of batches in one transaction (`BoardFeed.send`), as `post` does. */
  async postAll(entries: BatchSignature[]): Promise<void> {
    const posts = entries.map((entry) => {
      const name = runName(this.context.source, entry.transfers);
      this.#remember(name, entry.digest, entry.transfers);
      return { kind: BoardKind.Batch, name, digest: entry.digest, signature: entry.signature };
    });
    await this.feed.send(posts);
  }

  /**
   * The digests of the batches of this direction posted so far and not done, and of posts whose name is no batch's
   * (so that `read` reports them).
   */
  async proposals(): Promise<string[]> {
    await this.feed.sync(true);
    return this.feed.digests(BoardKind.Batch).filter((digest) =>
      this.feed.posts(BoardKind.Batch, digest).some((post) => {
        const parsed = parseBatchName(post.name);
        return typeof parsed === "string" || parsed.source === this.context.source;
      }),
    );
  }

  /** The posts of batch `digest` whose name rebuilds, from this relayer's scan, to that digest. */
  async read(digest: string, onInvalid?: OnInvalid): Promise<BatchSignature[]> {
    const entries: BatchSignature[] = [];
    for (const { post, parsed } of await namedPosts(this.feed, BoardKind.Batch, digest, "batch", parseBatchName, onInvalid)) {
      if (parsed.source !== this.context.source) continue; // the other direction's exchange reads it
      let batch = this.#rebuilt.get(post.name);
      if (batch === undefined) {
        const transfers = this.context.requests(parsed.first, parsed.last);
        if (transfers === undefined) continue; // not read from the source yet: the post waits
        const computed = batchDigest(this.context.domain, transfers);
        if (computed.toLowerCase() !== digest.toLowerCase()) {
          onInvalid?.(
            post.where,
            `${parsed.source} nonces ${parsed.first} to ${parsed.last} hash to ${computed} on the chain, not to the digest posted`,
          );
          continue;
        }
        batch = this.#remember(post.name, computed, transfers);
      }
      if (batch.digest.toLowerCase() !== digest.toLowerCase()) {
        onInvalid?.(post.where, `the batch it names hashes to ${batch.digest}, not to the digest posted`);
        continue;
      }
      entries.push({ digest: batch.digest, signer: post.signer, signature: post.signature, transfers: [...batch.transfers] });
    }
    return entries;
  }

  remove(digest: string): Promise<void> {
    this.feed.forget(BoardKind.Batch, digest);
    return Promise.resolve();
  }

  #remember(name: string, digest: string, transfers: SignedTransfer[]) {
    if (this.#rebuilt.size >= 1000) this.#rebuilt.clear();
    const batch = { digest, transfers };
    this.#rebuilt.set(name, batch);
    return batch;
  }
}

/**
 * The anchor signatures of one AnchoringReceiver, on the board: a post names the child block; a reader reads that
 * block's anchor from the child chain itself (once confirmed), hashes it under the receiver's domain and keeps the
 * post only when the digests agree.
 */
export class BoardAnchorExchange implements AnchorExchange {
  /** The anchors read from the child chain, by block (bounded). */
  readonly #anchors = new Map<bigint, { digest: string; anchor: AnchorData }>();

  constructor(
    readonly feed: BoardFeed,
    readonly context: AnchorExchangeContext,
  ) {}

  get domain() {
    return this.context.domain;
  }

  /** Posts this operator's signature of an anchor, unless its operator's other relayer posted it already. */
  async post(entry: AnchorSignature): Promise<void> {
    await postOnce(this.feed, BoardKind.Anchor, anchorName(entry.anchor.blockNumber), entry);
  }

  async proposals(): Promise<string[]> {
    await this.feed.sync(true);
    return this.feed.digests(BoardKind.Anchor);
  }

  /** The posts of anchor `digest` whose block's anchor, read from the child chain, hashes to that digest. */
  async read(digest: string, onInvalid?: OnInvalid): Promise<AnchorSignature[]> {
    const entries: AnchorSignature[] = [];
    for (const { post, parsed: blockNumber } of await namedPosts(this.feed, BoardKind.Anchor, digest, "anchor", parseAnchorName, onInvalid)) {
      let known = this.#anchors.get(blockNumber);
      if (known === undefined) {
        const anchor = await this.context.anchorOf(blockNumber);
        if (anchor === undefined) continue; // not confirmed yet: the post waits
        if (this.#anchors.size >= 1000) this.#anchors.clear();
        known = { digest: anchorDigest(this.context.domain, anchor), anchor };
        this.#anchors.set(blockNumber, known);
      }
      if (known.digest.toLowerCase() !== digest.toLowerCase()) {
        onInvalid?.(post.where, `child block ${blockNumber}'s anchor hashes to ${known.digest} on the chain, not to the digest posted`);
        continue;
      }
      entries.push({ digest: known.digest, signer: post.signer, signature: post.signature, anchor: known.anchor });
    }
    return entries;
  }

  remove(digest: string): Promise<void> {
    this.feed.forget(BoardKind.Anchor, digest);
    return Promise.resolve();
  }
}

/**
 * The cancel and refund signatures of one recovery ledger, on the board: a post names the request (its source side
 * and nonce). A reader asks only for the digest it computed itself (`digestOf`) from the transfer it holds, so the
 * content of a post it keeps is that transfer; a post whose name is not that request's is refused and logged once.
 */
export class BoardRecoveryExchange implements RecoveryExchange {
  /** The approvals whose digest this relayer computed, by digest (bounded). */
  readonly #computed = new Map<string, { kind: RecoveryKind; transfer: SignedTransfer }>();

  constructor(
    readonly feed: BoardFeed,
    readonly context: RecoveryExchangeContext,
  ) {}

  digestOf(kind: RecoveryKind, transfer: SignedTransfer): string {
    const digest = recoveryDigest(this.context.domain, kind, transfer);
    if (this.#computed.size >= 10_000) this.#computed.clear();
    this.#computed.set(digest.toLowerCase(), { kind, transfer });
    return digest;
  }

  /** The source side of the requests whose `kind` this ledger executes. */
  #source(kind: RecoveryKind) {
    return kind === "cancel" ? otherSide(this.context.side) : this.context.side;
  }

  async post(entry: RecoverySignature): Promise<void> {
    const kind = entry.kind === "cancel" ? BoardKind.Cancel : BoardKind.Refund;
    await postOnce(this.feed, kind, recoveryName(this.#source(entry.kind), entry.transfer.requestNonce), entry);
  }

  async read(digest: string, onInvalid?: OnInvalid): Promise<RecoverySignature[]> {
    const computed = this.#computed.get(digest.toLowerCase());
    if (computed === undefined) return []; // only a digest computed here from a transfer held here is read
    await this.feed.sync();
    const kind = computed.kind === "cancel" ? BoardKind.Cancel : BoardKind.Refund;
    const entries: RecoverySignature[] = [];
    for (const post of this.feed.posts(kind, digest)) {
      const named = parseRecoveryName(post.name);
      const source = this.#source(computed.kind);
      if (typeof named === "string" || named.source !== source || named.nonce !== computed.transfer.requestNonce) {
        onInvalid?.(post.where, `a ${computed.kind} of ${source} nonce ${computed.transfer.requestNonce} posted under another name (${post.name})`);
        continue;
      }
      entries.push({ digest, signer: post.signer, signature: post.signature, kind: computed.kind, transfer: computed.transfer });
    }
    return entries;
  }

  async proposals(): Promise<string[]> {
    await this.feed.sync(true);
    return [...this.feed.digests(BoardKind.Cancel), ...this.feed.digests(BoardKind.Refund)];
  }

  remove(digest: string): Promise<void> {
    this.feed.forget(BoardKind.Cancel, digest);
    this.feed.forget(BoardKind.Refund, digest);
    this.#computed.delete(digest.toLowerCase());
    return Promise.resolve();
  }
}

/** The board as the relayer's signature exchange: handle batches, anchors, cancellations and refunds. */
export function boardWiring(feed: BoardFeed): ExchangeWiring {
  return {
    name: "board",
    batches: (context) => new BoardBatchExchange(feed, context),
    anchors: (context) => new BoardAnchorExchange(feed, context),
    recovery: (context) => new BoardRecoveryExchange(feed, context),
  };
}
