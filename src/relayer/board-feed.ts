/**
 * The signature board as one relayer sees it: the posts read from the board's `Posted` events on the child chain, and
 * the posts this operator sends. Shared by the board transports of every kind of signed action (`board-exchange.ts`).
 *
 * Every post is untrusted input. The feed reads bounded block ranges (`maxBlockRange` blocks per call, at most
 * `MAX_RANGES_PER_SYNC` calls per sync), keeps at most `MAX_POSTS_PER_DIGEST` posts per digest (one per signer) and
 * `MAX_OPEN_DIGESTS` digests (the oldest forgotten first), and refuses, logging each once, a post whose signature is
 * not canonical or does not recover to the operator who posted it. Whether the digest matches the content rebuilt
 * from the chains, and whether the signer counts (a current operator of the destination), is checked by the reader.
 */
import { getAddress, recoverAddress } from "ethers";
import type { Provider, Signer } from "ethers";

import { SignatureBoard__factory } from "../../types/ethers-contracts/index.js";
import type { SignatureBoard } from "../../types/ethers-contracts/index.js";
import { MAX_BOARD_POSTS, boardKindName } from "../protocol/board.js";
import type { BoardKindValue } from "../protocol/board.js";
import { backoffDelay, describeError, isNonceCollision } from "./errors.js";
import { badFileReporter } from "./log.js";
import type { RelayerLogger } from "./log.js";
import { MAX_FILES_PER_DIGEST, canonicalSignature } from "./peer-files.js";

/** The most posts of one digest kept (a pair has at most 12 operators). */
export const MAX_POSTS_PER_DIGEST = MAX_FILES_PER_DIGEST;
/** The most digests kept open at once; beyond, the oldest are forgotten (their actions then go by votes). */
export const MAX_OPEN_DIGESTS = 10_000;
/** The most times one post is sent again after another relayer of this operator took its transaction nonce. */
export const MAX_COLLISIONS = 8;
/** The most `eth_getLogs` calls of one sync: a reader far behind catches up over several steps. */
export const MAX_RANGES_PER_SYNC = 10;

/** One post as read from the board (or as sent by this relayer), its signature checked against its poster. */
export interface BoardPost {
  kind: BoardKindValue;
  name: string;
  digest: string;
  signer: string;
  signature: string;
  /** Where it was read: `board <tx>#<log index>`. */
  where: string;
}

export interface BoardFeedOptions {
  /** The board's address on the child chain. */
  board: string;
  /** This operator's signer on the child chain (it sends the posts). */
  signer: Signer;
  /** The block the board was deployed in. */
  deployedBlock: number;
  /** Blocks per getLogs call (default 2000). */
  maxBlockRange?: number;
  /** How far back from the head a relayer starting afresh reads the board (default 20,000 blocks). */
  lookbackBlocks?: number;
  /** The shortest pause between two reads of the chain; a read asked sooner uses what was read (default 200 ms). */
  minSyncIntervalMs?: number;
  log: RelayerLogger;
}

export class BoardFeed {
  readonly board: SignatureBoard;
  readonly provider: Provider;
  readonly operator: string;
  readonly #options: Required<Omit<BoardFeedOptions, "board" | "signer" | "log">>;
  readonly #log: RelayerLogger;
  readonly #badPost: (where: string, reason: string) => void;
  /** The posts kept, by `kind:digest`, then by signer (lowercase). */
  readonly #posts = new Map<string, Map<string, BoardPost>>();
  /** The next block to read, once the first sync placed it. */
  #next?: number;
  #lastSync = 0;

  private constructor(board: SignatureBoard, provider: Provider, operator: string, options: BoardFeedOptions) {
    this.board = board;
    this.provider = provider;
    this.operator = operator;
    this.#options = {
      deployedBlock: options.deployedBlock,
      maxBlockRange: options.maxBlockRange ?? 2000,
      lookbackBlocks: options.lookbackBlocks ?? 20_000,
      minSyncIntervalMs: options.minSyncIntervalMs ?? 200,
    };
    this.#log = options.log;
    this.#badPost = badFileReporter(options.log);
  }

  /** Connects to the board and checks that a contract is there. */
  static async open(options: BoardFeedOptions): Promise<BoardFeed> {
    const provider = options.signer.provider;
    if (provider === null || provider === undefined) throw new Error("the child signer has no provider");
    const address = getAddress(options.board);
    if ((await provider.getCode(address)) === "0x") throw new Error(`no signature board at ${address} on the child chain`);
    const board = SignatureBoard__factory.connect(address, options.signer);
    return new BoardFeed(board, provider, getAddress(await options.signer.getAddress()), options);
  }

  /**
   * Reads the posts of the blocks not read yet, up to the head (at most `MAX_RANGES_PER_SYNC` ranges); nothing when
   * the last read is less than `minSyncIntervalMs` old, unless `force`.
   */
  async sync(force = false): Promise<void> {
    const now = Date.now();
    if (!force && now - this.#lastSync < this.#options.minSyncIntervalMs) return;
    this.#lastSync = now;
    const head = await this.provider.getBlockNumber();
    let from = this.#next ?? Math.max(this.#options.deployedBlock, head - this.#options.lookbackBlocks);
    for (let ranges = 0; from <= head && ranges < MAX_RANGES_PER_SYNC; ranges += 1) {
      const to = Math.min(head, from + this.#options.maxBlockRange - 1);
      const events = await this.board.queryFilter(this.board.filters.Posted(), from, to);
      for (const event of events) {
        const [operator, kind, name, digest, signature] = event.args;
        this.#accept(
          { kind: Number(kind) as BoardKindValue, name, digest, signer: getAddress(operator), signature, where: `board ${event.transactionHash}#${event.index}` },
        );
      }
      from = to + 1;
    }
    this.#next = from;
  }

  /** Keeps `post` when its signature is canonical and recovers to its poster, within the bounds. */
  #accept(post: BoardPost): void {
    let signature: string;
    try {
      signature = canonicalSignature(post.signature);
      const signer = getAddress(recoverAddress(post.digest, signature));
      if (signer !== post.signer) throw new Error(`a signature of ${signer}, posted by ${post.signer}`);
    } catch (error) {
      this.#badPost(post.where, error instanceof Error ? error.message : String(error));
      return;
    }
    const key = `${post.kind}:${post.digest.toLowerCase()}`;
    let bySigner = this.#posts.get(key);
    if (bySigner === undefined) {
      if (this.#posts.size >= MAX_OPEN_DIGESTS) this.#posts.delete(this.#posts.keys().next().value as string);
      bySigner = new Map();
      this.#posts.set(key, bySigner);
    }
    const signer = post.signer.toLowerCase();
    // one post per signer, a repeat is the same signature or a worse one; but a post read from the board takes the
    // place of this relayer's own copy, so that `#onBoard` tells what the chain holds
    if (bySigner.get(signer)?.where.startsWith("board ") === true) return;
    if (bySigner.has(signer) && !post.where.startsWith("board ")) return;
    if (!bySigner.has(signer) && bySigner.size >= MAX_POSTS_PER_DIGEST) {
      this.#badPost(post.where, `more than ${MAX_POSTS_PER_DIGEST} posts of one digest`);
      return;
    }
    bySigner.set(signer, { ...post, signature });
  }

  /** The posts of `digest` of `kind` kept, one per signer, in the order read. */
  posts(kind: BoardKindValue, digest: string): BoardPost[] {
    return [...(this.#posts.get(`${kind}:${digest.toLowerCase()}`)?.values() ?? [])];
  }

  /** The digests of `kind` with at least one post kept. */
  digests(kind: BoardKindValue): string[] {
    const prefix = `${kind}:`;
    return [...this.#posts.keys()].filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length));
  }

  /** Forgets the posts of `digest` (its action is done); a later post of it is read again. */
  forget(kind: BoardKindValue, digest: string): void {
    this.#posts.delete(`${kind}:${digest.toLowerCase()}`);
  }

  /** Whether the board holds a post of `digest` of `kind` by this operator, as read from the chain so far. */
  #onBoard(kind: BoardKindValue, digest: string): boolean {
    const post = this.#posts.get(`${kind}:${digest.toLowerCase()}`)?.get(this.operator.toLowerCase());
    return post?.where.startsWith("board ") === true;
  }

  /** Whether this relayer keeps a post of `digest` of `kind` by its operator: read from the board, or sent by it. */
  #holdsOwn(kind: BoardKindValue, digest: string): boolean {
    return this.#posts.get(`${kind}:${digest.toLowerCase()}`)?.has(this.operator.toLowerCase()) === true;
  }

  /**
   * Posts those of this operator's signatures that the board does not hold yet, at most `MAX_BOARD_POSTS` per
   * transaction, and waits for each transaction. They are kept at once, so this relayer reads its own posts before
   * the chain returns them.
   *
   * High availability: another relayer of this operator (the same key on another machine) may post the same
   * signatures at the same moment. Each transaction is sent with the account's nonce as mined, read before the board
   * is: of two relayers posting at once, one gets the nonce and the other a nonce collision; that one reads the board
   * again and posts only what is still missing, with a fresh nonce. So each signature is posted once.
   */
  async send(posts: Omit<BoardPost, "signer" | "where">[]): Promise<void> {
    for (let start = 0; start < posts.length; start += MAX_BOARD_POSTS) {
      await this.#post(posts.slice(start, start + MAX_BOARD_POSTS));
    }
  }

  /** Sends one transaction of posts (see `send`), again after a nonce collision, at most `MAX_COLLISIONS` times. */
  async #post(chunk: Omit<BoardPost, "signer" | "where">[]): Promise<void> {
    for (let collisions = 0; ; collisions += 1) {
      const nonce = await this.provider.getTransactionCount(this.operator, "latest");
      await this.sync(true);
      const left = chunk.filter((post) => !this.#holdsOwn(post.kind, post.digest));
      if (left.length === 0) return;
      for (const post of left) this.#accept({ ...post, signer: this.operator, where: "this relayer" });
      try {
        const tx = await this.board.post(
          left.map(({ kind, name, digest, signature }) => ({ kind, name, digest, signature })),
          { nonce },
        );
        const receipt = await tx.wait();
        if (receipt === null || receipt.status !== 1) throw new Error(`board post ${tx.hash} failed`);
        this.#log.log("info", "board-post", {
          kinds: [...new Set(left.map((post) => boardKindName(post.kind)))].join(","),
          posts: left.length,
          tx: tx.hash,
          gas: receipt.gasUsed,
        });
        return;
      } catch (error) {
        // not on the board: this relayer must not count the posts as made
        for (const post of left) {
          if (!this.#onBoard(post.kind, post.digest)) this.#posts.get(`${post.kind}:${post.digest.toLowerCase()}`)?.delete(this.operator.toLowerCase());
        }
        if (!isNonceCollision(error) || collisions >= MAX_COLLISIONS) {
          throw new Error(`posting ${left.length} signature(s) on the board failed`, { cause: error });
        }
        this.#log.log("warn", "nonce-collision", {
          sending: "board post",
          error: describeError(error),
          retry: "once the board is read again, what is still missing, with a fresh nonce",
        });
        await new Promise((resolve) => setTimeout(resolve, backoffDelay(100, collisions + 1, 2000)));
      }
    }
  }
}
