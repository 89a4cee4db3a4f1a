/**
 * The signature board's posts (contracts/exchange/SignatureBoard.sol): the kinds of signed action and how a post
 * names its action in 32 bytes. A post never carries the content signed: each reader rebuilds it from the chains by
 * the name, hashes it and compares the digest.
 *
 * Names, as bytes32 (big-endian, unused bytes zero):
 * - batch:  byte 0 the source side (0 parent, 1 child), bytes 1–8 the first request nonce, bytes 9–16 the last one:
 *           the batch holds every request of that run of nonces, in nonce order (a run inside one batch window);
 * - anchor: the child block number (uint256);
 * - cancel, refund: byte 0 the side of the transfer's source, bytes 1–8 its request nonce.
 */
import { getBytes, hexlify, toBeHex, zeroPadValue } from "ethers";

import type { Side } from "./transfer.js";

/** `ISignatureBoard.Kind`. */
export const BoardKind = { Batch: 0, Anchor: 1, Cancel: 2, Refund: 3 } as const;
export type BoardKindValue = (typeof BoardKind)[keyof typeof BoardKind];

/** A kind's name for people (log lines): `batch`, `anchor`, `cancel`, `refund`; a number outside the enum as itself. */
export function boardKindName(kind: number): string {
  const entry = Object.entries(BoardKind).find(([, value]) => value === kind);
  return entry === undefined ? String(kind) : entry[0].toLowerCase();
}

/** `SignatureBoard.MAX_POSTS`: the most posts in one transaction. */
export const MAX_BOARD_POSTS = 64;

/** The longest run of nonces a batch name may cover (a reader refuses a longer one unread). */
export const MAX_BATCH_RUN = 1024n;

const MAX_UINT64 = 2n ** 64n - 1n;

const SIDE_CODE: Record<Side, number> = { parent: 0, child: 1 };

function sideOf(code: number): Side | undefined {
  return code === 0 ? "parent" : code === 1 ? "child" : undefined;
}

function uint64At(bytes: Uint8Array, offset: number): bigint {
  return BigInt(hexlify(bytes.subarray(offset, offset + 8)));
}

function isZero(bytes: Uint8Array): boolean {
  return bytes.every((byte) => byte === 0);
}

function packed(side: Side, ...numbers: bigint[]): string {
  const bytes = new Uint8Array(32);
  bytes[0] = SIDE_CODE[side];
  numbers.forEach((value, index) => {
    if (value < 0n || value > MAX_UINT64) throw new Error(`${value} is not a uint64`);
    bytes.set(getBytes(zeroPadValue(toBeHex(value), 8)), 1 + index * 8);
  });
  return hexlify(bytes);
}

/** The name of the batch of `source`'s requests `first` to `last` (inclusive). */
export function batchName(source: Side, first: bigint, last: bigint): string {
  if (last < first || last - first >= MAX_BATCH_RUN) throw new Error(`nonces ${first} to ${last} are not a batch run`);
  return packed(source, first, last);
}

/** The source side and nonce run a batch name gives, or why it is not one. */
export function parseBatchName(name: string): { source: Side; first: bigint; last: bigint } | string {
  const bytes = getBytes(name);
  if (bytes.length !== 32) return "not 32 bytes";
  const source = sideOf(bytes[0]);
  if (source === undefined) return `side ${bytes[0]} is neither parent (0) nor child (1)`;
  if (!isZero(bytes.subarray(17))) return "bytes after the nonces are not zero";
  const [first, last] = [uint64At(bytes, 1), uint64At(bytes, 9)];
  if (last < first || last - first >= MAX_BATCH_RUN) return `nonces ${first} to ${last} are not a batch run`;
  return { source, first, last };
}

/** The name of the anchor of child block `blockNumber`. */
export function anchorName(blockNumber: bigint): string {
  return zeroPadValue(toBeHex(blockNumber), 32);
}

/** The child block an anchor name gives, or why it is not one. */
export function parseAnchorName(name: string): bigint | string {
  const value = BigInt(name);
  return value > MAX_UINT64 ? "not a block number" : value;
}

/** The name of a cancellation or refund of `source`'s request `nonce`. */
export function recoveryName(source: Side, nonce: bigint): string {
  return packed(source, nonce);
}

/** The source side and nonce a cancel or refund name gives, or why it is not one. */
export function parseRecoveryName(name: string): { source: Side; nonce: bigint } | string {
  const bytes = getBytes(name);
  const source = sideOf(bytes[0]);
  if (source === undefined) return `side ${bytes[0]} is neither parent (0) nor child (1)`;
  if (!isZero(bytes.subarray(9))) return "bytes after the nonce are not zero";
  return { source, nonce: uint64At(bytes, 1) };
}
