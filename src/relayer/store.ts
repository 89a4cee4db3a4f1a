/**
 * The relayer's embedded store (Node 22's `node:sqlite`), one database per pair and operator: the scan cursor of
 * each chain, every transfer it saw with its state and tx hashes, and the anchors it sent. Every write is one
 * statement or one transaction, so a process killed at any point leaves a consistent file.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { DatabaseSync as DatabaseSyncType, StatementSync } from "node:sqlite";

import { loadSqlite } from "./runtime.js";
import { anchorOf, integer, recoveryOf, serializeRequest, text, transferOf } from "./store-rows.js";
import type { AnchorRecord, RecoveryRecord, RecoveryState, Row, StoredTransfer } from "./store-rows.js";
import type { Side, TransferRequest, TransferState } from "./types.js";

export type { AnchorRecord, RecoveryRecord, RecoveryState, StoredTransfer } from "./store-rows.js";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS cursor (side TEXT PRIMARY KEY, block INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS transfers (
  source TEXT NOT NULL,
  nonce INTEGER NOT NULL,
  data TEXT NOT NULL,
  state TEXT NOT NULL,
  vote_tx TEXT,
  vote_from_block INTEGER,
  batch_digest TEXT,
  signed_at INTEGER,
  submit_tx TEXT,
  last_error TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  retry_at INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (source, nonce)
);
CREATE INDEX IF NOT EXISTS transfers_state ON transfers (state);
CREATE TABLE IF NOT EXISTS anchors (
  block INTEGER PRIMARY KEY, block_hash TEXT NOT NULL, tx TEXT, state TEXT NOT NULL, signed_at INTEGER
);
`;

/**
 * Version 1: the transfers handled but not paid out (failed, held) and what became of them (paid by a retry or a
 * release, cancelled, refunded), one row per transfer; the scan cursor of the recovery events of each chain is kept
 * in `cursor` under `recovery-<side>`. Version 2: `meta`, facts about the store (the deployment it belongs to). A
 * store of an earlier version gets the tables it lacks when it is opened.
 */
const SCHEMA_VERSION = 2;
const MIGRATIONS: Record<number, string> = {
  // version 2: facts about the store itself, first of all the deployment it belongs to (see store-binding.ts)
  2: "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
  1: `
CREATE TABLE IF NOT EXISTS recovery (
  source TEXT NOT NULL,
  nonce INTEGER NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_reason TEXT,
  retry_at INTEGER NOT NULL DEFAULT 0,
  signed_at INTEGER,
  voted INTEGER NOT NULL DEFAULT 0,
  tx TEXT,
  block INTEGER,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (source, nonce)
);
CREATE INDEX IF NOT EXISTS recovery_state ON recovery (state);
`,
};

/** The fields of a transfer's record that a state change may set. */
export type TransferUpdate = Partial<Omit<StoredTransfer, "request">>;

const COLUMN: Record<keyof TransferUpdate, string> = {
  state: "state",
  voteTx: "vote_tx",
  voteFromBlock: "vote_from_block",
  batchDigest: "batch_digest",
  signedAt: "signed_at",
  submitTx: "submit_tx",
  lastError: "last_error",
  attempts: "attempts",
  retryAt: "retry_at",
};

export type RecoveryUpdate = Partial<Omit<RecoveryRecord, "source" | "nonce">>;

const RECOVERY_COLUMN: Record<keyof RecoveryUpdate, string> = {
  state: "state",
  attempts: "attempts",
  lastReason: "last_reason",
  retryAt: "retry_at",
  signedAt: "signed_at",
  voted: "voted",
  tx: "tx",
  block: "block",
};

export class RelayerStore {
  readonly #db: DatabaseSyncType;
  /** The statements prepared so far, by their SQL (a relayer runs the same few statements at every step). */
  readonly #statements = new Map<string, StatementSync>();
  #closed = false;

  /** Opens (creating when needed) the store at `path`; `":memory:"` for a throw-away store. */
  constructor(readonly path: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    const { DatabaseSync } = loadSqlite();
    this.#db = new DatabaseSync(path);
    this.#db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");
    this.#db.exec(SCHEMA);
    this.#migrate();
  }

  /** Brings a store written by an earlier version up to `SCHEMA_VERSION`, one migration per transaction. */
  #migrate(): void {
    const version = this.schemaVersion();
    for (let next = version + 1; next <= SCHEMA_VERSION; next++) {
      this.#transaction(() => {
        this.#db.exec(MIGRATIONS[next]);
        this.#db.exec(`PRAGMA user_version = ${next}`);
      });
    }
  }

  /** The schema version of the open store. */
  schemaVersion(): number {
    const row = this.#db.prepare("PRAGMA user_version").get();
    return row === undefined ? 0 : integer(row, "user_version");
  }

  /** Runs `write` in one transaction: all of it, or none of it after an error. */
  #transaction(write: () => void): void {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      write();
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  /** The last block of `side` whose requests are all recorded, or undefined before the first scan. */
  getCursor(side: Side): number | undefined {
    return this.getNamedCursor(side);
  }

  /**
   * Records `requests` (new ones as `seen`; known ones untouched) and moves the cursor of `side` to `block`, in one
   * transaction: after a crash either both happened or neither. Returns the requests that were new.
   */
  recordScan(side: Side, requests: TransferRequest[], block?: number): TransferRequest[] {
    const insert = this.#statement(
      "INSERT OR IGNORE INTO transfers (source, nonce, data, state, updated_at) VALUES (?, ?, ?, 'seen', ?)",
    );
    const fresh: TransferRequest[] = [];
    this.#transaction(() => {
      const now = Date.now();
      for (const request of requests) {
        const result = insert.run(request.source, Number(request.requestNonce), serializeRequest(request), now);
        if (Number(result.changes) > 0) fresh.push(request);
      }
      if (block !== undefined) this.setNamedCursor(side, block);
    });
    return fresh;
  }

  getTransfer(source: Side, nonce: bigint): StoredTransfer | undefined {
    const row = this.#statement("SELECT * FROM transfers WHERE source = ? AND nonce = ?").get(source, Number(nonce));
    return row === undefined ? undefined : transferOf(row);
  }

  /** The transfers of `source` not done yet, by nonce. */
  pendingTransfers(source: Side): StoredTransfer[] {
    return this.#statement("SELECT * FROM transfers WHERE source = ? AND state != 'done' ORDER BY nonce")
      .all(source)
      .map(transferOf);
  }

  /**
   * The transfers of `source` that may go by votes at `now`: those `seen` (only when `seen`), those `failed` whose
   * backoff is over, and those `signed` at or before `signedBy` (their signatures did not come in time), by nonce.
   */
  votableTransfers(source: Side, due: { seen: boolean; now: number; signedBy: number }): StoredTransfer[] {
    return this.#statement(
      `SELECT * FROM transfers WHERE source = ? AND ((state = 'seen' AND ?) OR (state = 'failed' AND retry_at <= ?)
         OR (state = 'signed' AND COALESCE(signed_at, 0) <= ?)) ORDER BY nonce`,
    )
      .all(source, due.seen ? 1 : 0, due.now, due.signedBy)
      .map(transferOf);
  }

  /** How many transfers of `source` are in one of `states`. */
  countInStates(source: Side, states: readonly TransferState[]): number {
    const row = this.#statement(`SELECT COUNT(*) AS n FROM transfers WHERE source = ? AND state IN (${states.map(() => "?").join(", ")})`)
      .get(source, ...states);
    return row === undefined ? 0 : integer(row, "n");
  }

  /** How many transfers of `source` are recorded with a nonce from `from` to `to` (both included), in any state. */
  countTransfers(source: Side, from: bigint, to: bigint): number {
    const row = this.#statement("SELECT COUNT(*) AS n FROM transfers WHERE source = ? AND nonce BETWEEN ? AND ?")
      .get(source, Number(from), Number(to));
    return row === undefined ? 0 : integer(row, "n");
  }

  /** Every transfer of `source`, by nonce. */
  allTransfers(source: Side): StoredTransfer[] {
    return this.#statement("SELECT * FROM transfers WHERE source = ? ORDER BY nonce").all(source).map(transferOf);
  }

  /** How many transfers are in each state. */
  countByState(): Record<string, number> {
    const rows = this.#statement("SELECT state, COUNT(*) AS n FROM transfers GROUP BY state").all();
    return Object.fromEntries(rows.map((row) => [text(row, "state"), integer(row, "n")]));
  }

  /** Sets the given fields of the transfers `nonces` of `source`, in one transaction. */
  updateTransfers(source: Side, nonces: bigint[], update: TransferUpdate): void {
    const keys = Object.keys(update) as (keyof TransferUpdate)[];
    if (keys.length === 0 || nonces.length === 0) return;
    const sets = keys.map((key) => `${COLUMN[key]} = ?`).join(", ");
    const values = keys.map((key) => update[key] ?? null);
    const statement = this.#statement(`UPDATE transfers SET ${sets}, updated_at = ? WHERE source = ? AND nonce = ?`);
    this.#transaction(() => {
      const now = Date.now();
      for (const nonce of nonces) statement.run(...values, now, source, Number(nonce));
    });
  }

  updateTransfer(source: Side, nonce: bigint, update: TransferUpdate): void {
    this.updateTransfers(source, [nonce], update);
  }

  /** The fact `key` of the `meta` table, if recorded. */
  getMeta(key: string): string | undefined {
    const row = this.#statement("SELECT value FROM meta WHERE key = ?").get(key);
    return row === undefined ? undefined : text(row, "value");
  }

  setMeta(key: string, value: string): void {
    this.#statement("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
      .run(key, value);
  }

  /** Whether the store holds no state at all (no cursor, transfer, anchor or recovery record). */
  isEmpty(): boolean {
    const tables = ["cursor", "transfers", "anchors", "recovery"];
    return tables.every((table) => this.#statement(`SELECT 1 FROM ${table} LIMIT 1`).get() === undefined);
  }

  /** Forgets transfers `nonces` of `source` (stale: read again from the source chain before anything is signed). */
  forgetTransfers(source: Side, nonces: bigint[]): void {
    const statement = this.#statement("DELETE FROM transfers WHERE source = ? AND nonce = ?");
    this.#transaction(() => {
      for (const nonce of nonces) statement.run(source, Number(nonce));
    });
  }

  /** The scan cursor named `key` (`recovery-parent`, …), or undefined before the first scan. */
  getNamedCursor(key: string): number | undefined {
    const row = this.#statement("SELECT block FROM cursor WHERE side = ?").get(key);
    return row === undefined ? undefined : integer(row, "block");
  }

  setNamedCursor(key: string, block: number): void {
    this.#statement("INSERT INTO cursor (side, block) VALUES (?, ?) ON CONFLICT(side) DO UPDATE SET block = excluded.block")
      .run(key, block);
  }

  /** The recovery record of transfer `nonce` of `source`, if it was not paid out when handled. */
  getRecovery(source: Side, nonce: bigint): RecoveryRecord | undefined {
    const row = this.#statement("SELECT * FROM recovery WHERE source = ? AND nonce = ?").get(source, Number(nonce));
    return row === undefined ? undefined : recoveryOf(row);
  }

  /** The recovery records of `source` (every one, or those in `states`), by nonce. */
  recoveries(source: Side, states?: RecoveryState[]): RecoveryRecord[] {
    const rows = this.#statement("SELECT * FROM recovery WHERE source = ? ORDER BY nonce").all(source);
    return rows.map(recoveryOf).filter((record) => states === undefined || states.includes(record.state));
  }

  /** Creates or changes the recovery record of transfer `nonce` of `source` (a new one needs `state`). */
  updateRecovery(source: Side, nonce: bigint, update: RecoveryUpdate): void {
    const keys = Object.keys(update) as (keyof RecoveryUpdate)[];
    if (keys.length === 0) return;
    const columns = keys.map((key) => RECOVERY_COLUMN[key]);
    const values = keys.map((key) => {
      const value = update[key];
      return typeof value === "boolean" ? (value ? 1 : 0) : (value ?? null);
    });
    const now = Date.now();
    const updated = this.#statement(
      `UPDATE recovery SET ${columns.map((column) => `${column} = ?`).join(", ")}, updated_at = ? WHERE source = ? AND nonce = ?`,
    ).run(...values, now, source, Number(nonce));
    if (Number(updated.changes) > 0) return;
    if (update.state === undefined) throw new Error(`no recovery record of ${source} nonce ${nonce} to update`);
    this.#statement(
      `INSERT INTO recovery (source, nonce, ${columns.join(", ")}, updated_at) VALUES (?, ?, ${columns.map(() => "?").join(", ")}, ?)`,
    ).run(source, Number(nonce), ...values, now);
  }

  /** The highest child block this relayer anchored (or saw anchored), if any. */
  lastAnchor(): AnchorRecord | undefined {
    const row: Row | undefined = this.#statement("SELECT * FROM anchors ORDER BY block DESC LIMIT 1").get();
    return row === undefined ? undefined : anchorOf(row);
  }

  /** What this relayer did for child block `block`, if anything. */
  getAnchor(block: number): AnchorRecord | undefined {
    const row = this.#statement("SELECT * FROM anchors WHERE block = ?").get(block);
    return row === undefined ? undefined : anchorOf(row);
  }

  /** Records what this relayer did for child block `block`: `signed`, `voted`, `anchored` or `passed`. */
  recordAnchor(block: number, blockHash: string, state: string, tx: string | null, signedAt?: number): void {
    this.#statement(
        "INSERT INTO anchors (block, block_hash, tx, state, signed_at) VALUES (?, ?, ?, ?, ?) " +
          "ON CONFLICT(block) DO UPDATE SET block_hash = CASE WHEN excluded.block_hash = '' THEN anchors.block_hash " +
          "ELSE excluded.block_hash END, tx = COALESCE(excluded.tx, anchors.tx), state = excluded.state, " +
          "signed_at = COALESCE(excluded.signed_at, anchors.signed_at)",
      )
      .run(block, blockHash, tx, state, signedAt ?? null);
  }

  /** The anchors in `state`, by block. */
  anchorsInState(state: string): AnchorRecord[] {
    return this.#statement("SELECT * FROM anchors WHERE state = ? ORDER BY block").all(state).map(anchorOf);
  }
}
