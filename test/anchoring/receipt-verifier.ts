import { expect } from "chai";

import { receiptProofArgs, type TransactionProofJson } from "../../src/proofs/index.js";
import { anchoredBlockProof, anchoredBlocksTree, readAnchoredBlocks } from "../../src/protocol/anchor.js";
import type { ProvenTransferRecorder, ReceiptVerifier } from "../../types/ethers-contracts/index.js";
import { anchoredChains, PERIOD, proveOn, type AnchoredChains } from "../helpers/anchored-chain.js";

/** A 24-transaction child block, as in LayerZero's measurement of receipt proofs. */
const BUSY_BLOCK = 24;

describe("ReceiptVerifier and a consumer of proven child events (on chain)", function () {
  let chains: AnchoredChains;
  let verifier: ReceiptVerifier;
  let recorder: ProvenTransferRecorder;

  before(async function () {
    chains = await anchoredChains(BUSY_BLOCK);
    const { ethers } = chains.parent;
    verifier = (await ethers.deployContract("ReceiptVerifier", [chains.receiver.target]));
    recorder = (await ethers.deployContract("ProvenTransferRecorder", [verifier.target, chains.token.target]));
  });

  after(async function () {
    await chains?.close();
  });

  const prove = (txHash: string) => proveOn(chains, txHash);

  it("returns the status and logs of a receipt in an anchored block, and of one between anchors", async function () {
    for (const txHash of [chains.txs.anchoredBlock, chains.txs.betweenAnchors, chains.txs.busyBlock[17]]) {
      const proof = await prove(txHash);
      const [status, logs] = await verifier.verifyReceipt(receiptProofArgs(proof));
      expect(status).to.equal(1n);
      expect(logs).to.have.length(1);
      const transfer = chains.token.interface.parseLog({ topics: [...logs[0].topics], data: logs[0].data })!;
      expect(transfer.name).to.equal("Transfer");
      expect(logs[0].emitter).to.equal(chains.token.target);
    }
  });

  it("lets a parent contract act once on a proven child Transfer", async function () {
    const proof = await prove(chains.txs.busyBlock[3]);
    const args = receiptProofArgs(proof);
    const receipt = await chains.child.ethers.provider.getTransactionReceipt(chains.txs.busyBlock[3]);
    const transfer = chains.token.interface.parseLog(receipt!.logs[0])!;
    await expect(recorder.record(args, 0n))
      .to.emit(recorder, "ChildTransferProven")
      .withArgs(BigInt(proof.block.number), transfer.args.from, transfer.args.to, transfer.args.value);
    expect(await recorder.provenReceived(String(transfer.args.to))).to.equal(transfer.args.value);
    await expect(recorder.record(args, 0n)).to.be.revertedWithCustomError(recorder, "AlreadyRecorded");
    await expect(recorder.record(args, 1n)).to.be.revertedWithCustomError(recorder, "NotATransferOfTheToken").withArgs(1n);
  });

  it("refuses a receipt after the latest anchor, tampered, moved to another block, or against a conflicting anchor", async function () {
    const proof = await prove(chains.txs.busyBlock[5]);
    const args = receiptProofArgs(proof);

    // after the latest anchor: no accepted anchor holds the block
    const latest = BigInt(proof.anchor.blockNumber);
    const after = { ...args, childBlock: { ...args.childBlock, number: latest + 3n } };
    await expect(verifier.verifyReceipt(after)).to.be.revertedWithCustomError(verifier, "BlockNotAnchored").withArgs(latest + 3n);

    // tampered: the leaf node of the receipt changed by one byte
    const leaf = args.receiptProof.at(-1)!;
    const tampered = { ...args, receiptProof: [...args.receiptProof.slice(0, -1), `${leaf.slice(0, -2)}${leaf.endsWith("00") ? "01" : "00"}`] };
    const lastNode = BigInt(args.receiptProof.length - 1);
    await expect(verifier.verifyReceipt(tampered)).to.be.revertedWithCustomError(verifier, "InvalidTrieProof").withArgs(lastNode);
    await expect(recorder.record(tampered, 0n)).to.be.revertedWithCustomError(verifier, "InvalidTrieProof").withArgs(lastNode);

    // another block of the range, with its own valid leaf proof: the receipt is not under its root
    const blocks = await readAnchoredBlocks(chains.child.ethers.provider, latest, PERIOD);
    const other = blocks.find((block) => block.number === PERIOD + 1n)!;
    const moved = { ...args, childBlock: other, blockProof: anchoredBlockProof(anchoredBlocksTree(blocks), other) };
    await expect(verifier.verifyReceipt(moved)).to.be.revertedWithCustomError(verifier, "InvalidTrieProof").withArgs(0n);

    // a conflicting anchor whose range claims the block under a forged receipts root
    const forged = { ...args.childBlock, receiptsRoot: `0x${"cd".repeat(32)}` };
    const tree = anchoredBlocksTree([forged]);
    const conflicting = { ...args.anchor, blocksRoot: tree.root, blockCount: 1n, blockNumber: forged.number };
    const against = { ...args, anchor: conflicting, childBlock: forged, blockProof: anchoredBlockProof(tree, forged) };
    await expect(verifier.verifyReceipt(against)).to.be.revertedWithCustomError(verifier, "BlockNotAnchored").withArgs(forged.number);
  });

  it("measures one receipt proof from a 24-transaction block", async function () {
    const proof: TransactionProofJson = await prove(chains.txs.busyBlock[BUSY_BLOCK - 2]);
    const gas = await verifier.verifyReceipt.estimateGas(receiptProofArgs(proof));
    console.log(`      verifyReceipt gas (24-transaction block): ${gas}`);
    expect(Number(gas)).to.be.greaterThan(21_000);
  });
});
