/**
 * Anchor signatures: the EIP-712 digest operators sign for an anchor (`src/protocol/anchor.ts` defines its content)
 * and the directory through which their relayers exchange those signatures.
 */
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";

import { Signature, TypedDataEncoder, getAddress, verifyTypedData } from "ethers";
import type { Signer, TypedDataDomain } from "ethers";

import { ANCHOR_TYPES, anchoringDomain } from "../protocol/eip712.js";
import { anchorFromJson, dueAnchorBlocks, readAnchor, type AnchorData, type AnchorJson } from "../protocol/anchor.js";
import { canonicalSignature, listDigests, readSignatureFiles, writeJsonAtomically } from "./peer-files.js";
import type { OnInvalid, SignatureExchange, SignedEntry } from "./exchange.js";

export { ANCHOR_TYPES, anchoringDomain, dueAnchorBlocks, readAnchor };

export type { AnchorData } from "../protocol/anchor.js";

/** The digest operators sign for `anchor` (equal to the receiver's `anchorDigest`). */
export function anchorDigest(domain: TypedDataDomain, anchor: AnchorData): string {
  return TypedDataEncoder.hash(domain, ANCHOR_TYPES, anchor);
}

export const ANCHOR_SIGNATURE_FILE_FORMAT = "servicechain-bridge/anchor-signature@2";

/** One operator's signature over one anchor. */
export interface AnchorSignature extends SignedEntry {
  anchor: AnchorData;
}

/** `signer`'s signature of `anchor` under `domain` (an AnchoringReceiver's), ready to post. */
export async function signAnchorEntry(signer: Signer, domain: TypedDataDomain, anchor: AnchorData): Promise<AnchorSignature> {
  const digest = anchorDigest(domain, anchor);
  const signature = Signature.from(await signer.signTypedData(domain, ANCHOR_TYPES, anchor)).serialized;
  return { digest, signer: getAddress(await signer.getAddress()), signature, anchor };
}

function anchorToJson(anchor: AnchorData): AnchorJson {
  return Object.fromEntries(Object.entries(anchor).map(([key, value]) => [key, String(value)])) as AnchorJson;
}

/**
 * The anchor signatures of one AnchoringReceiver, exchanged like the batch signatures:
 * `<dir>/<chainId>-<receiver lowercase>/<anchor digest>/<signer lowercase>.json`, each file
 * `{ "format": "servicechain-bridge/anchor-signature@2", "chainId", "receiver", "digest", "signer", "signature",
 *    "anchor": { blockNumber, blockHash, parentHash, transactionsRoot, receiptsRoot, stateRoot, blocksRoot, blockCount, txCount } }`.
 * Every operator computes the anchor of a block itself, so equal anchors meet in the same directory.
 */
export class AnchorSignatureDirectory implements SignatureExchange<AnchorSignature> {
  readonly root: string;

  constructor(
    directory: string,
    readonly domain: TypedDataDomain,
  ) {
    this.root = join(directory, `${String(domain.chainId)}-${String(domain.verifyingContract).toLowerCase()}`);
  }

  /** Writes this operator's signature of an anchor, atomically. */
  async post(entry: AnchorSignature): Promise<void> {
    const directory = join(this.root, entry.digest.toLowerCase());
    await mkdir(directory, { recursive: true });
    await writeJsonAtomically(join(directory, `${entry.signer.toLowerCase()}.json`), {
      format: ANCHOR_SIGNATURE_FILE_FORMAT,
      chainId: String(this.domain.chainId),
      receiver: String(this.domain.verifyingContract),
      digest: entry.digest,
      signer: entry.signer,
      signature: entry.signature,
      anchor: anchorToJson(entry.anchor),
      createdAt: new Date().toISOString(),
    });
  }

  async proposals(): Promise<string[]> {
    return listDigests(this.root);
  }

  /** The valid signatures of `digest` (recomputed digest, recovered signer); others reported to `onInvalid`. */
  async read(digest: string, onInvalid?: OnInvalid): Promise<AnchorSignature[]> {
    return readSignatureFiles(
      join(this.root, digest.toLowerCase()),
      (text) => {
        const file = JSON.parse(text) as { format: string; signer: string; signature: string; anchor: AnchorJson };
        if (file.format !== ANCHOR_SIGNATURE_FILE_FORMAT) throw new Error(`unknown format ${String(file.format)}`);
        const anchor = anchorFromJson(file.anchor);
        const computed = anchorDigest(this.domain, anchor);
        if (computed.toLowerCase() !== digest.toLowerCase()) throw new Error("anchor does not hash to the digest");
        const signature = canonicalSignature(file.signature);
        const signer = getAddress(verifyTypedData(this.domain, ANCHOR_TYPES, anchor, signature));
        if (signer.toLowerCase() !== String(file.signer).toLowerCase()) throw new Error(`signed by ${signer}`);
        return { digest: computed, signer, signature, anchor };
      },
      onInvalid,
    );
  }

  async remove(digest: string): Promise<void> {
    await rm(join(this.root, digest.toLowerCase()), { recursive: true, force: true });
  }
}
