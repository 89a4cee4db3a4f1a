/**
 * The signed handle path: the EIP-712 typed data operators sign over a batch of transfers, and the shared directory
 * through which the operators' relayers exchange their signatures.
 *
 * Directory layout (one directory per destination bridge, one sub-directory per batch, one file per operator):
 *
 *   <dir>/<chainId>-<bridge lowercase>/<batch digest>/<signer lowercase>.json
 *
 * Each file is written to a temporary name in the same directory and renamed, so a reader sees a whole file or none.
 * Its content (JSON, numbers as decimal strings):
 *
 *   { "format": "servicechain-bridge/handle-batch-signature@1", "chainId": "31338", "bridge": "0x…",
 *     "digest": "0x…", "signer": "0x…", "signature": "0x…(65 bytes r‖s‖v)",
 *     "transfers": [ { "requestTxHash", "tokenType", "from", "to", "tokenAddress", "valueOrTokenId",
 *                      "requestNonce", "requestBlockNumber", "tokenURI", "extraData" }, … ],
 *     "createdAt": "ISO time" }
 *
 * A reader trusts nothing in a file: it recomputes the digest from the transfers (once per batch: a later signature
 * of a batch it hashed is checked against that digest), recovers the signer from the signature, and checks each
 * transfer against the source chain before it signs the batch itself.
 */
import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

import { getAddress, recoverAddress } from "ethers";
import type { TypedDataDomain } from "ethers";

import { batchDigest } from "../signatures.js";
import type { SignedTransfer } from "../signatures.js";
import { canonicalSignature, listDigests, readSignatureFiles } from "./peer-files.js";
import type { ExchangeWiring, OnInvalid, SignatureExchange, SignedEntry } from "./exchange.js";
import { checksumAddress } from "./types.js";

export { listDigests, listJsonFiles } from "./peer-files.js";

export {
  HANDLE_BATCH_TYPES,
  batchDigest,
  bridgeDomain,
  encodeHandleSignedTransfers,
  packSignatures,
  signBatch,
} from "../signatures.js";

export const SIGNATURE_FILE_FORMAT = "servicechain-bridge/handle-batch-signature@1";

/** The signer of `signature` over the batch. */
export function recoverBatchSigner(domain: TypedDataDomain, transfers: SignedTransfer[], signature: string): string {
  return getAddress(recoverAddress(batchDigest(domain, transfers), signature));
}

/** One operator's signature of a batch, as read and checked. */
export interface BatchSignature extends SignedEntry {
  transfers: SignedTransfer[];
}

interface SignatureFile {
  format: string;
  chainId: string;
  bridge: string;
  digest: string;
  signer: string;
  signature: string;
  transfers: Record<string, string | number>[];
  createdAt: string;
}

/** A transfer as written in a signature file (big numbers as decimal strings). */
export function transferToJson(transfer: SignedTransfer): Record<string, string | number> {
  return {
    requestTxHash: transfer.requestTxHash,
    tokenType: transfer.tokenType,
    from: transfer.from,
    to: transfer.to,
    tokenAddress: transfer.tokenAddress,
    valueOrTokenId: transfer.valueOrTokenId.toString(),
    requestNonce: transfer.requestNonce.toString(),
    requestBlockNumber: transfer.requestBlockNumber.toString(),
    tokenURI: transfer.tokenURI,
    extraData: transfer.extraData,
  };
}

/** A transfer read back from a signature file, addresses checksummed. */
export function transferFromJson(json: Record<string, string | number>): SignedTransfer {
  return {
    requestTxHash: String(json.requestTxHash),
    tokenType: Number(json.tokenType),
    from: checksumAddress(String(json.from)),
    to: checksumAddress(String(json.to)),
    tokenAddress: checksumAddress(String(json.tokenAddress)),
    valueOrTokenId: BigInt(json.valueOrTokenId),
    requestNonce: BigInt(json.requestNonce),
    requestBlockNumber: BigInt(json.requestBlockNumber),
    tokenURI: String(json.tokenURI),
    extraData: String(json.extraData),
  };
}

/** Writes `data` as JSON to `path` through a temporary file in the same directory and a rename. */
export async function writeJsonAtomically(path: string, data: unknown): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  await writeFile(temporary, JSON.stringify(data, null, 2));
  await rename(temporary, path);
}

/**
 * The signature exchange of one destination bridge, over a directory shared by the operators' relayers (on one
 * machine, or on a shared file system).
 */
export class SignatureDirectory implements SignatureExchange<BatchSignature> {
  readonly #root: string;
  /**
   * What `read` made of each file it checked, keyed by path, with the file's exact text: a file read again with the
   * same text gives the same result without hashing its batch again (a relayer reads every pending batch at each step).
   */
  readonly #checked = new Map<string, { text: string; result: BatchSignature | string }>();
  /**
   * The transfers of the batches whose digest this directory computed itself (written by this relayer or read and
   * checked): a signature of such a batch is checked against that digest without hashing the file's transfers.
   */
  readonly #batches = new Map<string, SignedTransfer[]>();

  constructor(
    directory: string,
    readonly domain: TypedDataDomain,
  ) {
    this.#root = join(directory, `${String(domain.chainId)}-${String(domain.verifyingContract).toLowerCase()}`);
  }

  get root(): string {
    return this.#root;
  }

  /** Writes this operator's signature of a batch, atomically. */
  async post(entry: BatchSignature): Promise<void> {
    const batchDir = join(this.#root, entry.digest.toLowerCase());
    this.#remember(entry.digest, entry.transfers);
    await mkdir(batchDir, { recursive: true });
    const file: SignatureFile = {
      format: SIGNATURE_FILE_FORMAT,
      chainId: String(this.domain.chainId),
      bridge: String(this.domain.verifyingContract),
      digest: entry.digest,
      signer: entry.signer,
      signature: entry.signature,
      transfers: entry.transfers.map(transferToJson),
      createdAt: new Date().toISOString(),
    };
    await writeJsonAtomically(join(batchDir, `${entry.signer.toLowerCase()}.json`), file);
  }

  /** The digests of every batch with at least one signature. */
  async proposals(): Promise<string[]> {
    return listDigests(this.#root);
  }

  /**
   * The valid signatures of batch `digest`, one per signer: files whose transfers hash to the digest under this
   * domain and whose signature recovers to the named signer. Invalid files are skipped (and reported through
   * `onInvalid`); a second file of a signer already read (a copy under another name) is left out.
   */
  async read(digest: string, onInvalid?: OnInvalid): Promise<BatchSignature[]> {
    return readSignatureFiles(
      join(this.#root, digest.toLowerCase()),
      (text, path) => {
        let checked = this.#checked.get(path);
        if (checked === undefined || checked.text !== text) {
          checked = { text, result: this.#check(digest, text) };
          this.#checked.set(path, checked);
        }
        const result = checked.result;
        return typeof result === "string" ? result : { ...result, transfers: [...result.transfers] };
      },
      onInvalid,
    );
  }

  /** The signature in `text` (a file of batch `digest`) once checked, or why it is refused. */
  #check(digest: string, text: string): BatchSignature | string {
    try {
      const file = JSON.parse(text) as SignatureFile;
      if (file.format !== SIGNATURE_FILE_FORMAT) throw new Error(`unknown format ${String(file.format)}`);
      // a batch hashed before: the signature is checked against its digest, and its transfers are the ones hashed
      const key = digest.toLowerCase();
      let transfers = this.#batches.get(key);
      let computed = digest;
      if (transfers === undefined) {
        transfers = file.transfers.map(transferFromJson);
        computed = batchDigest(this.domain, transfers);
        if (computed.toLowerCase() !== key) throw new Error("transfers do not hash to the digest");
        this.#remember(computed, transfers);
      }
      const signature = canonicalSignature(file.signature);
      const signer = getAddress(recoverAddress(computed, signature));
      if (signer.toLowerCase() !== String(file.signer).toLowerCase()) throw new Error(`signed by ${signer}`);
      return { digest: computed, signer, signature, transfers };
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  #remember(digest: string, transfers: SignedTransfer[]): void {
    if (this.#batches.size >= 1000) this.#batches.clear();
    this.#batches.set(digest.toLowerCase(), transfers);
  }

  /** Removes a batch's files (once all its transfers are handled). */
  async remove(digest: string): Promise<void> {
    const batchDir = join(this.#root, digest.toLowerCase());
    this.#batches.delete(digest.toLowerCase());
    for (const path of this.#checked.keys()) if (dirname(path) === batchDir) this.#checked.delete(path);
    await rm(join(this.#root, digest.toLowerCase()), { recursive: true, force: true });
  }
}

/** The shared directory `directory` as the relayer's signature exchange. */
export function directoryWiring(directory: string): ExchangeWiring {
  return { name: "dir", batches: ({ domain }) => new SignatureDirectory(directory, domain) };
}
