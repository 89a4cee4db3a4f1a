/**
 * How the operators' relayers cut signed batches when requests stream in: fixed nonce windows of `batchSize`, a
 * window not full proposed once no request came for `batchWaitMs`, one version of each transfer signed.
 */
import { expect } from "chai";
import { MaxUint256 } from "ethers";

import { SignatureDirectory, bridgeDomain, memoryLogger, toSignedTransfer } from "../../src/relayer/index.js";
import type { Relayer, RelayerOptions } from "../../src/relayer/index.js";
import { ONE, deployPair, expectConservation, proposeChildBatch, relayerFor, useTwoChains } from "./helpers.js";
import type { Pair } from "./helpers.js";

describe("relayer batches (requests streaming in)", function () {
  const frame = useTwoChains("relayer-batching-");
  afterEach(async function () {
    await frame.parent.provider.request({ method: "evm_setAutomine", params: [true] });
  });

  /** Sends `count` KIP7 requests of the user and mines them in one parent block. */
  async function requestBlock(pair: Pair, count: number): Promise<void> {
    const bridge = await pair.parent.bridge.getAddress();
    const data = pair.parent.bridge.interface.encodeFunctionData("requestERC20Transfer", [
      await pair.parent.kip7.getAddress(),
      pair.user,
      ONE,
      0,
      "0x",
    ]);
    await frame.parent.provider.request({ method: "evm_setAutomine", params: [false] });
    for (let i = 0; i < count; i++) {
      await frame.parent.provider.request({ method: "eth_sendTransaction", params: [{ from: pair.user, to: bridge, data, gas: "0x30d40" }] });
    }
    await frame.parent.provider.request({ method: "evm_mine", params: [] });
    await frame.parent.provider.request({ method: "evm_setAutomine", params: [true] });
  }

  async function approve(pair: Pair): Promise<void> {
    const user = pair.parent.signers.find((signer) => signer.address === pair.user)!;
    await (await pair.parent.kip7.connect(user).approve(await pair.parent.bridge.getAddress(), MaxUint256)).wait();
  }

  /**
   * A pair whose user approved the bridge, the relayers of the first and the third operator (batches of up to 10,
   * signatures in a shared directory, one logger, and `options`), and 3 KIP7 requests in one parent block.
   */
  async function firstAndThird(options: Partial<RelayerOptions> = {}) {
    const pair = await deployPair(frame.parent, frame.child);
    await approve(pair);
    const logger = memoryLogger();
    const signatureDir = `${frame.directory.path}/signatures`;
    const relayerOptions = { signatureDir, batchSize: 10, logger, ...options };
    const [first, third] = (frame.relayers = [
      await relayerFor(pair, 0, frame.directory.path, relayerOptions),
      await relayerFor(pair, 2, frame.directory.path, relayerOptions),
    ]);
    await requestBlock(pair, 3);
    return { pair, logger, signatureDir, first, third };
  }

  async function step(...which: Relayer[]): Promise<void> {
    for (const relayer of which) {
      await relayer.poll();
      await relayer.processPending();
    }
  }

  /** The nonces of every batch any relayer signed, by digest. */
  function signedBatches(logs: ReturnType<typeof memoryLogger>[]): Map<string, string> {
    const batches = new Map<string, string>();
    for (const log of logs) {
      for (const record of log.records) {
        if (record.action === "sign" || record.action === "cosign") batches.set(String(record.fields.digest), String(record.fields.nonces));
      }
    }
    return batches;
  }

  /** The handleSignedTransfers transactions on the child, each as the nonces it handled. */
  async function handledBatches(pair: Pair): Promise<string[]> {
    const events = await pair.child.bridge.queryFilter(pair.child.bridge.filters.HandleValueTransfer(), pair.child.deployedBlock);
    const byTx = new Map<string, bigint[]>();
    for (const event of events) byTx.set(event.transactionHash, [...(byTx.get(event.transactionHash) ?? []), event.args.handleNonce]);
    return [...byTx.values()].map((nonces) => nonces.join(","));
  }

  it("three relayers started before a burst propose the same windows, a partial one after batchWaitMs, each transfer in one batch", async function () {
    const pair = await deployPair(frame.parent, frame.child);
    await approve(pair);
    let clock = 1_000_000;
    const logs = [memoryLogger(), memoryLogger(), memoryLogger()];
    const signatureDir = `${frame.directory.path}/signatures`;
    const [first, second, third] = (frame.relayers = await Promise.all(
      [0, 1, 2].map((index) =>
        relayerFor(pair, index, frame.directory.path, {
          signatureDir,
          batchSize: 4,
          batchWaitMs: 1000,
          now: () => clock,
          logger: logs[index],
        }),
      ),
    ));
    await step(first, second, third);

    // each relayer reads the stream at a different point: the first sees 3 requests, the second 6, the third 10
    await requestBlock(pair, 3);
    await step(first);
    expect(first.store.countByState(), "a window not full waits").to.deep.equal({ seen: 3 });
    await requestBlock(pair, 3);
    await step(second, first);
    clock += 400;
    await requestBlock(pair, 4);
    await step(third, second, first, third);
    expect(await pair.child.bridge.lowerHandleNonce()).to.equal(8n);
    expect(third.store.getTransfer("parent", 9n)?.state, "the last window waits for batchWaitMs").to.equal("seen");

    clock += 999;
    await step(first, second, third);
    expect(await pair.child.bridge.lowerHandleNonce()).to.equal(8n);
    clock += 1;
    await step(first, second, third);
    expect(await pair.child.bridge.lowerHandleNonce()).to.equal(10n);

    // every relayer signed (or left to the others) the same three cuts, and nothing else
    const batches = signedBatches(logs);
    expect([...batches.values()].sort()).to.deep.equal(["0,1,2,3", "4,5,6,7", "8,9"]);
    expect((await handledBatches(pair)).sort()).to.deep.equal(["0,1,2,3", "4,5,6,7", "8,9"]);
    for (const log of logs) {
      const signatures = log.records.filter((record) => record.action === "sign" || record.action === "cosign");
      expect(signatures.length, "no relayer signs a batch twice").to.equal(new Set(signatures.map((r) => r.fields.digest)).size);
    }
    await expectConservation(pair);
  });

  it("two relayers that proposed different cuts at once settle on the preferred one: one batch is executed", async function () {
    const { pair, logger, signatureDir, first, third } = await firstAndThird();
    await step(first); // proposes nonces 0..2 (batchWaitMs 0)
    await requestBlock(pair, 2);

    // meanwhile the second operator's relayer, which read 5 requests, proposed 0..4
    const head = await frame.parent.ethers.provider.getBlockNumber();
    const requests = await first.fetchRequests("parent", pair.parent.deployedBlock, head);
    const longer = requests.map((request) => toSignedTransfer(request));
    const shared = new SignatureDirectory(signatureDir, bridgeDomain(31338n, await pair.child.bridge.getAddress()));
    const [shorter] = await shared.proposals();
    const longerDigest = await proposeChildBatch(pair, signatureDir, 1, longer);

    // the first operator leaves its own cut (short of the threshold) for the longer one, which executes all five
    await step(first);
    expect(logger.records.some((r) => r.action === "cosign" && r.fields.digest === longerDigest)).to.equal(true);
    expect(await pair.child.bridge.lowerHandleNonce()).to.equal(5n);
    expect(await handledBatches(pair)).to.deep.equal(["0,1,2,3,4"]);
    // the third operator never signs the shorter cut: it keeps the one signature it had
    await step(third, first);
    expect(logger.records.some((r) => r.fields.digest === shorter && r.action === "cosign")).to.equal(false);
    expect((await shared.read(shorter)).map((entry) => entry.signer)).to.deep.equal([pair.operators[0]]);
    expect(first.store.countByState()).to.deep.equal({ done: 5 });
    expect(third.store.countByState()).to.deep.equal({ done: 5 });
    await expectConservation(pair);
  });

  it("does not sign a second version of transfers it signed in a batch that reached the threshold", async function () {
    // a long grace: the batches at the threshold are not submitted by the relayers that are not designated
    const { pair, logger, signatureDir, first, third } = await firstAndThird({ submitGraceMs: 60_000 });
    await step(first, third); // 0..2 signed by both: at the threshold, not submitted (the designated submitter is down)
    expect(await pair.child.bridge.lowerHandleNonce()).to.equal(0n);
    await requestBlock(pair, 2);
    const requests = await first.fetchRequests("parent", pair.parent.deployedBlock, await frame.parent.ethers.provider.getBlockNumber());
    const longer = requests.map((request) => toSignedTransfer(request));
    const longerDigest = await proposeChildBatch(pair, signatureDir, 1, longer);
    await step(first, third);
    expect(logger.records.filter((r) => r.action === "conflicting-batch" && r.fields.digest === longerDigest)).to.have.length(2);
    expect(logger.records.some((r) => r.action === "cosign" && r.fields.digest === longerDigest)).to.equal(false);
    // the rest (3 and 4) goes in a batch of its own
    expect(logger.records.filter((r) => r.action === "sign" || r.action === "cosign").map((r) => r.fields.nonces)).to.include("3,4");
  });

  it("the windows of one step that name the same source block are checked against one read of it, each window signed", async function () {
    const { logger, first } = await firstAndThird({ batchSize: 1 }); // three requests in one block: three windows
    await first.poll();
    const provider = frame.parent.ethers.provider;
    const send = provider.send.bind(provider);
    const ranges: string[] = [];
    provider.send = async (method, params): Promise<unknown> => {
      if (method === "eth_getLogs") {
        const [{ fromBlock, toBlock }] = params as { fromBlock?: unknown; toBlock?: unknown }[];
        ranges.push(`${String(fromBlock)}-${String(toBlock)}`);
      }
      return send(method, params);
    };
    try {
      await first.processPending();
    } finally {
      provider.send = send;
    }
    expect(logger.records.filter((record) => record.action === "sign").map((record) => record.fields.nonces)).to.deep.equal(["0", "1", "2"]);
    expect(ranges, "the block read once for the three windows").to.have.length(1);
    // the next step reads afresh
    await first.processPending();
  });

  it("a first batch whose guessed gas one execution finds short goes with an estimate: one transaction, by signatures", async function () {
    const pair = await deployPair(frame.parent, frame.child);
    // payouts to a recipient that burns its whole budget: far more gas than a batch's first guess allows
    const burner = await frame.child.ethers.deployContract("GasBurningRecipient");
    const user = pair.parent.signers.find((signer) => signer.address === pair.user)!;
    for (let i = 0; i < 4; i++) {
      await (await pair.parent.bridge.connect(user).requestKLAYTransfer(burner, ONE, "0x", { value: ONE })).wait();
    }
    const logger = memoryLogger();
    const options = { signatureDir: `${frame.directory.path}/signatures`, batchSize: 4, logger };
    const relayers = (frame.relayers = await Promise.all([0, 1].map((index) => relayerFor(pair, index, frame.directory.path, options))));
    await step(...relayers, ...relayers);
    expect(await pair.child.bridge.lowerHandleNonce()).to.equal(4n);
    const failed = await pair.child.bridge.queryFilter(pair.child.bridge.filters.HandleValueTransferFailed(), pair.child.deployedBlock);
    expect(new Set(failed.map((event) => event.transactionHash)).size, "one batch handled the four").to.equal(1);
    expect(failed.map((event) => event.args.handleNonce)).to.deep.equal([0n, 1n, 2n, 3n]);
    const actions = logger.records.map((record) => record.action);
    expect(actions, "no batch sent with too little gas").to.not.include("batch-out-of-gas");
    expect(actions).to.not.include("batch-failed");
    expect(actions).to.not.include("vote");
    expect(actions).to.include("submit");
  });
});
