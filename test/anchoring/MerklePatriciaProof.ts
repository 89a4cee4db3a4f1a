// MerklePatriciaProof (the on-chain trie proof reader) against tries and proofs built by @ethereumjs/mpt: every item
// of tries of many sizes and value lengths (short values give nodes embedded in their parents), and proofs that must
// be refused.
import { expect } from "chai";
import { hexlify, randomBytes } from "ethers";
import { network } from "hardhat";

import { rootOf } from "../../src/proofs/index.js";
import { trieKey } from "../../src/proofs/encoding.js";
import { trieProof } from "../../src/proofs/roots.js";

const { ethers, networkHelpers } = await network.create();

async function deploy() {
  return (await ethers.deployContract("MerklePatriciaProofHarness"));
}

/** `count` items of `minLength`..`maxLength` random bytes. */
function items(count: number, minLength: number, maxLength: number): string[] {
  return Array.from({ length: count }, () => hexlify(randomBytes(minLength + Math.floor(Math.random() * (maxLength - minLength + 1)))));
}

describe("MerklePatriciaProof", function () {
  for (const [count, minLength, maxLength] of [
    [1, 40, 40],
    [3, 1, 4],
    [24, 100, 500],
    [40, 1, 20],
    [130, 1, 60],
    [300, 30, 40],
  ] as const) {
    it(`reads every item of a ${count}-item trie with values of ${minLength}-${maxLength} bytes`, async function () {
      const harness = await networkHelpers.loadFixture(deploy);
      const values = items(count, minLength, maxLength);
      const root = await rootOf("trie", values);
      const indexes = count <= 40 ? values.keys() : [0, 1, 15, 16, 127, 128, 129, count - 1].filter((index) => index < count);
      for (const index of indexes) {
        expect(await harness.get(root, trieKey(index), await trieProof(values, index))).to.equal(values[index]);
      }
    });
  }

  it("refuses a proof for another key, a missing key, a tampered node, a wrong root and a cut proof", async function () {
    const harness = await networkHelpers.loadFixture(deploy);
    const values = items(24, 100, 200);
    const root = await rootOf("trie", values);
    const proof = await trieProof(values, 5);
    await expect(harness.get(root, trieKey(6), proof)).to.be.revertedWithCustomError(harness, "InvalidTrieProof");
    await expect(harness.get(root, trieKey(24), proof)).to.be.revertedWithCustomError(harness, "InvalidTrieProof");
    const leaf = proof.at(-1)!;
    const tampered = [...proof.slice(0, -1), `${leaf.slice(0, -2)}${leaf.endsWith("00") ? "01" : "00"}`];
    await expect(harness.get(root, trieKey(5), tampered)).to.be.revertedWithCustomError(harness, "InvalidTrieProof");
    await expect(harness.get(await rootOf("trie", values.slice(1)), trieKey(5), proof)).to.be.revertedWithCustomError(harness, "InvalidTrieProof");
    await expect(harness.get(root, trieKey(5), proof.slice(0, -1))).to.be.revertedWithCustomError(harness, "InvalidTrieProof");
    await expect(harness.get(root, trieKey(5), [])).to.be.revertedWithCustomError(harness, "InvalidTrieProof");
  });
});
