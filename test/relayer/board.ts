/**
 * The signed path through the signature board: three operators' relayers, each reading and posting on the child
 * chain only (no shared directory), every asset kind both ways by signed batches; and what the readers make of posts
 * that do not match the chains.
 */
import { expect } from "chai";
import { HDNodeWallet, Signature, Wallet } from "ethers";
import type { Signer } from "ethers";

import { KLAYRejecter__factory, SignatureBoard__factory, TransferRecovery__factory } from "../../types/ethers-contracts/index.js";
import type { SignatureBoard } from "../../types/ethers-contracts/index.js";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

import { checkSignatureBoard } from "../../src/board.js";
import { collectStatus } from "../../src/status.js";
import { BoardKind, batchName } from "../../src/protocol/board.js";
import { BoardFeed, boardWiring, memoryLogger } from "../../src/relayer/index.js";
import type { Relayer, RelayerLogger, RelayerOptions, Side } from "../../src/relayer/index.js";
import { ONE, connectedPair, deployPair, mine, expectConservation, relayerFor, requestEachKind, stepAll, useTwoChains } from "./helpers.js";
import type { Pair } from "./helpers.js";

const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

describe("relayer: signatures through the signature board", function () {
  const frame = useTwoChains("relayer-board-");

  async function deployBoard(pair: Pair): Promise<{ board: SignatureBoard; deployedBlock: number }> {
    const board = await new SignatureBoard__factory(pair.child.signers[0]).deploy(await pair.child.bridge.getAddress());
    const receipt = await board.deploymentTransaction()!.wait();
    return { board, deployedBlock: receipt!.blockNumber };
  }

  function childSigner(pair: Pair, index: number): Signer {
    return pair.child.signers.find((signer) => signer.address === pair.operators[index])!;
  }

  /**
   * The relayers of operators `indexes`, each with its own board reader and store (`directories`: where), sending
   * with the accounts of the in-process chains or, where `signers` gives them, with those.
   */
  async function boardRelayers(
    pair: Pair,
    board: { board: SignatureBoard; deployedBlock: number },
    indexes: number[],
    directories = indexes.map(() => frame.directory.path),
    options: Partial<RelayerOptions> = {},
    signers: (Record<Side, Signer> | undefined)[] = [],
  ) {
    const logs = indexes.map(() => memoryLogger());
    const relayers: Relayer[] = [];
    for (const [position, index] of indexes.entries()) {
      const logger = logs[position] as RelayerLogger;
      const feed = await BoardFeed.open({
        board: await board.board.getAddress(),
        signer: signers[position]?.child ?? childSigner(pair, index),
        deployedBlock: board.deployedBlock,
        minSyncIntervalMs: 0,
        log: logger,
      });
      relayers.push(
        await relayerFor(pair, index, directories[position], { ...options, exchange: boardWiring(feed), logger, signers: signers[position] }),
      );
    }
    frame.relayers.push(...relayers);
    return { relayers, logs };
  }

  it("carries every asset kind both ways by signed batches, with no vote, also with one relayer stopped", async function () {
    const pair = await deployPair(frame.parent, frame.child);
    const board = await deployBoard(pair);
    const { relayers, logs } = await boardRelayers(pair, board, [0, 1, 2]);
    await requestEachKind(pair, "parent", 1n);
    await stepAll(relayers, 2);
    expect(await pair.child.bridge.lowerHandleNonce()).to.equal(3n);
    await requestEachKind(pair, "child", 1n, 2n * 10n ** 18n); // back again, what arrived on the child
    await stepAll(relayers, 2);
    expect(await pair.parent.bridge.lowerHandleNonce()).to.equal(3n);

    // the third relayer stopped: the other two still reach the threshold of 2
    await requestEachKind(pair, "parent", 3n);
    await stepAll(relayers.slice(0, 2), 2);
    expect(await pair.child.bridge.lowerHandleNonce()).to.equal(6n);

    const votes = [
      ...(await pair.child.bridge.queryFilter(pair.child.bridge.filters.VoteCast())),
      ...(await pair.parent.bridge.queryFilter(pair.parent.bridge.filters.VoteCast())),
    ];
    expect(votes, "no per-operator vote").to.have.length(0);
    const actions = logs.flatMap((log) => log.records.map((record) => record.action));
    expect(actions).to.not.include("vote");
    expect(actions.filter((action) => action === "submit")).to.have.length(3);
    const posts = await board.board.queryFilter(board.board.filters.Posted());
    // a proposal per batch; a co-signature whose batch its own relayer executed in the same step is not posted
    expect(posts.length, "one post per proposal, each under 40,000 gas").to.be.at.least(3);
    for (const post of posts) {
      const receipt = await post.getTransactionReceipt();
      expect(receipt.gasUsed).to.be.at.most(40_000n);
    }
    await expectConservation(pair);
  });

  it("posts a step's signatures a few to a transaction, and sends the batches due back to back, consecutive nonces", async function () {
    const pair = await deployPair(frame.parent, frame.child);
    const board = await deployBoard(pair);
    // operator 1 has the lowest address: the designated submitter; the others leave the batches to it
    const [lowest] = [...pair.operators].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
    expect(lowest).to.equal(pair.operators[1]);
    const submitsAtSend: number[] = [];
    const { relayers, logs } = await boardRelayers(pair, board, [0, 1, 2], undefined, {
      batchSize: 1,
      submitGraceMs: 600_000,
      afterSend: ({ kind }) => {
        // how many batches had their receipt read when each batch was sent
        if (kind === "batch") submitsAtSend.push(logs[1].records.filter((record) => record.action === "submit").length);
        return Promise.resolve();
      },
    });
    // three KIP7 requests alike: three windows of one, whose gas a first batch teaches
    const user = pair.parent.signers.find((signer) => signer.address === pair.user)!;
    const bridge = pair.parent.bridge.connect(user);
    await (await pair.parent.kip7.connect(user).approve(await bridge.getAddress(), 3n * ONE)).wait();
    for (let i = 0; i < 3; i += 1) await (await bridge.requestERC20Transfer(await pair.parent.kip7.getAddress(), pair.user, ONE, 0, "0x")).wait();
    await relayers[0].poll();
    await relayers[0].processPending(); // proposes the three windows: the first at once, the other two together
    const proposals = await board.board.queryFilter(board.board.filters.Posted(pair.operators[0]));
    expect(proposals).to.have.length(3);
    expect(new Set(proposals.map((post) => post.transactionHash)).size, "board transactions").to.equal(2);
    await relayers[2].poll();
    await relayers[2].processPending(); // co-signs the three
    expect(await pair.child.bridge.lowerHandleNonce()).to.equal(0n);

    await relayers[1].poll();
    await relayers[1].processPending(); // submits the three, signing nothing
    expect(await pair.child.bridge.lowerHandleNonce()).to.equal(3n);
    // the first batch's receipt is read before the second is sent (its gas is learnt); the third goes before the
    // second's receipt is read
    expect(submitsAtSend).to.deep.equal([0, 1, 1]);
    const handles = await pair.child.bridge.queryFilter(pair.child.bridge.filters.HandleValueTransfer());
    const hashes = [...new Set(handles.map((event) => event.transactionHash))];
    const sent = await Promise.all(hashes.map((hash) => pair.child.connection.ethers.provider.getTransaction(hash)));
    const nonces = sent.map((tx) => tx!.nonce).sort((a, b) => a - b);
    expect(nonces, "consecutive transaction nonces").to.deep.equal([nonces[0], nonces[0] + 1, nonces[0] + 2]);
    expect(sent.every((tx) => tx!.from === pair.operators[1])).to.equal(true);
    expect(relayers[1].store.countByState()).to.deep.equal({ done: 3 });
    expect(await board.board.queryFilter(board.board.filters.Posted(pair.operators[1]))).to.have.length(0);
    await expectConservation(pair);
  });

  it("ignores, logging each once, a wrong digest, a window that does not match the chain, a foreign signature, a bad name", async function () {
    const pair = await deployPair(frame.parent, frame.child);
    const board = await deployBoard(pair);
    const { relayers, logs } = await boardRelayers(pair, board, [0]);
    await requestEachKind(pair, "parent", 1n);
    await relayers[0].poll();
    await relayers[0].processPending(); // operator 0 signs and posts the batch of nonces 0 to 2
    const [own] = await board.board.queryFilter(board.board.filters.Posted(pair.operators[0]));
    const batchDigest = own.args.digest;

    // operator 1 posts a real signature of its own over a digest that is not the batch of nonces 0 to 2
    const liar = Wallet.createRandom(); // its signatures, posted by operator 1: foreign
    const operator1 = board.board.connect(childSigner(pair, 1));
    // operator 1's key: the second account of Hardhat's default mnemonic
    const operator1Key = HDNodeWallet.fromPhrase(HARDHAT_MNEMONIC, undefined, "m/44'/60'/0'/0/2");
    expect(operator1Key.address).to.equal(pair.operators[1]);
    const wrongDigest = "0x" + "ab".repeat(32);
    const posts = [
      { kind: BoardKind.Batch, name: batchName("parent", 0n, 2n), digest: wrongDigest, signature: Signature.from(operator1Key.signingKey.sign(wrongDigest)).serialized },
      { kind: BoardKind.Batch, name: batchName("parent", 0n, 2n), digest: "0x" + "cd".repeat(32), signature: Signature.from(liar.signingKey.sign("0x" + "cd".repeat(32))).serialized },
      { kind: BoardKind.Batch, name: "0x07" + "00".repeat(31), digest: "0x" + "ef".repeat(32), signature: Signature.from(operator1Key.signingKey.sign("0x" + "ef".repeat(32))).serialized },
      // operator 1's own signature of the real batch, under a window that is not the batch's (nonces 0 and 1 only)
      { kind: BoardKind.Batch, name: batchName("parent", 0n, 1n), digest: batchDigest, signature: Signature.from(operator1Key.signingKey.sign(batchDigest)).serialized },
    ];
    await (await operator1.post(posts)).wait();
    await relayers[0].processPending();
    await relayers[0].processPending();
    const refused = logs[0].records.filter((record) => record.action === "bad-signature-file");
    const reasons = refused.map((record) => String(record.fields.reason));
    expect(reasons.filter((reason) => /posted by/.test(reason)), "a foreign signature, once").to.have.length(1);
    expect(reasons.filter((reason) => /side 7 is neither/.test(reason)), "a name that is not a batch's, once").to.have.length(1);
    expect(reasons.filter((reason) => /the batch it names hashes to .*, not to the digest posted/.test(reason)), "the wrong digest, once").to.have.length(1);
    expect(reasons.filter((reason) => /nonces 0 to 1 hash to .* on the chain/.test(reason)), "the window that does not match, once").to.have.length(1);
    expect(await pair.child.bridge.lowerHandleNonce(), "none of them counts toward the threshold of 2").to.equal(0n);
    expect(new Set(refused.map((record) => `${record.fields.file} ${record.fields.reason}`)).size).to.equal(refused.length);
    // and the relayer's own proposal is untouched by them
    expect(logs[0].records.some((record) => record.action === "sign")).to.equal(true);
  });

  it("bridge status shows, per pending transfer, which operators signed it on the board", async function () {
    const pair = await deployPair(frame.parent, frame.child);
    const board = await deployBoard(pair);
    const { relayers } = await boardRelayers(pair, board, [0, 1]);
    await requestEachKind(pair, "parent", 1n);
    await relayers[0].poll();
    await relayers[0].processPending(); // operator 0 signs and posts; operator 1 has not yet
    const connected = await connectedPair(pair);
    connected.deployment.child.signatureBoard = await board.board.getAddress();
    connected.deployment.child.signatureBoardDeployedBlock = board.deployedBlock;
    const status = await collectStatus(connected);
    expect(status.parentToChild.pending.map((transfer) => transfer.signedBy)).to.deep.equal([
      [pair.operators[0]],
      [pair.operators[0]],
      [pair.operators[0]],
    ]);
    expect(status.childToParent.pending).to.deep.equal([]);
  });

  it("two relayers of one operator (one key, two stores): each batch posted once by that operator, each transfer handled once", async function () {
    const pair = await deployPair(frame.parent, frame.child);
    const board = await deployBoard(pair);
    const second = join(frame.directory.path, "second-machine");
    mkdirSync(second);
    const { relayers, logs } = await boardRelayers(pair, board, [0, 0, 1], [frame.directory.path, second, frame.directory.path]);
    await requestEachKind(pair, "parent", 1n);
    await requestEachKind(pair, "parent", 2n);
    await stepAll(relayers, 2);
    expect(await pair.child.bridge.lowerHandleNonce()).to.equal(6n);
    const handled = await pair.child.bridge.queryFilter(pair.child.bridge.filters.HandleValueTransfer());
    expect(handled.map((event) => event.args.handleNonce)).to.deep.equal([0n, 1n, 2n, 3n, 4n, 5n]);
    const posts = await board.board.queryFilter(board.board.filters.Posted(pair.operators[0]));
    expect(new Set(posts.map((post) => post.args.digest)).size, "operator 0 posted each digest once").to.equal(posts.length);
    expect(logs.flatMap((log) => log.records.map((record) => record.action))).to.not.include("vote");

    // one of the two stopped: the other keeps relaying for operator 0
    await requestEachKind(pair, "parent", 3n);
    await stepAll([relayers[1], relayers[2]], 2);
    expect(await pair.child.bridge.lowerHandleNonce()).to.equal(9n);
    await expectConservation(pair);
  });

  it("two relayers of one operator stepping at the same moment, each sending with the key itself: nonce collisions retried, nothing posted, handled or refunded twice", async function () {
    const pair = await deployPair(frame.parent, frame.child);
    const board = await deployBoard(pair);
    const second = join(frame.directory.path, "second-machine");
    mkdirSync(second);
    // operator 0's key (the first account of Hardhat's default mnemonic after the deployer), held by both relayers:
    // each picks its own transaction nonces, as on two machines
    const key = HDNodeWallet.fromPhrase(HARDHAT_MNEMONIC, undefined, "m/44'/60'/0'/0/1");
    expect(key.address).to.equal(pair.operators[0]);
    let clock = 1_000_000;
    const wallets = { parent: key.connect(frame.parent.ethers.provider), child: key.connect(frame.child.ethers.provider) };
    const { relayers, logs } = await boardRelayers(
      pair,
      board,
      [0, 0, 1],
      [frame.directory.path, second, frame.directory.path],
      { now: () => clock, payoutRetryBackoffMs: 1000, signatureWaitMs: 60_000, failedRetries: 0 },
      [wallets, wallets],
    );
    // fails on a relayer that posts with the account's pending nonce and takes a nonce collision for a failure: the
    // second post is refused ("nonce too low") and the step throws
    const [first, twin, other] = relayers;
    const together = async () => {
      await Promise.all([first, twin].map(async (relayer) => {
        await relayer.poll();
        await relayer.processPending();
      }));
      await stepAll([other]);
    };
    await requestEachKind(pair, "parent", 1n);
    for (let round = 0; round < 3; round++) await together();
    expect(await pair.child.bridge.lowerHandleNonce()).to.equal(3n);
    await requestEachKind(pair, "child", 1n, 2n * 10n ** 18n);
    for (let round = 0; round < 3; round++) await together();
    expect(await pair.parent.bridge.lowerHandleNonce()).to.equal(3n);
    // parent nonce 3: KLAY to a recipient that refuses it, cancelled on the child and refunded on the parent, once
    const rejecter = await new KLAYRejecter__factory(pair.child.signers[0]).deploy();
    const sender = pair.parent.signers.find((signer) => signer.address === pair.user)!;
    await (await pair.parent.bridge.connect(sender).requestKLAYTransfer(await rejecter.getAddress(), ONE, "0x", { value: ONE })).wait();
    for (let round = 0; round < 6; round++) {
      clock += 1000;
      await together();
    }
    const refunds = TransferRecovery__factory.connect(await pair.parent.bridge.transferRecovery(), frame.parent.ethers.provider);
    expect((await refunds.queryFilter(refunds.filters.ValueTransferRefunded())).map((event) => event.args.requestNonce)).to.deep.equal([3n]);

    for (const bridge of [pair.parent.bridge, pair.child.bridge]) {
      const handled = await bridge.queryFilter(bridge.filters.HandleValueTransfer());
      expect(handled.map((event) => event.args.handleNonce)).to.deep.equal([0n, 1n, 2n]);
      expect(await bridge.queryFilter(bridge.filters.VoteCast()), "no per-operator vote").to.have.length(0);
    }
    const posts = await board.board.queryFilter(board.board.filters.Posted(pair.operators[0]));
    expect(posts.length).to.be.at.least(2);
    expect(new Set(posts.map((post) => post.args.digest)).size, "operator 0 posted each digest once").to.equal(posts.length);
    const records = logs.flatMap((log) => log.records);
    expect(records.filter((record) => record.action === "nonce-collision").length, "the two relayers collided").to.be.at.least(1);
    expect(records.filter((record) => record.level === "error"), "no failure").to.deep.equal([]);
    await expectConservation(pair);
  });

  it("anchors by signatures posted on the board: each operator reads the anchored block itself; no vote", async function () {
    const pair = await deployPair(frame.parent, frame.child);
    const board = await deployBoard(pair);
    const { relayers, logs } = await boardRelayers(pair, board, [0, 1], undefined, { anchorEvery: 10, anchorPeriod: 10 });
    await mine(frame.child, 20);
    expect(await relayers[0].anchor(), "one signature is below the threshold").to.deep.equal([]);
    const anchored = await relayers[1].anchor();
    expect(anchored.length).to.be.at.least(2);
    const receiver = pair.parent.anchoringReceiver;
    expect(await receiver.latestAnchoredBlock()).to.equal(anchored.at(-1));
    expect(await receiver.queryFilter(receiver.filters.VoteCast()), "no anchor vote").to.have.length(0);
    const anchorPosts = (await board.board.queryFilter(board.board.filters.Posted())).filter((post) => Number(post.args.kind) === BoardKind.Anchor);
    expect(anchorPosts.length).to.be.at.least(3);
    for (const log of logs) expect(log.records.filter((record) => record.action === "bad-signature-file")).to.deep.equal([]);
  });

  it("cancels and refunds a transfer that cannot be paid by signatures posted on the board, with no approval call", async function () {
    const pair = await deployPair(frame.parent, frame.child);
    const board = await deployBoard(pair);
    let clock = 1_000_000;
    const { relayers, logs } = await boardRelayers(pair, board, [0, 1, 2], undefined, {
      now: () => clock,
      payoutRetryBackoffMs: 1000,
      signatureWaitMs: 60_000,
      failedRetries: 0,
    });
    const rejecter = await new KLAYRejecter__factory(pair.child.signers[0]).deploy();
    const user = pair.parent.signers.find((signer) => signer.address === pair.user)!;
    await (await pair.parent.bridge.connect(user).requestKLAYTransfer(await rejecter.getAddress(), 2n * ONE, "0x", { value: 2n * ONE })).wait();
    const before = await frame.parent.ethers.provider.getBalance(pair.user);
    for (let round = 0; round < 6; round++) {
      clock += 1000;
      await stepAll(relayers);
    }
    const recovery = TransferRecovery__factory.connect(await pair.parent.bridge.transferRecovery(), frame.parent.ethers.provider);
    expect(await recovery.queryFilter(recovery.filters.ValueTransferRefunded())).to.have.length(1);
    expect((await frame.parent.ethers.provider.getBalance(pair.user)) - before).to.equal(2n * ONE);
    const actions = logs.flatMap((log) => log.records.map((record) => record.action));
    expect(actions).to.include("cancel-submitted");
    expect(actions).to.include("refund-submitted");
    expect(actions.filter((action) => action === "cancel-approved" || action === "refund-approved"), "no approval call").to.deep.equal([]);
    const kinds = (await board.board.queryFilter(board.board.filters.Posted())).map((post) => Number(post.args.kind));
    expect(kinds.filter((kind) => kind === BoardKind.Cancel).length).to.be.at.least(2);
    expect(kinds.filter((kind) => kind === BoardKind.Refund).length).to.be.at.least(2);
    await expectConservation(pair);
  });

  it("bridge check: a board that serves the recorded child bridge matches; another bridge's or none differs", async function () {
    const pair = await deployPair(frame.parent, frame.child);
    const { board, deployedBlock } = await deployBoard(pair);
    const record = (boardAddress: string, bridge: string) =>
      ({ child: { bridge, signatureBoard: boardAddress, signatureBoardDeployedBlock: deployedBlock } });
    const child = { provider: frame.child.ethers.provider };
    const childBridge = await pair.child.bridge.getAddress();
    expect(await checkSignatureBoard(record(await board.getAddress(), childBridge), child)).to.deep.equal([]);
    expect(await checkSignatureBoard(record(await board.getAddress(), await pair.parent.kip7.getAddress()), child)).to.deep.equal([
      `signature board: serves the bridge ${childBridge}, the file says the child bridge is ${await pair.parent.kip7.getAddress()}`,
    ]);
    const nowhere = "0x00000000000000000000000000000000000b0a4d";
    expect(await checkSignatureBoard(record(nowhere, childBridge), child)).to.deep.equal([
      `child: no contract at the recorded signature board ${nowhere}`,
    ]);
  });

  it("refuses a non-operator's post on chain, and an operator removed while batches are in flight no longer counts", async function () {
    const pair = await deployPair(frame.parent, frame.child);
    const board = await deployBoard(pair);
    const stranger = pair.child.signers[15];
    const digest = "0x" + "11".repeat(32);
    const signature = Signature.from(Wallet.createRandom().signingKey.sign(digest)).serialized;
    await expect(board.board.connect(stranger).post([{ kind: BoardKind.Batch, name: batchName("parent", 0n, 0n), digest, signature }]))
      .to.be.revertedWithCustomError(board.board, "NotBridgeOperator");

    const { relayers } = await boardRelayers(pair, board, [0, 1]);
    await requestEachKind(pair, "parent", 1n);
    await relayers[0].poll();
    await relayers[0].processPending(); // operator 0 signs and posts
    // operator 0 is removed from the destination (the child bridge) before operator 1 adds its signature
    await (await pair.child.bridge.registerOperator(pair.child.signers[4].address)).wait();
    await (await pair.child.bridge.deregisterOperator(pair.operators[0])).wait();
    await relayers[1].poll();
    await relayers[1].processPending();
    expect(await pair.child.bridge.lowerHandleNonce(), "one current operator's signature is below the threshold").to.equal(0n);
    await expect(board.board.connect(childSigner(pair, 0)).post([{ kind: BoardKind.Batch, name: batchName("parent", 0n, 0n), digest, signature }]))
      .to.be.revertedWithCustomError(board.board, "NotBridgeOperator")
      .withArgs(pair.operators[0]);
  });
});
