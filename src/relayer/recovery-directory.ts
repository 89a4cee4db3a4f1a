/**
 * The cancel and refund signatures of one recovery ledger, exchanged through the directory shared by the operators'
 * relayers (one implementation of `SignatureExchange`).
 *
 * Signature files: `<signatureDir>/<chainId>-<recovery ledger lowercase>/<digest lowercase>/<signer lowercase>.json`,
 * written atomically, format `servicechain-bridge/recovery-signature@1`:
 *
 *   { "format", "kind": "cancel" | "refund", "chainId", "recovery": "0x…", "digest": "0x…", "signer": "0x…",
 *     "signature": "0x…(65 bytes r‖s‖v)", "transfer": { …the Transfer fields, numbers as decimal strings… },
 *     "createdAt" }
 *
 * A reader recomputes the digest from `kind` and `transfer` and recovers the signer; it only reads the directory of
 * a digest it computed itself from the transfer it holds.
 */
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";

import { getAddress, recoverAddress } from "ethers";
import type { TypedDataDomain } from "ethers";

import { recoveryDigest } from "../protocol/eip712.js";
import type { RecoveryKind } from "../protocol/eip712.js";
import { transferFromJson, transferToJson } from "../protocol/transfer-json.js";
import type { SignedTransfer } from "../protocol/transfer.js";
import type { OnInvalid, RecoverySignature, SignatureExchange } from "./exchange.js";
import { canonicalSignature, exchangeRoot, listDigests, readSignatureFiles, writeJsonAtomically } from "./peer-files.js";

export type { RecoverySignature } from "./exchange.js";

export const RECOVERY_SIGNATURE_FORMAT = "servicechain-bridge/recovery-signature@1";

/** The cancel and refund signatures exchanged for one recovery ledger (see the module comment). */
export class RecoverySignatureDirectory implements SignatureExchange<RecoverySignature> {
  readonly root: string;

  constructor(
    directory: string,
    readonly domain: TypedDataDomain,
  ) {
    this.root = exchangeRoot(directory, domain);
  }

  /** The digest an approval of `kind` for `transfer` signs on this ledger. */
  digestOf(kind: RecoveryKind, transfer: SignedTransfer): string {
    return recoveryDigest(this.domain, kind, transfer);
  }

  /** Writes this operator's approval signature, atomically. */
  async post(entry: RecoverySignature): Promise<void> {
    const dir = join(this.root, entry.digest.toLowerCase());
    await mkdir(dir, { recursive: true });
    await writeJsonAtomically(join(dir, `${entry.signer.toLowerCase()}.json`), {
      format: RECOVERY_SIGNATURE_FORMAT,
      kind: entry.kind,
      chainId: String(this.domain.chainId),
      recovery: String(this.domain.verifyingContract),
      digest: entry.digest,
      signer: entry.signer,
      signature: entry.signature,
      transfer: transferToJson(entry.transfer),
      createdAt: new Date().toISOString(),
    });
  }

  /**
   * The valid approvals of `digest`: files whose kind and transfer hash to it on this ledger and whose signature
   * recovers to the named signer, one per signer; `onInvalid` hears of the files refused.
   */
  async read(digest: string, onInvalid?: OnInvalid): Promise<RecoverySignature[]> {
    return readSignatureFiles(
      join(this.root, digest.toLowerCase()),
      (text) => {
        const file = JSON.parse(text) as Record<string, unknown>;
        if (file.format !== RECOVERY_SIGNATURE_FORMAT) throw new Error(`unknown format ${String(file.format)}`);
        if (file.kind !== "cancel" && file.kind !== "refund") throw new Error(`a ${String(file.kind)} signature`);
        const kind: RecoveryKind = file.kind;
        const transfer = transferFromJson(file.transfer);
        if (this.digestOf(kind, transfer).toLowerCase() !== digest.toLowerCase()) {
          throw new Error("kind and transfer do not hash to the digest");
        }
        const signature = canonicalSignature(file.signature);
        const signer = getAddress(recoverAddress(digest, signature));
        if (signer.toLowerCase() !== String(file.signer).toLowerCase()) throw new Error(`signed by ${signer}`);
        return { digest, signer, signature, kind, transfer };
      },
      onInvalid,
    );
  }

  async proposals(): Promise<string[]> {
    return listDigests(this.root);
  }

  async remove(digest: string): Promise<void> {
    await rm(join(this.root, digest.toLowerCase()), { recursive: true, force: true });
  }
}
