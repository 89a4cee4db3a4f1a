/**
 * The "mocked relayer" suite: the real relayer library driven step by step by the test on two in-process chains.
 */
import { expect } from "chai";

import { memoryLogger, toSignedTransfer } from "../../src/relayer/index.js";
import { pendingTransfers } from "../../src/status.js";
import type { Relayer } from "../../src/relayer/index.js";
import {
  ManualClock,
  ONE,
  connectedPair,
  deployPair,
  expectConservation,
  mine,
  proposeChildBatch,
  relayerFor,
  requestEachKind,
  stepAll,
  useTwoChains,
} from "./helpers.js";
import type { Pair } from "./helpers.js";

describe("relayer (two in-process chains, driven step by step)", function () {
  const frame = useTwoChains("relayer-test-");

  /** A pair, a clock the test moves by hand (for the relayers' `now`) and a logger to read the relayers' records from. */
  async function pairWithClock() {
    return { pair: await deployPair(frame.parent, frame.child), clock: new ManualClock(), logger: memoryLogger() };
  }

  /**
   * The child bridge no longer knows the KIP7 token, and the user requests 1 KIP7 from the parent: its handle
   * reverts (a payout that fails would be parked instead).
   */
  async function requestOfUnknownToken(pair: Pair): Promise<{ childToken: string; parentToken: string }> {
    const user = pair.parent.signers[10];
    const childToken = await pair.child.kip7.getAddress();
    const parentToken = await pair.parent.kip7.getAddress();
    await (await pair.child.bridge.deregisterToken(childToken)).wait();
    await (await pair.parent.kip7.connect(user).approve(await pair.parent.bridge.getAddress(), ONE)).wait();
    await (await pair.parent.bridge.connect(user).requestERC20Transfer(parentToken, user.address, ONE, 0, "0x")).wait();
    return { childToken, parentToken };
  }

  async function three(pair: Pair, signed: boolean): Promise<Relayer[]> {
    const signatureDir = signed ? `${frame.directory.path}/signatures` : undefined;
    frame.relayers = [
      await relayerFor(pair, 0, frame.directory.path, { signatureDir }),
      await relayerFor(pair, 1, frame.directory.path, { signatureDir }),
      await relayerFor(pair, 2, frame.directory.path, { signatureDir }),
    ];
    return frame.relayers;
  }

  for (const childMintBurn of [true, false]) {
    for (const signed of [false, true]) {
      const mode = childMintBurn ? "parent lock / child mint-burn" : "lock on both sides";
      const path = signed ? "signed batches" : "per-operator votes";
      it(`relays KLAY, KIP7 and KIP17 both ways, 2 of 3 relayers, ${mode}, ${path}`, async function () {
        const pair = await deployPair(frame.parent, frame.child, { childMintBurn });
        const [first, second, third] = await three(pair, signed);
        await requestEachKind(pair, "parent", 1n);
        await requestEachKind(pair, "parent", 2n);
        await stepAll([first]);
        // one operator alone never executes anything
        expect(await pair.child.bridge.lowerHandleNonce()).to.equal(0n);
        await stepAll([second, third]);
        expect(await pair.child.bridge.lowerHandleNonce()).to.equal(6n);
        expect(await pair.child.kip17.ownerOf(2n)).to.equal(pair.user);
        expect(await pair.child.kip17.tokenURI(2n)).to.equal("ipfs://token/2");
        // votes: exactly two operators' votes per transfer; signed: no vote at all, one batch
        const votes = await pair.child.bridge.queryFilter(pair.child.bridge.filters.VoteCast(), pair.child.deployedBlock);
        expect(votes.length).to.equal(signed ? 0 : 12);

        await requestEachKind(pair, "child", 1n);
        await stepAll([third, first, second]);
        expect(await pair.parent.bridge.lowerHandleNonce()).to.equal(3n);
        expect(await pair.parent.kip17.ownerOf(1n)).to.equal(pair.user);
        await stepAll([first, second, third]);
        for (const relayer of [first, second, third]) expect(relayer.pendingCount()).to.deep.equal({ parent: 0, child: 0 });
        await expectConservation(pair);
      });
    }
  }

  function crashOnce(): { hook: () => void; crashed: () => boolean } {
    let done = false;
    return {
      hook: () => {
        if (done) return;
        done = true;
        throw new Error("killed");
      },
      crashed: () => done,
    };
  }

  async function expectKilled(step: Promise<unknown>): Promise<void> {
    let error: unknown;
    try {
      await step;
    } catch (caught) {
      error = caught;
    }
    expect((error as Error | undefined)?.message).to.equal("killed");
  }

  it("a relayer killed after its vote was mined, before recording it, restarts without losing or repeating a vote", async function () {
    const pair = await deployPair(frame.parent, frame.child);
    const crash = crashOnce();
    const killed = await relayerFor(pair, 0, frame.directory.path, { afterSend: crash.hook });
    const other = await relayerFor(pair, 1, frame.directory.path);
    frame.relayers = [other];
    await requestEachKind(pair, "parent", 1n);
    await killed.poll();
    await expectKilled(killed.processPending());
    killed.close();

    const restarted = await relayerFor(pair, 0, frame.directory.path);
    frame.relayers.push(restarted);
    await stepAll([restarted, other]);
    await requestEachKind(pair, "child", 1n);
    await stepAll([restarted, other, restarted]);
    for (const [bridge, count] of [
      [pair.child.bridge, 3],
      [pair.parent.bridge, 3],
    ] as const) {
      const mine = await bridge.queryFilter(bridge.filters.VoteCast(0, undefined, pair.operators[0]));
      const nonces = mine.map((event) => event.args.nonce);
      expect(nonces.length, "one vote per transfer from the restarted operator").to.equal(count);
      expect(new Set(nonces).size).to.equal(count);
      expect(await bridge.lowerHandleNonce()).to.equal(BigInt(count));
    }
    await expectConservation(pair);
  });

  it("a relayer killed after submitting a signed batch, before recording it, restarts and finds it done", async function () {
    const pair = await deployPair(frame.parent, frame.child);
    const signatureDir = `${frame.directory.path}/signatures`;
    const crash = crashOnce();
    const first = await relayerFor(pair, 0, frame.directory.path, { signatureDir });
    const killed = await relayerFor(pair, 1, frame.directory.path, { signatureDir, afterSend: crash.hook });
    frame.relayers = [first];
    await requestEachKind(pair, "parent", 1n);
    await stepAll([first]);
    await killed.poll();
    await expectKilled(killed.processPending());
    killed.close();
    expect(await pair.child.bridge.lowerHandleNonce()).to.equal(3n);

    const restarted = await relayerFor(pair, 1, frame.directory.path, { signatureDir });
    frame.relayers.push(restarted);
    await stepAll([restarted, first]);
    expect(restarted.store.countByState()).to.deep.equal({ done: 3 });
    expect(first.store.countByState()).to.deep.equal({ done: 3 });
    const batches = await pair.child.bridge.queryFilter(pair.child.bridge.filters.HandleValueTransfer());
    expect(batches.length).to.equal(3);
    await expectConservation(pair);
  });

  it("a relayer killed between sending a batch and its receipt, the batch dropped: pending meanwhile, resubmitted at once on restart", async function () {
    const pair = await deployPair(frame.parent, frame.child);
    const signatureDir = `${frame.directory.path}/signatures`;
    const first = await relayerFor(pair, 0, frame.directory.path, { signatureDir });
    let dropped: string | undefined;
    const killed = await relayerFor(pair, 1, frame.directory.path, {
      signatureDir,
      afterSend: async ({ kind, txHash }) => {
        if (kind !== "batch" || dropped !== undefined) return;
        // the node loses the transaction, and the relayer dies before it sees a receipt
        await frame.child.provider.request({ method: "hardhat_dropTransaction", params: [txHash] });
        dropped = txHash;
        throw new Error("killed");
      },
    });
    frame.relayers = [first];
    await requestEachKind(pair, "parent", 1n);
    await stepAll([first]); // proposes and signs
    await frame.child.provider.request({ method: "evm_setAutomine", params: [false] });
    try {
      await killed.poll();
      await expectKilled(killed.processPending()); // co-signs, submits, dies
    } finally {
      await frame.child.provider.request({ method: "evm_setAutomine", params: [true] });
      killed.close();
    }
    expect(dropped).to.match(/^0x[0-9a-f]{64}$/);
    expect(await pair.child.bridge.lowerHandleNonce()).to.equal(0n);

    // meanwhile the transfers are pending, for the relayer and for `bridge status`
    const restarted = await relayerFor(pair, 1, frame.directory.path, { signatureDir });
    frame.relayers.push(restarted);
    expect(restarted.pendingCount()).to.deep.equal({ parent: 3, child: 0 });
    const status = await pendingTransfers(await connectedPair(pair), "parent");
    expect(status.pending.map((transfer) => transfer.requestNonce)).to.deep.equal([0n, 1n, 2n]);

    // one step of the restarted relayer submits the batch again: no periodic recovery needed
    await restarted.processPending();
    expect(await pair.child.bridge.lowerHandleNonce()).to.equal(3n);
    expect(restarted.pendingCount()).to.deep.equal({ parent: 0, child: 0 });
    await expectConservation(pair);
  });

  it("a forged batch paying a thief, the only proposal of its transfers, pays the thief nothing", async function () {
    const pair = await deployPair(frame.parent, frame.child, { childMintBurn: false });
    const signatureDir = `${frame.directory.path}/signatures`;
    const user = pair.parent.signers[10];
    await (await pair.parent.bridge.connect(user).requestKLAYTransfer(user.address, 2n * ONE, "0x", { value: 2n * ONE })).wait();
    // the third operator proposes, signed with its own key, a batch of that request paying a thief
    const thief = "0x000000000000000000000000000000000000dEaD";
    const honest = (await (await relayerFor(pair, 2, frame.directory.path)).fetchRequests("parent", pair.parent.deployedBlock, await frame.parent.ethers.provider.getBlockNumber()))[0];
    const forged = [{ ...toSignedTransfer(honest), to: thief }];
    await proposeChildBatch(pair, signatureDir, 2, forged);
    const before = await frame.child.ethers.provider.getBalance(thief);
    frame.relayers = [await relayerFor(pair, 0, frame.directory.path, { signatureDir }), await relayerFor(pair, 1, frame.directory.path, { signatureDir })];
    await stepAll(frame.relayers, 2);
    expect(await frame.child.ethers.provider.getBalance(thief), "the thief is paid nothing").to.equal(before);
    const paid = await pair.child.bridge.queryFilter(pair.child.bridge.filters.HandleValueTransfer(), 0, "latest");
    expect(paid.map((event) => event.args.to)).to.deep.equal([user.address]);
    await expectConservation(pair);
  });

  it("requests dropped, repeated and reordered are all delivered once (recovery finds the dropped ones)", async function () {
    const pair = await deployPair(frame.parent, frame.child);
    const [first, second] = (frame.relayers = [
      await relayerFor(pair, 0, frame.directory.path),
      await relayerFor(pair, 1, frame.directory.path),
    ]);
    await requestEachKind(pair, "parent", 1n);
    await requestEachKind(pair, "parent", 2n);
    const head = await frame.parent.ethers.provider.getBlockNumber();
    const all = await first.fetchRequests("parent", pair.parent.deployedBlock, head);
    expect(all.map((request) => request.requestNonce)).to.deep.equal([0n, 1n, 2n, 3n, 4n, 5n]);
    const cursor = { side: "parent" as const, block: head };
    first.ingest([all[4], all[2], all[2], all[0], all[5], all[4]], cursor);
    second.ingest([all[5], all[0], all[2], all[0], all[4]], cursor);
    await first.processPending();
    await second.processPending();
    const bridge = pair.child.bridge;
    expect(await bridge.lowerHandleNonce()).to.equal(1n);
    expect(await bridge.upperHandleNonce()).to.equal(5n);
    for (const [nonce, handled] of [
      [1n, false],
      [2n, true],
      [3n, false],
      [4n, true],
    ] as const) {
      expect(await bridge.isHandled(nonce)).to.equal(handled);
    }
    expect(await first.poll()).to.equal(0); // the cursor is past them: only recovery finds them
    expect(await first.recover()).to.equal(2);
    expect(await second.recover()).to.equal(2);
    await first.processPending();
    await second.processPending();
    expect(await bridge.lowerHandleNonce()).to.equal(6n);
    await expectConservation(pair);
  });

  it("delivers transfers requested while no relayer ran, once relayers start (runOnce)", async function () {
    const pair = await deployPair(frame.parent, frame.child);
    await requestEachKind(pair, "parent", 1n);
    await requestEachKind(pair, "parent", 2n);
    const signatureDir = `${frame.directory.path}/signatures`;
    const start = async () => [
      await relayerFor(pair, 0, frame.directory.path, { signatureDir }),
      await relayerFor(pair, 1, frame.directory.path, { signatureDir, signatureWaitMs: 0 }),
    ];
    let [first, second] = (frame.relayers = await start());
    await first.poll();
    await first.processPending();
    expect((await second.runOnce()).batches).to.equal(1);
    for (const relayer of frame.relayers) relayer.close();

    // the relayers stop; the user sends back; the relayers start again
    const signer = pair.child.signers[10];
    await (await pair.child.kip17.connect(signer).requestValueTransfer(2n, pair.user, "0x")).wait();
    await (await pair.child.kip7.connect(signer).requestValueTransfer(ONE, pair.user, 0, "0x")).wait();
    await (await pair.child.bridge.connect(signer).requestKLAYTransfer(pair.user, ONE, "0x", { value: ONE })).wait();
    [first, second] = frame.relayers = await start();
    await first.poll();
    await first.processPending();
    const report = await second.runOnce();
    expect(report.batches).to.equal(1);
    expect(report.votes).to.equal(0);
    expect(await pair.child.bridge.lowerHandleNonce()).to.equal(6n);
    expect(await pair.parent.bridge.lowerHandleNonce()).to.equal(3n);
    await expectConservation(pair);
  });

  it("catches up after falling hundreds of blocks behind, reading logs in ranges, and waits for confirmations", async function () {
    const pair = await deployPair(frame.parent, frame.child);
    const options = { maxBlockRange: 64 };
    const [first, second] = (frame.relayers = [
      await relayerFor(pair, 0, frame.directory.path, options),
      await relayerFor(pair, 1, frame.directory.path, options),
    ]);
    await stepAll([first, second]);
    await requestEachKind(pair, "parent", 1n);
    await mine(frame.parent, 500);
    await requestEachKind(pair, "parent", 2n);
    await mine(frame.parent, 250);
    await mine(frame.child, 400);
    await stepAll([first, second]);
    expect(await pair.child.bridge.lowerHandleNonce()).to.equal(6n);
    expect(first.store.getCursor("parent")).to.equal(await frame.parent.ethers.provider.getBlockNumber());
    await expectConservation(pair);

    // with 5 confirmations on the child, a fresh request waits for 5 more blocks
    for (const relayer of frame.relayers) relayer.close();
    const confirmations = { child: 5 };
    frame.relayers = [
      await relayerFor(pair, 0, frame.directory.path, { ...options, confirmations }),
      await relayerFor(pair, 1, frame.directory.path, { ...options, confirmations }),
    ];
    await requestEachKind(pair, "child", 1n);
    await stepAll(frame.relayers);
    expect(await pair.parent.bridge.lowerHandleNonce()).to.equal(0n);
    // the three requests are in three consecutive blocks: after 2 more blocks none is 5 deep, after 3 the first
    await mine(frame.child, 2);
    await stepAll(frame.relayers);
    expect(await pair.parent.bridge.lowerHandleNonce()).to.equal(0n);
    await mine(frame.child, 1);
    await stepAll(frame.relayers);
    expect(await pair.parent.bridge.lowerHandleNonce()).to.equal(1n);
    await mine(frame.child, 300);
    await stepAll(frame.relayers);
    expect(await pair.parent.bridge.lowerHandleNonce()).to.equal(3n);
    await expectConservation(pair);
  });

  it("falls back to its own vote when the other operators' signatures do not arrive in time", async function () {
    const { pair, clock, logger } = await pairWithClock();
    const signatureDir = `${frame.directory.path}/signatures`;
    const [signing, voting] = (frame.relayers = [
      await relayerFor(pair, 0, frame.directory.path, { signatureDir, signatureWaitMs: 5000, now: clock.now, logger }),
      await relayerFor(pair, 1, frame.directory.path),
    ]);
    await requestEachKind(pair, "parent", 1n);
    await stepAll([signing]);
    expect(signing.store.countByState()).to.deep.equal({ signed: 3 });
    clock.advance(4000);
    await stepAll([signing]);
    expect(signing.store.countByState()).to.deep.equal({ signed: 3 });
    clock.advance(2000);
    await stepAll([signing]);
    expect(signing.store.countByState()).to.deep.equal({ voted: 3 });
    expect(logger.records.filter((record) => record.action === "fallback")).to.have.length(3);
    await stepAll([voting, signing]);
    expect(await pair.child.bridge.lowerHandleNonce()).to.equal(3n);
    await expectConservation(pair);
  });

  it("logs a revert it cannot explain with its custom error and retries it; reports insufficient funds once", async function () {
    const { pair, clock, logger } = await pairWithClock();
    const [first, second, broke] = (frame.relayers = [
      await relayerFor(pair, 0, frame.directory.path),
      await relayerFor(pair, 1, frame.directory.path, { now: clock.now, logger, failureBackoffMs: 1000 }),
      await relayerFor(pair, 2, frame.directory.path, { logger }),
    ]);
    const { childToken, parentToken } = await requestOfUnknownToken(pair);
    await stepAll([first, second]);
    const failure = logger.records.find((record) => record.action === "vote-failed");
    expect(failure?.fields.error).to.match(/^TokenNotRegistered\(0x[0-9a-fA-F]{40}\)$/);
    expect(second.store.getTransfer("parent", 0n)?.state).to.equal("failed");

    await (await pair.child.bridge.registerToken(childToken, parentToken)).wait();
    await stepAll([second]);
    expect(await pair.child.bridge.isHandled(0n), "not before the backoff").to.equal(false);
    clock.advance(1500);
    await stepAll([second]);
    expect(await pair.child.bridge.isHandled(0n)).to.equal(true);

    await frame.child.provider.request({ method: "hardhat_setBalance", params: [pair.operators[2], "0x0"] });
    const user = pair.parent.signers[10];
    await (await pair.parent.bridge.connect(user).requestKLAYTransfer(user.address, ONE, "0x", { value: ONE })).wait();
    await stepAll([broke, broke, broke]);
    const reports = logger.records.filter((record) => record.action === "insufficient-funds");
    expect(reports).to.have.length(1);
    expect(reports[0].fields.side).to.equal("child");
    expect(broke.store.getTransfer("parent", 1n)?.state).to.equal("seen");
    await stepAll([first, second]);
    await expectConservation(pair);
  });

  it("anchors the child chain every N blocks over several periods, by votes then by signatures; a conflicting anchor is refused", async function () {
    const pair = await deployPair(frame.parent, frame.child);
    const receiver = pair.parent.anchoringReceiver;
    const voting = [0, 1, 2].map((index) => relayerFor(pair, index, frame.directory.path, { anchorEvery: 10 }));
    frame.relayers = await Promise.all(voting);
    const head = await frame.child.ethers.provider.getBlockNumber();
    await mine(frame.child, 35 - (head % 10)); // a few periods past the deployment
    const expected = Math.floor((await frame.child.ethers.provider.getBlockNumber()) / 10) * 10;
    const periods = expected / 10 - Math.floor(pair.child.deployedBlock / 10);
    expect(periods).to.be.greaterThan(2);
    expect(await frame.relayers[0].anchor()).to.have.length(periods);
    expect(await receiver.latestAnchoredBlock(), "one operator's votes are not enough").to.equal(0n);
    await frame.relayers[1].anchor();
    expect(await receiver.latestAnchoredBlock()).to.equal(BigInt(expected));
    expect(await frame.relayers[2].anchor()).to.deep.equal([]);

    // each anchor is the child block as its header says, counting the blocks and transactions of its period
    const anchorOf = async (blockNumber: bigint) => {
      const [event] = await receiver.queryFilter(receiver.filters.AnchorAccepted(blockNumber));
      const { blockHash, parentHash, transactionsRoot, receiptsRoot, stateRoot, blocksRoot, blockCount, txCount } = event.args;
      return { blockHash, parentHash, transactionsRoot, receiptsRoot, stateRoot, blocksRoot, blockNumber, blockCount, txCount };
    };
    const header = (await frame.child.provider.request({
      method: "eth_getBlockByNumber",
      params: [`0x${(expected - 10).toString(16)}`, false],
    })) as { hash: string; stateRoot: string };
    const anchored = await anchorOf(BigInt(expected - 10));
    expect(anchored.blockHash).to.equal(header.hash);
    expect(anchored.stateRoot).to.equal(header.stateRoot);
    expect(anchored.blockCount).to.equal(10n);
    expect(await receiver.verifyAnchor(anchored)).to.equal(true);

    // signed: the operators sign; the second signature makes the threshold and both anchors go in one transaction
    for (const relayer of frame.relayers) relayer.close();
    const signatureDir = `${frame.directory.path}/signatures`;
    frame.relayers = await Promise.all([0, 1].map((index) => relayerFor(pair, index, frame.directory.path, { anchorEvery: 10, signatureDir })));
    await mine(frame.child, 20);
    expect(await frame.relayers[0].anchor()).to.deep.equal([]);
    const signedUpTo = BigInt(expected + 20);
    expect(await frame.relayers[1].anchor()).to.deep.equal([signedUpTo - 10n, signedUpTo]);
    expect(await receiver.latestAnchoredBlock()).to.equal(signedUpTo);
    const accepted = await receiver.queryFilter(receiver.filters.AnchorAccepted(signedUpTo));
    const previous = await receiver.queryFilter(receiver.filters.AnchorAccepted(signedUpTo - 10n));
    expect(accepted[0].transactionHash).to.equal(previous[0].transactionHash);

    // a different anchor for an anchored block is refused and reported; the record stays
    const operator = pair.parent.signers.find((signer) => signer.address === pair.operators[2])!;
    const recorded = await anchorOf(signedUpTo);
    const forged = { ...recorded, blockHash: `0x${"ab".repeat(32)}` };
    const receipt = await (
      await receiver
        .connect(operator)
        .submitAnchor(signedUpTo, forged.blockHash, forged.parentHash, forged.transactionsRoot, forged.receiptsRoot, forged.stateRoot, forged.blocksRoot, forged.blockCount, forged.txCount)
    ).wait();
    const conflict = receipt!.logs
      .map((log) => receiver.interface.parseLog(log))
      .find((event) => event?.name === "ConflictingAnchor");
    expect(conflict?.args.blockNumber).to.equal(signedUpTo);
    expect(await receiver.verifyAnchor(forged)).to.equal(false);
    expect(await receiver.verifyAnchor(recorded)).to.equal(true);
    await frame.relayers[0].anchor();
    expect(await receiver.latestAnchoredBlock()).to.equal(signedUpTo);
  });

  it("survives RPC failures: retried with backoff and logged, nothing lost", async function () {
    const pair = await deployPair(frame.parent, frame.child);
    const logger = memoryLogger();
    const retry = { retries: 4, baseDelayMs: 1, maxDelayMs: 5 };
    const [first, second] = (frame.relayers = [
      await relayerFor(pair, 0, frame.directory.path, { retry, logger }),
      await relayerFor(pair, 1, frame.directory.path, { retry }),
    ]);
    await requestEachKind(pair, "parent", 1n);
    const provider = frame.parent.ethers.provider;
    const getLogs = provider.getLogs.bind(provider);
    const send = provider.send.bind(provider);
    const getBlockNumber = provider.getBlockNumber.bind(provider);
    let failures = 0;
    provider.getLogs = async (filter) => {
      if (failures++ < 2) throw new Error("connect ECONNREFUSED 127.0.0.1:8545");
      return getLogs(filter);
    };
    provider.send = async (method, params): Promise<unknown> => {
      if (method === "eth_getLogs" && failures++ < 2) throw new Error("connect ECONNREFUSED 127.0.0.1:8545");
      return send(method, params);
    };
    provider.getBlockNumber = async () => {
      if (failures++ < 4) throw Object.assign(new Error("server busy"), { code: "SERVER_ERROR" });
      return getBlockNumber();
    };
    try {
      await stepAll([first, second]);
    } finally {
      provider.getLogs = getLogs;
      provider.send = send;
      provider.getBlockNumber = getBlockNumber;
    }
    expect(logger.records.filter((record) => record.action === "rpc-retry").length).to.be.greaterThan(0);
    expect(await pair.child.bridge.lowerHandleNonce()).to.equal(3n);
    await expectConservation(pair);
  });

  it("a signed batch that reverts is not sent again: its transfers go by votes, which deliver once the token is registered", async function () {
    const { pair, clock } = await pairWithClock();
    const logs = [memoryLogger(), memoryLogger()];
    const signatureDir = `${frame.directory.path}/signatures`;
    const options = (index: number) => ({ signatureDir, now: clock.now, logger: logs[index], failureBackoffMs: 1000 });
    const [first, second] = (frame.relayers = [
      await relayerFor(pair, 0, frame.directory.path, options(0)),
      await relayerFor(pair, 1, frame.directory.path, options(1)),
    ]);
    const { childToken, parentToken } = await requestOfUnknownToken(pair);
    await stepAll([first, second]); // signed, co-signed, submitted: reverts; the second operator votes instead
    await stepAll([first]); // the first submits it too: reverts; it votes, and that vote executes: it reverts
    const failures = (index: number, action: string) =>
      logs[index].records.filter((record) => record.action === action).map((record) => String(record.fields.error));
    expect(failures(1, "batch-failed")).to.have.length(1);
    expect(failures(1, "batch-failed")[0]).to.match(/^TokenNotRegistered\(/);
    expect(failures(0, "vote-failed")[0]).to.match(/^TokenNotRegistered\(/);
    await stepAll([first, second]);
    expect(failures(0, "batch-failed")).to.have.length(1);
    expect(failures(1, "batch-failed")).to.have.length(1);

    await (await pair.child.bridge.registerToken(childToken, parentToken)).wait();
    clock.advance(1500);
    await stepAll([first, second]);
    expect(await pair.child.bridge.isHandled(0n)).to.equal(true);
    await expectConservation(pair);
  });
});
