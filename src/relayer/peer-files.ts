/**
 * Reading the files other operators' relayers write (signature files of batches, anchors, cancellations and
 * refunds). Every one of them is untrusted input: a peer, or anyone who can write to the shared directory, may put a
 * named pipe, a device, a symlink to a file of this machine or a file of gigabytes where a signature file is
 * expected. A reader accepts only a regular file, opened without following a symlink and without blocking, of at most
 * `MAX_PEER_FILE_BYTES`; anything else is refused with a reason, never waited on, and never read whole.
 */
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { open, readdir, rename, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

import { Signature } from "ethers";
import type { TypedDataDomain } from "ethers";

/**
 * The largest signature file read: a batch of 200 transfers with a few hundred bytes of token URI and extra data
 * each is under 1 MiB; a file above this is refused (its batch then goes by votes).
 */
export const MAX_PEER_FILE_BYTES = 4 * 1024 * 1024;

/** The most files of one digest considered (a pair has at most 12 operators; the rest is noise or an attack). */
export const MAX_FILES_PER_DIGEST = 64;

/** Why a peer file was refused. */
export class PeerFileError extends Error {}

/**
 * The text of the peer file at `path`: a regular file (not a symlink, pipe, socket or device) of at most `maxBytes`,
 * opened with O_NOFOLLOW and O_NONBLOCK so that neither a symlink nor a named pipe without a writer can hang or
 * redirect the read. Throws a `PeerFileError` saying why it is refused, or the system error (ENOENT: removed
 * meanwhile).
 */
export async function readPeerFile(path: string, maxBytes = MAX_PEER_FILE_BYTES): Promise<string> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ELOOP" || code === "EMLINK") throw new PeerFileError("a symlink, not a file", { cause: error });
    throw error;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new PeerFileError("not a regular file");
    if (stat.size > maxBytes) throw new PeerFileError(`${stat.size} bytes, above the ${maxBytes}-byte limit`);
    // read at most one byte more than allowed: a file that grows after the check is refused too
    const buffer = Buffer.alloc(Math.min(stat.size, maxBytes) + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) throw new PeerFileError(`above the ${maxBytes}-byte limit`);
    return buffer.subarray(0, length).toString("utf8");
  } finally {
    await handle.close();
  }
}

/** The names of the sub-directories of `directory` that start with 0x (none when it does not exist). */
export async function listDigests(directory: string): Promise<string[]> {
  try {
    const entries = await readdir(directory, { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory() && entry.name.startsWith("0x")).map((entry) => entry.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/**
 * The entries named `*.json` of `directory` (none when it does not exist), by name, at most `MAX_FILES_PER_DIGEST`,
 * directories left out. Pipes, symlinks and the like are listed so that the reader refuses them with a reason
 * (`readPeerFile`), which it would have to do anyway for an entry swapped after the listing.
 */
export async function listJsonFiles(directory: string): Promise<string[]> {
  try {
    const entries = await readdir(directory, { withFileTypes: true });
    return entries
      .filter((entry) => !entry.isDirectory() && entry.name.endsWith(".json") && !entry.name.startsWith("."))
      .map((entry) => entry.name)
      .sort()
      .slice(0, MAX_FILES_PER_DIGEST);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/**
 * The signatures posted as files in `directory` (one digest's), each read with `readPeerFile` and checked by `check`
 * (its text and path; throws or returns why it is refused), one per signer. A file removed meanwhile (its action done)
 * is passed over; any other refusal goes to `onInvalid`.
 */
export async function readSignatureFiles<Entry extends { signer: string }>(
  directory: string,
  check: (text: string, path: string) => Entry | string,
  onInvalid?: (file: string, reason: string) => void,
): Promise<Entry[]> {
  const valid: Entry[] = [];
  for (const name of await listJsonFiles(directory)) {
    const path = join(directory, name);
    let result: Entry | string;
    try {
      result = check(await readPeerFile(path), path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      result = error instanceof Error ? error.message : String(error);
    }
    if (typeof result === "string") onInvalid?.(path, result);
    else valid.push(result);
  }
  return distinctSigners(valid);
}

/**
 * Keeps the first entry of each signer (addresses compared case-insensitively): a copy of one operator's signature
 * under a second file name counts once. Thresholds are counted over what this returns.
 */
export function distinctSigners<T extends { signer: string }>(entries: T[]): T[] {
  const seen = new Set<string>();
  return entries.filter((entry) => {
    const key = entry.signer.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Half the order of secp256k1: a signature with a larger `s` is the malleated twin of a valid one. */
const HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/**
 * A peer's 65-byte signature in its one canonical form (low `s`, `v` 27 or 28), as the contracts' ECDSA accepts it;
 * throws for anything else, so that a malleated copy of an operator's signature never reaches a submission.
 */
export function canonicalSignature(signature: unknown): string {
  if (typeof signature !== "string" || !/^0x[0-9a-fA-F]{130}$/.test(signature)) {
    throw new PeerFileError("the signature is not 65 bytes of hex");
  }
  const parsed = Signature.from(signature);
  if (BigInt(parsed.s) > HALF_ORDER) throw new PeerFileError("a malleable signature (high s)");
  return parsed.serialized;
}

/** The directory of one exchange under `directory`: `<chainId>-<verifying contract lowercase>`. */
export function exchangeRoot(directory: string, domain: TypedDataDomain): string {
  return join(directory, `${String(domain.chainId)}-${String(domain.verifyingContract).toLowerCase()}`);
}

/** Writes `data` as JSON to `path` through a temporary file in the same directory and a rename. */
export async function writeJsonAtomically(path: string, data: unknown): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  await writeFile(temporary, JSON.stringify(data, null, 2));
  await rename(temporary, path);
}
