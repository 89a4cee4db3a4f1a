/**
 * Attacks on the relayer (SECURITY.md, classes 12 to 16): state of another deployment or of a reorged chain, peer
 * files that hang or flood a reader, a collection's token URI that no decoder accepts, copies of one operator's
 * signature counted twice, failures hidden in the summary. Each test runs the real relayer library on two in-process
 * chains and fails on the vulnerable variant it names.
 */
import { closeSync, constants, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";

import { expect } from "chai";
import { AbiCoder, concat, getAddress } from "ethers";

import { memoryLogger } from "../../src/relayer/index.js";
import { pendingTransfers } from "../../src/status.js";
import { KLAYRejecter__factory } from "../../types/ethers-contracts/index.js";
import { ONE, connectedPair, deployPair, expectConservation, mine, relayerFor, requestEachKind, stepAll, useTwoChains } from "../relayer/helpers.js";
import type { Pair } from "../relayer/helpers.js";

/** The handles of `pair`'s child bridge: nonce, recipient and request tx of each. */
async function childHandles(pair: Pair): Promise<{ nonce: bigint; to: string; requestTxHash: string }[]> {
  const events = await pair.child.bridge.queryFilter(pair.child.bridge.filters.HandleValueTransfer(), 0, "latest");
  return events.map((event) => ({ nonce: event.args.handleNonce, to: event.args.to, requestTxHash: event.args.requestTxHash }));
}

/** The KLAY requests of the parent bridge: nonce, recipient and tx. */
async function parentRequests(pair: Pair): Promise<{ nonce: bigint; to: string; txHash: string }[]> {
  const events = await pair.parent.bridge.queryFilter(pair.parent.bridge.filters.RequestValueTransfer(), 0, "latest");
  return events.map((event) => ({ nonce: event.args.requestNonce, to: event.args.to, txHash: event.transactionHash }));
}

async function requestKLAY(pair: Pair, to: string, amount = ONE): Promise<void> {
  const user = pair.parent.signers[10];
  await (await pair.parent.bridge.connect(user).requestKLAYTransfer(to, amount, "0x", { value: amount })).wait();
}

/** Resolves with `promise`, or rejects when it takes longer than `ms` (a reader that hangs). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not return within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe("attacks on the relayer: stale state, hostile peer files and chain data, counted failures", function () {
  const chains = useTwoChains("relayer-attacks-");
  const fifos: string[] = [];

  afterEach(function () {
    // a reader left blocked on a pipe (the vulnerable variant) is released, so the test process can end
    for (const fifo of fifos.splice(0)) {
      try {
        closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // no reader waiting
      }
    }
  });

  describe("class 12: the relayer signs only what it has just read from the current source bridge", function () {
    it("after a redeploy under the same store, the old deployment's transfers are never paid by the new bridges", async function () {
      const old = await deployPair(chains.parent, chains.child, { threshold: 1 });
      const oldRecipient = getAddress("0x00000000000000000000000000000000000a11ce");
      await requestKLAY(old, oldRecipient);
      await requestKLAY(old, oldRecipient);
      const logger = memoryLogger();
      const first = await relayerFor(old, 0, chains.directory.path, { logger });
      await stepAll([first]);
      expect((await childHandles(old)).map((handle) => handle.nonce)).to.deep.equal([0n, 1n]);
      first.close();

      // `bridge deploy --force`: new bridges on the same chains; the relayer restarts with the same store path
      const fresh = await deployPair(chains.parent, chains.child, { threshold: 1 });
      const newRecipient = getAddress("0x0000000000000000000000000000000000000b0b");
      await requestKLAY(fresh, newRecipient);
      await requestKLAY(fresh, newRecipient);
      const restarted = await relayerFor(fresh, 0, chains.directory.path, { logger });
      chains.relayers = [restarted];
      await restarted.recover();
      await stepAll([restarted], 2);

      const requests = await parentRequests(fresh);
      const handles = await childHandles(fresh);
      expect(handles.map((handle) => handle.to)).to.deep.equal([newRecipient, newRecipient]);
      expect(handles.map((handle) => handle.requestTxHash)).to.deep.equal(requests.map((request) => request.txHash));
      const setAside = logger.records.filter((record) => record.action === "store-set-aside");
      expect(setAside).to.have.length(1);
      expect(String(setAside[0].fields.reason)).to.match(/holds the state of parent 0x[0-9a-f]{40} \(chain 31337\)/);
      expect(existsSync(String(setAside[0].fields.movedTo))).to.equal(true);
      await expectConservation(fresh);
    });

    it("a chain reset and redeployed alike (same addresses and blocks) is told apart by its blocks' hashes", async function () {
      const ids = await Promise.all([chains.parent, chains.child].map((c) => c.provider.request({ method: "evm_snapshot", params: [] })));
      const old = await deployPair(chains.parent, chains.child, { threshold: 1 });
      await requestKLAY(old, getAddress("0x00000000000000000000000000000000000a11ce"));
      const logger = memoryLogger();
      const first = await relayerFor(old, 0, chains.directory.path, { logger });
      await stepAll([first]);
      first.close();
      // the nodes restart: the same chains from the same start, a little later
      for (const [index, connection] of [chains.parent, chains.child].entries()) {
        await connection.provider.request({ method: "evm_revert", params: [ids[index]] });
        await connection.provider.request({ method: "evm_increaseTime", params: [600] });
      }
      const fresh = await deployPair(chains.parent, chains.child, { threshold: 1 });
      expect(await fresh.parent.bridge.getAddress()).to.equal(await old.parent.bridge.getAddress());
      expect(fresh.parent.deployedBlock).to.equal(old.parent.deployedBlock);
      const recipient = getAddress("0x0000000000000000000000000000000000000b0b");
      await requestKLAY(fresh, recipient);
      const restarted = await relayerFor(fresh, 0, chains.directory.path, { logger });
      chains.relayers = [restarted];
      await stepAll([restarted], 2);
      expect(logger.records.filter((record) => record.action === "store-set-aside")).to.have.length(1);
      expect((await childHandles(fresh)).map((handle) => handle.to)).to.deep.equal([recipient]);
      await expectConservation(fresh);
    });

    it("a store object of another deployment is refused with one clear error", async function () {
      const old = await deployPair(chains.parent, chains.child);
      const first = await relayerFor(old, 0, chains.directory.path);
      await first.poll();
      const fresh = await deployPair(chains.parent, chains.child);
      let error: unknown;
      try {
        await relayerFor(fresh, 0, chains.directory.path, { store: first.store });
      } catch (caught) {
        error = caught;
      } finally {
        first.close();
      }
      expect(String(error)).to.match(/the relayer's store belongs to another deployment: it holds the state of parent/);
    });

    it("a transfer recorded done but not handled (a reorg) is read again from the source, never signed from the store", async function () {
      const pair = await deployPair(chains.parent, chains.child, { threshold: 1 });
      const recipient = getAddress("0x0000000000000000000000000000000000000b0b");
      await requestKLAY(pair, recipient);
      const relayer = await relayerFor(pair, 0, chains.directory.path);
      chains.relayers = [relayer];
      // what the store held for nonce 0 came from a chain that was reorganised away: another recipient, marked done
      const head = await chains.parent.ethers.provider.getBlockNumber();
      const [request] = await relayer.fetchRequests("parent", pair.parent.deployedBlock, head);
      const thief = getAddress("0x000000000000000000000000000000000000dead");
      relayer.ingest([{ ...request, to: thief }], { side: "parent", block: head });
      relayer.store.updateTransfer("parent", 0n, { state: "done" });

      expect(await relayer.recover()).to.equal(1);
      await stepAll([relayer]);
      const handles = await childHandles(pair);
      expect(handles.map((handle) => handle.to)).to.deep.equal([recipient]);
      expect(relayer.store.getTransfer("parent", 0n)?.request.to).to.equal(recipient);
      await expectConservation(pair);
    });

    it("a stored transfer that differs from the source's log is not voted; it is read again and delivered as requested", async function () {
      const pair = await deployPair(chains.parent, chains.child, { threshold: 1 });
      const recipient = getAddress("0x0000000000000000000000000000000000000b0b");
      await requestKLAY(pair, recipient);
      const logger = memoryLogger();
      const relayer = await relayerFor(pair, 0, chains.directory.path, { logger });
      chains.relayers = [relayer];
      const head = await chains.parent.ethers.provider.getBlockNumber();
      const [request] = await relayer.fetchRequests("parent", pair.parent.deployedBlock, head);
      relayer.ingest([{ ...request, valueOrTokenId: 50n * ONE }], { side: "parent", block: head });

      await relayer.processPending(); // the vote is refused: the store's copy is not what the source shows
      expect(await childHandles(pair)).to.have.length(0);
      expect(logger.records.some((record) => record.action === "stale-request" && record.fields.nonce === 0n)).to.equal(true);
      await relayer.recover();
      await relayer.processPending();
      const events = await pair.child.bridge.queryFilter(pair.child.bridge.filters.HandleValueTransfer(), 0, "latest");
      expect(events.map((event) => event.args.valueOrTokenId)).to.deep.equal([ONE]);
      await expectConservation(pair);
    });
  });

  describe("class 13: peer signature files are bounded and never block a reader", function () {
    it("a named pipe, a huge file and a symlink in the signature directory are refused, logged once, and relaying goes on", async function () {
      const pair = await deployPair(chains.parent, chains.child);
      const signatureDir = join(chains.directory.path, "signatures");
      const logger = memoryLogger();
      const list = [
        await relayerFor(pair, 0, chains.directory.path, { signatureDir, logger }),
        await relayerFor(pair, 1, chains.directory.path, { signatureDir, logger }),
      ];
      chains.relayers = list;
      const root = join(signatureDir, `31338-${(await pair.child.bridge.getAddress()).toLowerCase()}`);
      const planted = join(root, `0x${"ab".repeat(32)}`);
      mkdirSync(planted, { recursive: true });
      const fifo = join(planted, "pipe.json");
      execFileSync("mkfifo", [fifo]);
      fifos.push(fifo);
      const huge = join(planted, "huge.json");
      writeFileSync(huge, "");
      truncateSync(huge, 64 * 1024 * 1024); // sparse: 64 MiB of nothing
      const secret = join(chains.directory.path, "secret.txt");
      writeFileSync(secret, "not for peers");
      symlinkSync(secret, join(planted, "link.json"));

      await requestEachKind(pair, "parent", 1n);
      await within(stepAll(list, 2), 20_000, "a relayer step");
      expect(await pair.child.bridge.lowerHandleNonce()).to.equal(3n);
      const refused = logger.records.filter((record) => record.action === "bad-signature-file");
      const reasons = new Map(refused.map((record) => [String(record.fields.file).split("/").pop(), String(record.fields.reason)]));
      expect(reasons.get("pipe.json")).to.equal("not a regular file");
      expect(reasons.get("huge.json")).to.match(/67108864 bytes, above the \d+-byte limit/);
      expect(reasons.get("link.json")).to.equal("a symlink, not a file");
      // once per relayer and file, however many steps
      expect(refused.length).to.equal(6);
      await expectConservation(pair);
    });
  });

  describe("class 14: chain data no decoder accepts never stops the scan", function () {
    it("a KIP17 whose token URI is not UTF-8 is relayed (U+FFFD for the bad bytes) and the requests after it too", async function () {
      const pair = await deployPair(chains.parent, chains.child, { threshold: 1 });
      const logger = memoryLogger();
      const relayer = await relayerFor(pair, 0, chains.directory.path, { logger });
      chains.relayers = [relayer];
      const user = pair.parent.signers[10];
      const kip17 = pair.parent.kip17;
      // a collection's minter mints with raw bytes as the URI (a `string` in the ABI is bytes: nothing checks UTF-8)
      const rawUri = "0x697066733a2f2fff fe c3 28".replace(/ /g, "");
      const data = concat([
        kip17.interface.getFunction("mintWithTokenURI").selector,
        AbiCoder.defaultAbiCoder().encode(["address", "uint256", "bytes"], [user.address, 9n, rawUri]),
      ]);
      await (await pair.parent.signers[0].sendTransaction({ to: await kip17.getAddress(), data })).wait();
      const bridge = pair.parent.bridge.connect(user);
      await (await kip17.connect(user).approve(await bridge.getAddress(), 9n)).wait();
      await (await bridge.requestERC721Transfer(await kip17.getAddress(), user.address, 9n, "0x")).wait();
      await requestKLAY(pair, user.address);
      // `bridge status` lists it pending, with what the relayers will do of its URI
      const [pending] = (await pendingTransfers(await connectedPair(pair), "parent")).pending;
      expect(pending.requestNonce).to.equal(0n);
      expect(pending.problem).to.match(/token URI is not a UTF-8 string: relayed with U\+FFFD/);

      await stepAll([relayer], 2);
      expect(await pair.child.bridge.lowerHandleNonce()).to.equal(2n);
      expect(await pair.child.kip17.ownerOf(9n)).to.equal(user.address);
      expect(await pair.child.kip17.tokenURI(9n)).to.equal("ipfs://\uFFFD\uFFFD\uFFFD(");
      const changed = logger.records.filter((record) => record.action === "request-changed");
      expect(changed).to.have.length(1);
      expect(String(changed[0].fields.reason)).to.match(/not a UTF-8 string/);
    });
  });

  describe("class 15: thresholds count distinct current operators, never files", function () {
    it("a copy of one operator's batch signature under another name does not complete the batch: it goes signed, no vote", async function () {
      const pair = await deployPair(chains.parent, chains.child);
      const signatureDir = join(chains.directory.path, "signatures");
      const [first, second] = (chains.relayers = [
        await relayerFor(pair, 0, chains.directory.path, { signatureDir }),
        await relayerFor(pair, 1, chains.directory.path, { signatureDir }),
      ]);
      await requestEachKind(pair, "parent", 1n);
      await stepAll([first]); // proposes and signs the batch
      const root = join(signatureDir, `31338-${(await pair.child.bridge.getAddress()).toLowerCase()}`);
      const [digest] = readdirSync(root).filter((name) => name.startsWith("0x"));
      const [own] = readdirSync(join(root, digest));
      copyFileSync(join(root, digest, own), join(root, digest, "0xcopy.json"));

      await stepAll([second, first], 2);
      expect(await pair.child.bridge.lowerHandleNonce()).to.equal(3n);
      const votes = await pair.child.bridge.queryFilter(pair.child.bridge.filters.VoteCast(), 0, "latest");
      expect(votes, "no per-operator vote: the batch was completed by a second operator").to.have.length(0);
      await expectConservation(pair);
    });

    it("a copy of one operator's anchor signature does not complete the anchor: the second operator's makes it", async function () {
      const pair = await deployPair(chains.parent, chains.child);
      const receiver = pair.parent.anchoringReceiver;
      const signatureDir = join(chains.directory.path, "signatures");
      const logger = memoryLogger();
      const options = { anchorEvery: 10, signatureDir, logger };
      const [first, second] = (chains.relayers = [
        await relayerFor(pair, 0, chains.directory.path, options),
        await relayerFor(pair, 1, chains.directory.path, options),
      ]);
      await mine(chains.child, 25);
      expect(await first.anchor()).to.deep.equal([]); // signed, waiting for a second operator
      const root = join(signatureDir, `31337-${(await receiver.getAddress()).toLowerCase()}`);
      for (const digest of readdirSync(root).filter((name) => name.startsWith("0x"))) {
        const [own] = readdirSync(join(root, digest));
        copyFileSync(join(root, digest, own), join(root, digest, "0xcopy.json"));
      }
      expect(await first.anchor(), "one operator's signature and its copy are not two operators").to.deep.equal([]);
      expect(await receiver.latestAnchoredBlock()).to.equal(0n);
      expect((await second.anchor()).length).to.be.greaterThan(0);
      const failures = logger.records.filter((record) => record.action === "anchor-failed");
      expect(failures, "no submission with one operator's signature twice").to.have.length(0);
      const votes = await receiver.queryFilter(receiver.filters.VoteCast(), 0, "latest");
      expect(votes, "anchored by signatures, not by votes").to.have.length(0);
    });

    it("a copy of the lowest operator's cancel signature does not make every signed cancellation revert: refunded", async function () {
      const pair = await deployPair(chains.parent, chains.child, { childMintBurn: false });
      const signatureDir = join(chains.directory.path, "signatures");
      let clock = 1_000_000;
      const options = { signatureDir, failedRetries: 0, signatureWaitMs: 5000, payoutRetryBackoffMs: 1000, now: () => clock };
      const order = [0, 1, 2].sort((a, b) => (BigInt(pair.operators[a]) < BigInt(pair.operators[b]) ? -1 : 1));
      const rejecter = await (await new KLAYRejecter__factory(pair.child.signers[0]).deploy()).getAddress();
      await requestKLAY(pair, rejecter, 2n * ONE);
      // handled by a signed batch of the lowest and the highest operator, parked as failed, not cancelled yet
      const patient = { ...options, failedRetries: 100 };
      const handling = [
        await relayerFor(pair, order[0], chains.directory.path, patient),
        await relayerFor(pair, order[2], chains.directory.path, patient),
      ];
      await stepAll(handling);
      for (const relayer of handling) relayer.close();
      expect(await pair.child.bridge.isHandled(0n)).to.equal(true);

      const lowest = await relayerFor(pair, order[0], chains.directory.path, options);
      chains.relayers = [lowest];
      await stepAll([lowest]); // the lowest operator signs the cancellation
      const recovery = await pair.child.bridge.transferRecovery();
      const root = join(signatureDir, `31338-${recovery.toLowerCase()}`);
      const [digest] = readdirSync(root).filter((name) => name.startsWith("0x"));
      const [own] = readdirSync(join(root, digest));
      copyFileSync(join(root, digest, own), join(root, digest, "0xffff-copy.json"));
      const next = await relayerFor(pair, order[1], chains.directory.path, options);
      chains.relayers.push(next);
      for (let round = 0; round < 4; round++) {
        clock += 1000;
        await stepAll([lowest, next]);
      }
      const parentRecovery = await pair.parent.bridge.transferRecovery();
      const refunded = await pair.parent.connection.ethers.getContractAt("TransferRecovery", parentRecovery);
      expect(await refunded.isRefunded(0n)).to.equal(true);
      await expectConservation(pair);
    });
  });

  describe("class 16: the summary counts what failed", function () {
    it("runOnce reports a payout that failed and a retry that failed again as failures", async function () {
      const pair = await deployPair(chains.parent, chains.child, { threshold: 1, childMintBurn: false });
      const logger = memoryLogger();
      const relayer = await relayerFor(pair, 0, chains.directory.path, {
        logger,
        failedRetries: 5,
        payoutRetryBackoffMs: 0,
        signatureWaitMs: 0,
      });
      chains.relayers = [relayer];
      const rejecter = await (await new KLAYRejecter__factory(pair.child.signers[0]).deploy()).getAddress();
      await requestKLAY(pair, rejecter, 2n * ONE);
      await relayer.runOnce();
      await relayer.runOnce();
      const summaries = logger.records.filter((record) => record.action === "once");
      const failed = summaries.map((record) => Number(record.fields.failed));
      expect(logger.records.some((record) => record.action === "payout-failed")).to.equal(true);
      expect(logger.records.some((record) => record.action === "retry-failed")).to.equal(true);
      expect(failed.reduce((sum, count) => sum + count, 0)).to.be.greaterThanOrEqual(2);
      expect(summaries.map((record) => record.level)).to.include("warn");
      expect(Number(summaries[0].fields.payoutFailed)).to.equal(1);
    });
  });
});
