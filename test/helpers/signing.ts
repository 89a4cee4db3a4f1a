// How the tests sign handle batches as operators do (no tests in this file).
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { TypedDataDomain } from "ethers";

import { packSignatures, signBatch, type SignedTransfer } from "../../src/signatures.js";

/** What each of `signers` signs with `sign`, packed as the contracts take signatures (sorted, deduplicated). */
export async function packedSignatures(
  signers: HardhatEthersSigner[],
  sign: (signer: HardhatEthersSigner) => Promise<string>,
): Promise<string> {
  return packSignatures(await Promise.all(signers.map(async (s) => ({ signer: s.address, signature: await sign(s) }))));
}

/** Signatures of `signers` over the batch `transfers` under `domain`, packed. */
export function signedBy(domain: TypedDataDomain, transfers: SignedTransfer[], signers: HardhatEthersSigner[]): Promise<string> {
  return packedSignatures(signers, (s) => signBatch(s, domain, transfers));
}

/** `signers` sorted by address, ascending (the order the contracts want signatures in). */
export function sortedByAddress<T extends { address: string }>(signers: T[]): T[] {
  return [...signers].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
}
