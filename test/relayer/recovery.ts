/**
 * Transfers handled but not paid out, driven by three relayers (2 of 3) on two in-process chains: retried, cancelled
 * and refunded exactly once; paid by a retry once the cause is fixed; approvals by calls when signatures do not come;
 * restarts in the middle; no refund signed for a transfer the destination did not cancel.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";
import { formatEther } from "ethers";

import { recoveryTransfers } from "../../src/recovery.js";
import type { RecoveryEntry } from "../../src/recovery.js";
import { RelayerStore, memoryLogger, refundTransferOf } from "../../src/relayer/index.js";
import type { Relayer, RelayerLogger, RelayerOptions } from "../../src/relayer/index.js";
import { recoveryDigest, recoveryDomain } from "../../src/signatures.js";
import { KLAYRejecter__factory, TransferRecovery__factory } from "../../types/ethers-contracts/index.js";
import type { TransferRecovery } from "../../types/ethers-contracts/index.js";
import { ONE, connectedPair, deployPair, expectConservation, fundBridge, relayerFor, stepAll, useTwoChains } from "./helpers.js";
import type { Pair } from "./helpers.js";

describe("relayer recovery of transfers not paid out (two in-process chains)", function () {
  const frame = useTwoChains("relayer-recovery-");
  let clock = 1_000_000;
  let lastLogger: ReturnType<typeof memoryLogger> | undefined;

  beforeEach(function () {
    clock = 1_000_000;
  });

  afterEach(function () {
    if (process.env.DEBUG_RECOVERY !== undefined && this.currentTest?.state === "failed") {
      for (const entry of lastLogger?.records ?? []) console.log(entry.level, entry.action, JSON.stringify(entry.fields, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
    }
  });

  const signatureDir = () => join(frame.directory.path, "signatures");

  async function start(
    pair: Pair,
    index: number,
    options: Partial<RelayerOptions> & { logger?: RelayerLogger } = {},
  ): Promise<Relayer> {
    return relayerFor(pair, index, frame.directory.path, {
      now: () => clock,
      payoutRetryBackoffMs: 1000,
      signatureWaitMs: 5000,
      failedRetries: 2,
      ...options,
    });
  }

  async function three(pair: Pair, options: Partial<RelayerOptions> & { logger?: RelayerLogger } = {}): Promise<Relayer[]> {
    frame.relayers = [await start(pair, 0, options), await start(pair, 1, options), await start(pair, 2, options)];
    return frame.relayers;
  }

  async function statusOf(pair: Pair, from: "parent" | "child"): Promise<Map<bigint, RecoveryEntry["status"]>> {
    const entries = await recoveryTransfers(await connectedPair(pair, "recovery"), from);
    return new Map(entries.map((entry) => [entry.requestNonce, entry.status]));
  }

  async function ledger(pair: Pair, side: "parent" | "child"): Promise<TransferRecovery> {
    return TransferRecovery__factory.connect(await pair[side].bridge.transferRecovery(), pair[side].signers[0]);
  }

  /** Steps the relayers, moving the clock on by `ms` before each round. */
  async function rounds(list: Relayer[], count: number, ms = 0): Promise<void> {
    for (let round = 0; round < count; round++) {
      clock += ms;
      await stepAll(list);
    }
  }

  it("a KLAY, a KIP7 and a KIP17 transfer that cannot be paid: retried N times, cancelled by signatures, refunded once", async function () {
    const pair = await deployPair(frame.parent, frame.child, { childMintBurn: false });
    const logger = (lastLogger = memoryLogger());
    const list = await three(pair, { signatureDir: signatureDir(), logger });
    const user = pair.parent.signers[10];
    const rejecter = await new KLAYRejecter__factory(pair.child.signers[0]).deploy();
    const rejecterAddress = await rejecter.getAddress();
    const bridge = pair.parent.bridge.connect(user);
    const bridgeAddress = await bridge.getAddress();
    // KLAY to an account that refuses it; more KIP7 than the lock-mode child bridge holds (1000); an NFT to a
    // contract that takes no NFT
    await (await pair.parent.kip7.transfer(user.address, 1000n * ONE)).wait();
    await (await bridge.requestKLAYTransfer(rejecterAddress, 2n * ONE, "0x", { value: 2n * ONE })).wait();
    await (await pair.parent.kip7.connect(user).approve(bridgeAddress, 1500n * ONE)).wait();
    await (await bridge.requestERC20Transfer(await pair.parent.kip7.getAddress(), user.address, 1500n * ONE, 0, "0x")).wait();
    await (await pair.parent.kip17.connect(user).approve(bridgeAddress, 1n)).wait();
    await (await bridge.requestERC721Transfer(await pair.parent.kip17.getAddress(), rejecterAddress, 1n, "0x")).wait();
    const klayBefore = await frame.parent.ethers.provider.getBalance(user.address);
    const kip7Before = await pair.parent.kip7.balanceOf(user.address);

    await rounds(list, 2); // handled by a signed batch: all three parked as failed; a first retry fails
    for (const nonce of [0n, 1n, 2n]) expect(await pair.child.bridge.isHandled(nonce)).to.equal(true);
    expect([...(await statusOf(pair, "parent")).values()]).to.deep.equal(["failed", "failed", "failed"]);
    const record = list[0].store.getRecovery("parent", 0n);
    expect(record?.state).to.equal("failed");
    expect(record?.attempts).to.equal(1);
    expect(record?.lastReason).to.match(/0x4bc0096d|KLAYRejected/); // the rejecter's own error
    expect(list[0].store.getRecovery("parent", 1n)?.lastReason).to.match(/^ERC20InsufficientBalance\(/);
    expect(list[0].store.getRecovery("parent", 2n)?.lastReason).to.match(/^KIP17InvalidReceiver\(/);
    await expectConservation(pair);

    await rounds(list, 1, 500); // not before the backoff
    expect(list[0].store.getRecovery("parent", 0n)?.attempts).to.equal(1);
    await rounds(list, 1, 1000); // second failed retry: the relayers sign the cancellations
    expect(list[0].store.getRecovery("parent", 0n)?.attempts).to.equal(2);
    // relayer by relayer, the status of the KLAY transfer as `bridge status` shows it: cancelled, then refunded
    const seen: string[] = ["failed"];
    for (let round = 0; round < 4; round++) {
      clock += 1000;
      for (const relayer of list) {
        await stepAll([relayer]);
        const now = (await statusOf(pair, "parent")).get(0n) ?? "none";
        if (seen[seen.length - 1] !== now) seen.push(now);
      }
    }
    expect(seen).to.deep.equal(["failed", "cancelled", "refunded"]);
    const retryFailures = logger.records.filter((entry) => entry.action === "retry-failed");
    expect(retryFailures.filter((entry) => entry.fields.nonce === 0n).length).to.equal(6); // 2 per relayer
    expect(logger.records.some((entry) => entry.action === "cancel-submitted")).to.equal(true);
    expect(logger.records.some((entry) => entry.action === "refund-submitted")).to.equal(true);
    expect(logger.records.some((entry) => entry.action === "cancel-approved" || entry.action === "refund-approved")).to.equal(false);

    const status = await statusOf(pair, "parent");
    expect([...status.values()]).to.deep.equal(["refunded", "refunded", "refunded"]);
    expect((await frame.parent.ethers.provider.getBalance(user.address)) - klayBefore).to.equal(2n * ONE);
    expect((await pair.parent.kip7.balanceOf(user.address)) - kip7Before).to.equal(1500n * ONE);
    expect(await pair.parent.kip17.ownerOf(1n)).to.equal(user.address);
    const parentLedger = await ledger(pair, "parent");
    expect(await parentLedger.queryFilter(parentLedger.filters.ValueTransferRefunded(), 0, "latest")).to.have.length(3);
    // the signature files of finished cancellations and refunds are gone; more steps change nothing
    await rounds(list, 2, 60_000);
    expect(await parentLedger.queryFilter(parentLedger.filters.ValueTransferRefunded(), 0, "latest")).to.have.length(3);
    for (const relayer of list) {
      for (const nonce of [0n, 1n, 2n]) expect(relayer.store.getRecovery("parent", nonce)?.state).to.equal("refunded");
    }
    for (const side of ["parent", "child"] as const) {
      const chainId = (await pair[side].connection.ethers.provider.getNetwork()).chainId;
      const root = join(signatureDir(), `${chainId}-${(await pair[side].bridge.transferRecovery()).toLowerCase()}`);
      expect(existsSync(root) ? readdirSync(root) : [], `signature files left on ${side}`).to.deep.equal([]);
    }
    expect(logger.records.filter((entry) => entry.level === "error")).to.deep.equal([]);
    await expectConservation(pair);
  });

  it("a failure fixed before the retries run out (the bridge funded) is paid by a retry and never refunded", async function () {
    const pair = await deployPair(frame.parent, frame.child);
    const logger = (lastLogger = memoryLogger());
    const list = await three(pair, { signatureDir: signatureDir(), logger, failedRetries: 3 });
    const user = pair.parent.signers[10];
    await (await pair.parent.bridge.connect(user).requestKLAYTransfer(user.address, 150n * ONE, "0x", { value: 150n * ONE })).wait();
    await rounds(list, 1);
    expect(await pair.child.bridge.isHandled(0n)).to.equal(true);
    expect(list[2].store.getRecovery("parent", 0n)?.state).to.equal("failed");
    expect((await statusOf(pair, "parent")).get(0n)).to.equal("failed");
    // the relayer says why: the bridge holds less KLAY than it has to pay, and how much to fund it with
    const held = await frame.child.ethers.provider.getBalance(await pair.child.bridge.getAddress());
    const failed = logger.records.find((entry) => entry.action === "payout-failed");
    expect(String(failed?.fields.reason)).to.equal(
      `the child bridge holds ${formatEther(held)} KLAY, less than the 150.0 KLAY to pay; ` +
        `hint: fund it with at least ${formatEther(150n * ONE - held)} KLAY (\`bridge fund --side child\`)`,
    );
    await expectConservation(pair);

    await fundBridge(pair, "child", 100n * ONE);
    const before = await frame.child.ethers.provider.getBalance(user.address);
    await rounds(list, 2, 5000);
    expect((await frame.child.ethers.provider.getBalance(user.address)) - before).to.equal(150n * ONE);
    expect((await statusOf(pair, "parent")).size).to.equal(0);
    for (const relayer of list) expect(relayer.store.getRecovery("parent", 0n)?.state).to.equal("paid");
    await rounds(list, 4, 60_000);
    expect(logger.records.some((entry) => entry.action.startsWith("cancel") || entry.action.startsWith("refund"))).to.equal(false);
    const childLedger = await ledger(pair, "child");
    expect(await childLedger.queryFilter(childLedger.filters.TransferCancelled(), 0, "latest")).to.have.length(0);
    await expectConservation(pair);
  });

  it("approves by calls when signatures do not come in time, and without a signature directory (child -> parent)", async function () {
    const pair = await deployPair(frame.parent, frame.child);
    const logger = (lastLogger = memoryLogger());
    // the first relayer exchanges signatures, but nobody else does: it approves by its own call after the wait; the
    // second approves by calls only
    const signing = await start(pair, 0, { signatureDir: signatureDir(), logger, failedRetries: 0 });
    const voting = await start(pair, 1, { logger, failedRetries: 0 });
    frame.relayers = [signing, voting];
    const user = pair.child.signers[10];
    const rejecter = await new KLAYRejecter__factory(pair.parent.signers[0]).deploy();
    await (await pair.child.bridge.connect(user).requestKLAYTransfer(await rejecter.getAddress(), 3n * ONE, "0x", { value: 3n * ONE })).wait();
    const before = await frame.child.ethers.provider.getBalance(user.address);

    // handled (the signer votes once its batch signatures did not come); failed; cancel: the signer signs, the voter
    // approves by a call, the signer approves by a call once its wait is over; then the refund, the same way
    await rounds([signing, voting], 8, 6000);
    expect(await pair.parent.bridge.isHandled(0n)).to.equal(true);
    expect((await statusOf(pair, "child")).get(0n)).to.equal("refunded");
    const actions = logger.records.map((entry) => entry.action);
    for (const action of ["cancel-signed", "cancel-approved", "refund-signed", "refund-approved"]) expect(actions).to.include(action);
    expect(actions).not.to.include("cancel-submitted");
    expect(logger.records.some((entry) => entry.action === "fallback" && entry.fields.kind === "cancel")).to.equal(true);
    expect(logger.records.some((entry) => entry.action === "fallback" && entry.fields.kind === "refund")).to.equal(true);
    expect(signing.store.getRecovery("child", 0n)?.state).to.equal("refunded");
    expect(voting.store.getRecovery("child", 0n)?.state).to.equal("refunded");
    expect((await frame.child.ethers.provider.getBalance(user.address)) - before).to.equal(3n * ONE);
    await expectConservation(pair);
  });

  it("a relayer restarted in the middle of a cancellation and of a refund repeats nothing", async function () {
    const pair = await deployPair(frame.parent, frame.child);
    const logger = (lastLogger = memoryLogger());
    let crashOn: string | undefined = "cancel";
    const crashes: string[] = [];
    const crashing = (sent: { kind: string }) => {
      if (sent.kind === crashOn) {
        crashes.push(sent.kind);
        crashOn = crashOn === "cancel" ? "refund" : undefined;
        throw new Error(`killed after sending a ${sent.kind}`);
      }
    };
    // votes only, so that each relayer's own approvals are sent (and crash after sending)
    let first = await start(pair, 0, { logger, failedRetries: 0, afterSend: crashing });
    const second = await start(pair, 1, { logger, failedRetries: 0 });
    frame.relayers = [first, second];
    const user = pair.parent.signers[10];
    const rejecter = await new KLAYRejecter__factory(pair.child.signers[0]).deploy();
    await (await pair.parent.bridge.connect(user).requestKLAYTransfer(await rejecter.getAddress(), ONE, "0x", { value: ONE })).wait();

    // killed right after sending its approval of the cancellation, then of the refund: started again each time
    for (let round = 0; round < 8 && (await statusOf(pair, "parent")).get(0n) !== "refunded"; round++) {
      const before = crashes.length;
      await rounds([first, second], 1);
      if (crashes.length > before) {
        first.close();
        first = await start(pair, 0, { logger, failedRetries: 0, afterSend: crashing });
        frame.relayers = [first, second];
      }
    }
    await rounds([first, second], 2);
    expect(crashes).to.deep.equal(["cancel", "refund"]);
    expect((await statusOf(pair, "parent")).get(0n)).to.equal("refunded");
    const childLedger = await ledger(pair, "child");
    const parentLedger = await ledger(pair, "parent");
    expect(await childLedger.queryFilter(childLedger.filters.TransferCancelled(), 0, "latest")).to.have.length(1);
    expect(await parentLedger.queryFilter(parentLedger.filters.ValueTransferRefunded(), 0, "latest")).to.have.length(1);
    expect(first.store.getRecovery("parent", 0n)?.state).to.equal("refunded");
    await expectConservation(pair);
  });

  it("never signs nor approves a refund of a transfer the destination did not cancel", async function () {
    const pair = await deployPair(frame.parent, frame.child);
    const logger = (lastLogger = memoryLogger());
    const relayer = await start(pair, 0, { signatureDir: signatureDir(), logger, failedRetries: 100 });
    frame.relayers = [relayer];
    const user = pair.parent.signers[10];
    await (await pair.parent.bridge.connect(user).requestKLAYTransfer(user.address, 150n * ONE, "0x", { value: 150n * ONE })).wait();
    // the other operators handle it by votes; the child bridge lacks the KLAY: failed
    for (const index of [1, 2]) {
      const operator = pair.child.signers.find((signer) => signer.address === pair.operators[index])!;
      const stored = await (async () => {
        await relayer.poll();
        return relayer.store.getTransfer("parent", 0n)!.request;
      })();
      await (
        await pair.child.bridge
          .connect(operator)
          .handleKLAYTransfer(stored.requestTxHash, stored.from, stored.to, stored.valueOrTokenId, 0n, stored.requestBlockNumber, stored.extraData)
      ).wait();
    }
    await rounds([relayer], 1);
    expect(relayer.store.getRecovery("parent", 0n)?.state).to.equal("failed");
    // a store that says cancelled (a bug, a hand edit, a forged event): the chain says failed
    relayer.store.updateRecovery("parent", 0n, { state: "cancelled", signedAt: null, voted: false, retryAt: 0 });
    await rounds([relayer], 2, 10_000);
    expect(logger.records.filter((entry) => entry.action === "refund-refused")).to.have.length(1);
    expect(logger.records.some((entry) => entry.action === "refund-signed" || entry.action.startsWith("refund-a"))).to.equal(false);
    const parentLedger = await ledger(pair, "parent");
    const request = relayer.store.getTransfer("parent", 0n)!.request;
    const domain = recoveryDomain((await frame.parent.ethers.provider.getNetwork()).chainId, await parentLedger.getAddress());
    const digest = recoveryDigest(domain, "refund", refundTransferOf(request));
    expect(digest).to.equal(await parentLedger.refundDigest(refundTransferOf(request)));
    expect(await parentLedger.approvalsOf(digest)).to.deep.equal([]);
    const root = join(signatureDir(), `${domain.chainId}-${String(domain.verifyingContract).toLowerCase()}`);
    expect(existsSync(root) ? readdirSync(root) : []).to.deep.equal([]);
    expect(await parentLedger.isRefunded(0n)).to.equal(false);
    await expectConservation(pair);
  });

  it("leaves a transfer held above the limits to the owner, or cancels and refunds it with cancelHeld", async function () {
    const pair = await deployPair(frame.parent, frame.child);
    const logger = (lastLogger = memoryLogger());
    await (await pair.child.bridge.setTransferLimits("0x0000000000000000000000000000000000000000", 0n, ONE, 0n, 0n)).wait();
    const list = await three(pair, { signatureDir: signatureDir(), logger });
    const user = pair.parent.signers[10];
    await (await pair.parent.bridge.connect(user).requestKLAYTransfer(user.address, 2n * ONE, "0x", { value: 2n * ONE })).wait();
    await rounds(list, 3, 10_000);
    expect((await statusOf(pair, "parent")).get(0n)).to.equal("held");
    expect(list[0].store.getRecovery("parent", 0n)?.state).to.equal("held");
    expect(logger.records.filter((entry) => entry.action === "held")).to.have.length(3);
    expect(logger.records.some((entry) => entry.action.startsWith("cancel"))).to.equal(false);
    await expectConservation(pair);

    for (const relayer of list) relayer.close();
    frame.relayers = [];
    const cancelling = [await start(pair, 0, { signatureDir: signatureDir(), logger, cancelHeld: true }), await start(pair, 1, { signatureDir: signatureDir(), logger, cancelHeld: true })];
    frame.relayers = cancelling;
    await rounds(cancelling, 4, 1000);
    expect((await statusOf(pair, "parent")).get(0n)).to.equal("refunded");
    await expectConservation(pair);
  });

  it("a retry above the destination's handle limits (RetryAboveLimits) counts as a failed attempt: cancelled and refunded", async function () {
    // the child bridge holds no KLAY: the payout of 0.8 KLAY fails; then its owner lowers the maximum to 0.5 KLAY,
    // so every retry is refused by the limits rather than by the payout
    const pair = await deployPair(frame.parent, frame.child, { childMintBurn: false });
    const logger = (lastLogger = memoryLogger());
    const childBridge = await pair.child.bridge.getAddress();
    await pair.child.connection.ethers.provider.send("hardhat_setBalance", [childBridge, "0x0"]);
    pair.funding.child = 0n;
    const user = pair.parent.signers[10];
    await (await pair.parent.bridge.connect(user).requestKLAYTransfer(user.address, (8n * ONE) / 10n, "0x", { value: (8n * ONE) / 10n })).wait();
    const list = await three(pair, { signatureDir: signatureDir(), logger, failedRetries: 2 });
    await rounds(list, 1);
    expect((await statusOf(pair, "parent")).get(0n)).to.equal("failed");
    await (await pair.child.bridge.setTransferLimits("0x0000000000000000000000000000000000000000", 0n, ONE / 2n, 0n, 0n)).wait();
    await rounds(list, 6, 10_000);
    const refusals = logger.records.filter((entry) => entry.action === "retry-failed" && /RetryAboveLimits\(0\)/.test(String(entry.fields.reason)));
    expect(refusals.length, "each retry refused by the limits counts as a failed attempt").to.be.greaterThanOrEqual(2);
    expect(logger.records.some((entry) => entry.action === "retry-error")).to.equal(false);
    expect((await statusOf(pair, "parent")).get(0n)).to.equal("refunded");
    await expectConservation(pair);
  });

  it("a chain that does not answer while a relayer starts delays its recovery of failed transfers, never turns it off", async function () {
    const pair = await deployPair(frame.parent, frame.child, { childMintBurn: false });
    const logger = (lastLogger = memoryLogger());
    const rejecter = await (await new KLAYRejecter__factory(pair.child.signers[0]).deploy()).getAddress();
    const user = pair.parent.signers[10];
    await (await pair.parent.bridge.connect(user).requestKLAYTransfer(rejecter, ONE, "0x", { value: ONE })).wait();
    // the child chain refuses every call of transferRecovery() while the relayers start
    const provider = frame.child.ethers.provider;
    const call = provider.call.bind(provider);
    const selector = pair.child.bridge.interface.getFunction("transferRecovery").selector;
    provider.call = async (tx) => {
      if (typeof tx.data === "string" && tx.data.startsWith(selector)) throw new Error("connect ECONNREFUSED 127.0.0.1:8546");
      return call(tx);
    };
    const options = { signatureDir: signatureDir(), logger, failedRetries: 0, retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1 } };
    try {
      frame.relayers = [await start(pair, 0, options), await start(pair, 1, options)];
    } finally {
      provider.call = call;
    }
    expect(logger.records.filter((entry) => entry.action === "recovery-waiting")).to.have.length(2);
    expect(logger.records.some((entry) => entry.action === "recovery-off")).to.equal(false);
    await rounds(frame.relayers, 5, 10_000);
    expect(logger.records.filter((entry) => entry.action === "recovery-on")).to.have.length(2);
    expect((await statusOf(pair, "parent")).get(0n)).to.equal("refunded");
    await expectConservation(pair);
  });

  it("opens a store written before the recovery and meta tables, and keeps what it holds", async function () {
    const path = join(frame.directory.path, "old.sqlite");
    const { DatabaseSync } = await import("node:sqlite");
    const old = new DatabaseSync(path);
    old.exec(
      "CREATE TABLE cursor (side TEXT PRIMARY KEY, block INTEGER NOT NULL); INSERT INTO cursor VALUES ('parent', 42);",
    );
    old.close();
    const store = new RelayerStore(path);
    try {
      expect(store.schemaVersion()).to.equal(2);
      expect(store.getCursor("parent")).to.equal(42);
      store.updateRecovery("parent", 7n, { state: "failed", lastReason: "reverted" });
      expect(store.getRecovery("parent", 7n)).to.include({ state: "failed", attempts: 0, lastReason: "reverted", voted: false });
    } finally {
      store.close();
    }
    const again = new RelayerStore(path);
    expect(again.getRecovery("parent", 7n)?.state).to.equal("failed");
    again.close();
  });
});
