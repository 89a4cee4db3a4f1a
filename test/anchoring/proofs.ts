import { expect } from "chai";

import { hexlify, keccak256, randomBytes, zeroPadValue } from "ethers";

import { encodeReceipt, rootOf, verifyProof, type TransactionProofJson } from "../../src/proofs/index.js";
import { TRANSACTION_PROOF_FORMAT, stringify } from "../../src/proofs/types.js";
import { anchoredBlocksTree, anchoredBlockProof, readAnchoredBlocks, type AnchorData } from "../../src/protocol/anchor.js";
import { anchoredChains, PERIOD, proveOn, type AnchoredChains } from "../helpers/anchored-chain.js";

describe("transaction proofs against the anchors (off chain)", function () {
  let chains: AnchoredChains;

  before(async function () {
    chains = await anchoredChains();
  });

  after(async function () {
    await chains?.close();
  });

  const prove = (txHash: string) => proveOn(chains, txHash);

  async function refusal(run: () => Promise<unknown>): Promise<string> {
    try {
      await run();
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error("expected a refusal");
  }

  it("proves a transaction of an anchored block: its receipt, logs, anchor and the operators' signatures", async function () {
    const proof = await prove(chains.txs.anchoredBlock);
    expect(proof.mode).to.equal("trie");
    expect(proof.encoding).to.equal("ethereum");
    const portable = JSON.parse(JSON.stringify(proof)) as TransactionProofJson;
    const verified = await verifyProof(portable, chains.parent.ethers.provider);
    expect(verified.blockNumber).to.equal(PERIOD);
    expect(verified.receipt.success).to.equal(true);
    expect(verified.receipt.logs).to.have.length(1);
    const transfer = chains.token.interface.parseLog(verified.receipt.logs[0])!;
    expect(transfer.name).to.equal("Transfer");
    expect(transfer.args.value).to.equal(5n);
    expect(verified.receipt.logs[0].address).to.equal((chains.token.target as string).toLowerCase());
    expect(verified.anchor.blockNumber).to.equal(PERIOD);
    expect(verified.anchor.firstBlock).to.equal(1n);
    expect(verified.approvals).to.deep.equal({ path: "signatures", operators: 2 });
    expect(verified.headerChecked).to.equal(true);
  });

  it("proves a transaction between anchors, in a busy block, against the voted anchor of its range", async function () {
    for (const txHash of [chains.txs.betweenAnchors, chains.txs.busyBlock[1]]) {
      const verified = await verifyProof(await prove(txHash), chains.parent.ethers.provider);
      expect(verified.anchor.blockNumber).to.equal(2n * PERIOD);
      expect(verified.blockNumber > PERIOD && verified.blockNumber < 2n * PERIOD).to.equal(true);
      expect(verified.approvals).to.deep.equal({ path: "votes", operators: 2 });
    }
  });

  it("refuses a transaction after the latest anchor: not anchored yet", async function () {
    expect(await refusal(() => prove(chains.txs.afterLatest))).to.equal(
      `child block ${2n * PERIOD + 3n} is not anchored yet: the latest anchor ends at child block ${2n * PERIOD}`,
    );
  });

  it("refuses a tampered receipt", async function () {
    const proof = await prove(chains.txs.busyBlock[0]);
    const receipt = proof.receipt;
    // one byte of the logged amount changed
    const tampered = { ...proof, receipt: `${receipt.slice(0, -2)}${receipt.endsWith("00") ? "01" : "00"}` };
    expect(await refusal(() => verifyProof(tampered, chains.parent.ethers.provider))).to.match(/^receipt mismatch/);
    // and a receipt trie proof whose leaf carries the tampered receipt
    const node = proof.receiptProof!.at(-1)!;
    const forgedNode = `${node.slice(0, -2)}${node.endsWith("00") ? "01" : "00"}`;
    const forged = { ...proof, receiptProof: [...proof.receiptProof!.slice(0, -1), forgedNode] };
    expect(await refusal(() => verifyProof(forged, chains.parent.ethers.provider))).to.match(/^receipt mismatch/);
  });

  it("refuses a proof moved to another block of the range", async function () {
    const proof = await prove(chains.txs.betweenAnchors);
    const blocks = await readAnchoredBlocks(chains.child.ethers.provider, 2n * PERIOD, PERIOD);
    const other = blocks.find((block) => block.number === PERIOD + 4n)!;
    const moved: TransactionProofJson = {
      ...proof,
      block: { number: String(other.number), hash: other.hash, transactionsRoot: other.transactionsRoot, receiptsRoot: other.receiptsRoot },
      blockProof: anchoredBlockProof(anchoredBlocksTree(blocks), other),
    };
    expect(await refusal(() => verifyProof(moved, chains.parent.ethers.provider))).to.match(/^block mismatch: the header does not hash/);
    const headerless = { ...moved, header: undefined };
    expect(await refusal(() => verifyProof(headerless, chains.parent.ethers.provider))).to.match(/^transaction mismatch/);
  });

  it("refuses a proof against a conflicting anchor, even one operators submitted", async function () {
    const proof = await prove(chains.txs.anchoredBlock);
    const [forgedBlock] = [{ number: PERIOD, hash: `0x${"ab".repeat(32)}`, transactionsRoot: proof.block.transactionsRoot, receiptsRoot: proof.block.receiptsRoot }];
    const tree = anchoredBlocksTree([forgedBlock]);
    const conflicting = { ...proof.anchor, blockHash: forgedBlock.hash, blocksRoot: tree.root, blockCount: "1" };
    // an operator's vote for it is refused and reported on chain
    const a = chains.anchors[0];
    await expect(
      chains.receiver
        .connect(chains.operators[0])
        .submitAnchor(a.blockNumber, forgedBlock.hash, a.parentHash, a.transactionsRoot, a.receiptsRoot, a.stateRoot, tree.root, 1n, a.txCount),
    ).to.emit(chains.receiver, "ConflictingAnchor");
    const against: TransactionProofJson = {
      ...proof,
      anchor: conflicting,
      block: { ...proof.block, hash: forgedBlock.hash },
      blockProof: anchoredBlockProof(tree, forgedBlock),
      header: undefined,
    };
    expect(await refusal(() => verifyProof(against, chains.parent.ethers.provider))).to.equal(
      `anchor mismatch: the proof's anchor of child block ${PERIOD} conflicts with the one accepted on the parent`,
    );
  });

  it("checks a concat-mode block (Kaia DeriveShaImpl 2) off chain, with every item of the block in the proof", async function () {
    // a Kaia block whose roots are one keccak over its items, anchored on a receiver with one operator
    const log = { address: chains.token.target as string, topics: [keccak256("0x01"), zeroPadValue("0x02", 32)], data: "0x1234" };
    const transactions = [0, 1, 2].map(() => hexlify(randomBytes(120)));
    const receipts = [1, 9, 1].map((status) => encodeReceipt("kaia", { status: `0x${status}`, gasUsed: "0x5208", logsBloom: `0x${"00".repeat(256)}`, logs: [log] }));
    const block = { number: 30n, hash: hexlify(randomBytes(32)), transactionsRoot: await rootOf("concat", transactions), receiptsRoot: await rootOf("concat", receipts) };
    const others = [26n, 27n, 28n, 29n].map((number) => ({ number, hash: hexlify(randomBytes(32)), transactionsRoot: hexlify(randomBytes(32)), receiptsRoot: hexlify(randomBytes(32)) }));
    const tree = anchoredBlocksTree([...others, block]);
    const anchor: AnchorData = {
      blockNumber: 30n, blockHash: block.hash, parentHash: others[3].hash, transactionsRoot: block.transactionsRoot, receiptsRoot: block.receiptsRoot,
      stateRoot: hexlify(randomBytes(32)), blocksRoot: tree.root, blockCount: 5n, txCount: 3n,
    };
    const { ethers } = chains.parent;
    const receiver = await ethers.deployContract("AnchoringReceiver");
    const accepted = await (
      await receiver.submitAnchor(anchor.blockNumber, anchor.blockHash, anchor.parentHash, anchor.transactionsRoot, anchor.receiptsRoot, anchor.stateRoot, anchor.blocksRoot, anchor.blockCount, anchor.txCount)
    ).wait();
    const proof: TransactionProofJson = {
      format: TRANSACTION_PROOF_FORMAT,
      parentChainId: String((await ethers.provider.getNetwork()).chainId),
      receiver: await receiver.getAddress(),
      parentFromBlock: accepted!.blockNumber,
      childChainId: "1001",
      encoding: "kaia",
      mode: "concat",
      anchor: stringify(anchor),
      anchorTransaction: accepted!.hash,
      block: stringify(block),
      blockProof: anchoredBlockProof(tree, block),
      transactionHash: keccak256(transactions[1]),
      transactionIndex: 1,
      transaction: transactions[1],
      receipt: receipts[1],
      transactions,
      receipts,
    };
    const verified = await verifyProof(proof, ethers.provider);
    expect(verified.receipt).to.deep.equal({ success: false, status: 9, gas: 21000n, logs: [log] });
    expect(verified.headerChecked).to.equal(false);
    expect(verified.approvals).to.deep.equal({ path: "votes", operators: 1 });

    const swapped = [...receipts];
    swapped[1] = receipts[0];
    expect(await refusal(() => verifyProof({ ...proof, receipts: swapped, receipt: receipts[0] }, ethers.provider))).to.equal(
      `receipt mismatch: the block's receipts do not hash to its receipts root ${block.receiptsRoot}`,
    );
    expect(await refusal(() => verifyProof({ ...proof, transactionHash: keccak256(transactions[2]) }, ethers.provider))).to.match(/^transaction mismatch/);
  });
});
