/**
 * The roots a block commits to its transactions and receipts with, per Kaia's `DeriveShaImpl` (Ethereum chains use
 * the trie): `trie` (0, Kaia's default and Ethereum's) is the Merkle-Patricia trie keyed by the RLP of each item's
 * index, built and proven with `@ethereumjs/mpt`; `concat` (2) is one keccak over the concatenated items, so its
 * "proof" is every item of the block.
 */
import { createMPT, createMerkleProof, verifyMPTWithMerkleProof } from "@ethereumjs/mpt";
import { concat, getBytes, hexlify, keccak256 } from "ethers";

import { trieKey } from "./encoding.js";

export type RootMode = "trie" | "concat";

async function trieOf(items: string[]) {
  const trie = await createMPT();
  for (const [index, item] of items.entries()) await trie.put(getBytes(trieKey(index)), getBytes(item));
  return trie;
}

/** The root of `items` in `mode`. */
export async function rootOf(mode: RootMode, items: string[]): Promise<string> {
  if (mode === "concat") return keccak256(items.length === 0 ? "0x" : concat(items));
  return hexlify((await trieOf(items)).root());
}

/** The trie proof of item `index` of `items` (the nodes from the root to its leaf). */
export async function trieProof(items: string[], index: number): Promise<string[]> {
  const proof = await createMerkleProof(await trieOf(items), getBytes(trieKey(index)));
  return proof.map((node) => hexlify(node));
}

/** The item at `index` that `proof` shows under `root`; throws when the proof does not lead there. */
export async function provenItem(root: string, index: number, proof: string[]): Promise<string> {
  let value: Uint8Array | null;
  try {
    value = await verifyMPTWithMerkleProof(await createMPT(), getBytes(root), getBytes(trieKey(index)), proof.map((node) => getBytes(node)));
  } catch (error) {
    throw new Error(`the trie proof does not match the root ${root}`, { cause: error });
  }
  if (value === null) throw new Error(`the trie under ${root} has no item ${index}`);
  return hexlify(value);
}

/** Which mode builds `root` from `items` (trie first), or undefined when neither does. */
export async function modeOf(root: string, items: string[]): Promise<RootMode | undefined> {
  for (const mode of ["trie", "concat"] as const) {
    if ((await rootOf(mode, items)) === root.toLowerCase()) return mode;
  }
  return undefined;
}
