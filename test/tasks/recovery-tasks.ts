// `bridge limits`, `bridge retry`, `bridge release` and the failed, held, cancelled and refunded transfers of
// `bridge status`, through Hardhat's task runner against the in-process `parent` and `child` chains. One operator
// (the deployer, threshold 1) handles the transfers by hand.
import { readFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import hre from "hardhat";
import { ZeroAddress, parseEther } from "ethers";

import type { PairDeployment } from "../../src/deployments.js";
import { openPair } from "../../src/pair.js";
import { findParkedTransfer, recoveryOf } from "../../src/recovery.js";
import type { RecoveryEntry } from "../../src/recovery.js";
import { Bridge__factory, KLAYRejecter__factory } from "../../types/ethers-contracts/index.js";
import { chains, runBridgeTask, snapshot, useTemporaryDeployments } from "./helpers.js";

const { parent, child } = await chains();
const parentSigners = await parent.getSigners();
const childSigners = await child.getSigners();
const deployer = parentSigners[0]!;

let dir: string;
let restore: () => Promise<void>;

async function record(name: string): Promise<PairDeployment> {
  return JSON.parse(await readFile(path.join(dir, `${name}.json`), "utf8")) as PairDeployment;
}

async function expectRefused(id: string[], args: Record<string, unknown>, message: string | RegExp): Promise<void> {
  const before = await snapshot();
  const run = await runBridgeTask(id, args);
  expect(run.success, `bridge ${id.join(" ")} should fail; output:\n${run.text}`).to.equal(false);
  expect(run.err).to.have.length(1);
  const line = run.err[0]!;
  expect(line.startsWith("Error: ")).to.equal(true);
  if (typeof message === "string") expect(line).to.include(message);
  else expect(line).to.match(message);
  expect(await snapshot()).to.equal(before, "state changed although the task refused");
}

/** Requests a KLAY transfer parent -> child with the task, and handles it on the child as the operator. */
async function transferAndHandle(amount: string, to?: string): Promise<bigint> {
  const run = await runBridgeTask<{ requestNonce: bigint; txHash: string; blockNumber: number; to: string }>(["transfer"], {
    pair: "rec",
    from: "parent",
    asset: "klay",
    amount,
    ...(to === undefined ? {} : { to }),
  });
  expect(run.success, run.text).to.equal(true);
  const request = run.value!;
  const deployment = await record("rec");
  const childBridge = Bridge__factory.connect(deployment.child.bridge, childSigners[0]!);
  await (
    await childBridge.handleKLAYTransfer(request.txHash, deployer.address, request.to, parseEther(amount), request.requestNonce, request.blockNumber, "0x")
  ).wait();
  return request.requestNonce;
}

async function recoveryStatus(): Promise<RecoveryEntry[]> {
  const run = await runBridgeTask(["status"], { pair: "rec", json: true });
  expect(run.success, run.text).to.equal(true);
  const status = JSON.parse(run.out.join("\n")) as { parentToChild: { recovery: RecoveryEntry[] } };
  return status.parentToChild.recovery;
}

describe("bridge limits, retry, release and the recovery in status", function () {
  this.timeout(60_000);

  before(async function () {
    ({ dir, restore } = await useTemporaryDeployments());
    const deploy = await runBridgeTask(["deploy"], { parent: "parent", child: "child", name: "rec" });
    expect(deploy.success, deploy.text).to.equal(true);
    const token = await runBridgeTask(["token", "deploy"], { pair: "rec", type: "kip7", name: "Rec", symbol: "REC", supply: "1000" });
    expect(token.success, token.text).to.equal(true);
  });
  after(async function () {
    await restore();
  });

  it("shows and sets the limits of KLAY and of a token, owner only", async function () {
    const shown = await runBridgeTask(["limits"], { pair: "rec", side: "child", asset: "klay" });
    expect(shown.success, shown.text).to.equal(true);
    expect(shown.text).to.include("KLAY on child: no limits");

    const set = await runBridgeTask(["limits"], { pair: "rec", side: "child", asset: "klay", max: "1" });
    expect(set.success, set.text).to.equal(true);
    expect(set.text).to.match(/\[child\] Bridge\.setTransferLimits KLAY: tx 0x[0-9a-f]{64}/);
    expect(set.text).to.include("per transfer: min none, max 1.0");

    const token = await runBridgeTask<{ token: string; minPerTransfer: bigint }>(["limits"], { pair: "rec", side: "parent", asset: "REC", min: "2", dailyRequest: "500" });
    expect(token.success, token.text).to.equal(true);
    expect(token.value?.minPerTransfer).to.equal(parseEther("2"));
    const json = await runBridgeTask(["limits"], { pair: "rec", side: "parent", asset: "rec", json: true });
    expect(JSON.parse(json.out.join("\n"))).to.include({ asset: "REC", minPerTransfer: parseEther("2").toString(), dailyRequestLimit: parseEther("500").toString() });
    const off = await runBridgeTask(["limits"], { pair: "rec", side: "parent", asset: "REC", off: true });
    expect(off.success, off.text).to.equal(true);
    expect(off.text).to.include("REC on parent");
    expect(off.text).to.include("no limits");
  });

  it("refuses limits it cannot set, with one line, sending nothing", async function () {
    await expectRefused(["limits"], { pair: "rec", side: "middle", asset: "klay" }, 'side: "middle" is not one of parent, child');
    await expectRefused(["limits"], { pair: "rec", side: "child" }, "asset");
    await expectRefused(["limits"], { pair: "rec", side: "child", asset: "0x00000000000000000000000000000000000000a1" }, "is not registered on the child bridge");
    await expectRefused(["limits"], { pair: "rec", side: "child", asset: "GOLD" }, "neither klay, an address, nor a recorded token symbol");
    await expectRefused(["limits"], { pair: "rec", side: "child", asset: "klay", min: "5", max: "2" }, "min: 5.0 is above max 2.0");
    await expectRefused(["limits"], { pair: "rec", side: "child", asset: "klay", min: "abc" }, 'min: "abc" is not a decimal number');
    await expectRefused(["limits"], { pair: "rec", side: "child", asset: "klay", off: true, max: "1" }, "either --off or limit values");
    await expectRefused(["limits"], { pair: "rec", side: "child", asset: "klay", max: "3", signer: "1" }, "is not the owner");
  });

  it("lists a held transfer; the owner releases it: its payout fails (no KLAY), it is failed; retried within the limits once the bridge is funded", async function () {
    const nonce = await transferAndHandle("2"); // above the child's max of 1 KLAY: held
    expect(nonce).to.equal(0n);
    let entries = await recoveryStatus();
    expect(entries.map((entry) => [entry.requestNonce, entry.status])).to.deep.equal([["0", "held"]]);
    const text = await runBridgeTask(["status"], { pair: "rec" });
    expect(text.text).to.include("not paid out: 0 failed, 1 held, 0 cancelled, 0 refunded");
    expect(text.text).to.match(/HELD nonce 0: 2\.0 KLAY .*waiting for the owner \(bridge release\)/);

    await expectRefused(["retry"], { pair: "rec", from: "parent", nonce: "0" }, "is held (bridge release) on child, not failed");
    await expectRefused(["release"], { pair: "rec", from: "parent", nonce: "0", signer: "1" }, "is not the owner");
    await expectRefused(["release"], { pair: "rec", from: "parent", nonce: "7" }, "request 7 of the parent bridge is not handled yet on child");
    await expectRefused(["release"], { pair: "rec", from: "parent", nonce: "-1" }, "nonce");
    await expectRefused(["release"], { pair: "rec", from: "sideways", nonce: "0" }, "from");

    const released = await runBridgeTask<boolean>(["release"], { pair: "rec", from: "parent", nonce: "0" });
    expect(released.success, released.text).to.equal(true);
    expect(released.value).to.equal(false);
    expect(released.text).to.include("the payout failed; the transfer is now failed (bridge retry)");
    entries = await recoveryStatus();
    expect(entries.map((entry) => [entry.requestNonce, entry.status, entry.reason])).to.deep.equal([["0", "failed", "reverted without a reason"]]);
    await expectRefused(["release"], { pair: "rec", from: "parent", nonce: "0" }, "is failed (bridge retry) on child, not held");
    // a retry counts against the handle limits, and 2 KLAY is above the child's maximum of 1: it waits for the limits
    await expectRefused(["retry"], { pair: "rec", from: "parent", nonce: "0" }, /retry of nonce 0 would fail: RetryAboveLimits\(0\)/);
    expect((await runBridgeTask(["limits"], { pair: "rec", side: "child", asset: "klay", off: true })).success).to.equal(true);
    await expectRefused(["retry"], { pair: "rec", from: "parent", nonce: "0" }, /retry of nonce 0 would fail: PayoutFailed\(0, 0x\)/);

    expect((await runBridgeTask(["fund"], { pair: "rec", side: "child", amount: "10" })).success).to.equal(true);
    const user = childSigners[0]!.address;
    const before = await child.provider.getBalance(user);
    const retried = await runBridgeTask(["retry"], { pair: "rec", from: "parent", nonce: "0", signer: "2" });
    expect(retried.success, retried.text).to.equal(true);
    expect(retried.text).to.match(/\[child\] TransferRecovery\.retryTransfer nonce 0: tx 0x[0-9a-f]{64}/);
    expect((await child.provider.getBalance(user)) - before).to.equal(parseEther("2"));
    expect(await recoveryStatus()).to.deep.equal([]);
    await expectRefused(["retry"], { pair: "rec", from: "parent", nonce: "0" }, "is paid, not parked on child");
  });

  it("lists a failed transfer, then cancelled, then refunded", async function () {
    const rejecter = await new KLAYRejecter__factory(childSigners[0]!).deploy();
    const nonce = await transferAndHandle("0.5", await rejecter.getAddress());
    let entries = await recoveryStatus();
    expect(entries.map((entry) => [entry.requestNonce, entry.status])).to.deep.equal([[nonce.toString(), "failed"]]);
    expect(entries[0]!.reason).to.equal("0x4bc0096d"); // the rejecter's own error, unknown to the bridge

    const pair = await openPair(hre, "rec");
    const { transfer, ledger } = await findParkedTransfer(pair, "parent", nonce);
    await (await ledger.cancelTransfer(transfer, "0x")).wait(); // the one operator's approval: the threshold
    entries = await recoveryStatus();
    expect(entries.map((entry) => entry.status)).to.deep.equal(["cancelled"]);
    expect((await runBridgeTask(["status"], { pair: "rec" })).text).to.match(/CANCELLED nonce 1: 0\.5 KLAY .*refund pending/);
    await expectRefused(["retry"], { pair: "rec", from: "parent", nonce: nonce.toString() }, "is cancelled on child, not failed");

    const source = await recoveryOf(pair, "parent");
    const before = await parent.provider.getBalance(deployer.address);
    const refund = await (await source.connect(parentSigners[1]!).refundTransfer({ ...transfer, tokenAddress: ZeroAddress }, "0x").catch((error: unknown) => error));
    expect(String(refund)).to.match(/NotOperator/); // approvals are the operators'
    await (await source.refundTransfer({ ...transfer, tokenAddress: ZeroAddress }, "0x")).wait();
    expect(await parent.provider.getBalance(deployer.address)).to.be.greaterThan(before); // 0.5 KLAY back, less gas
    entries = await recoveryStatus();
    expect(entries.map((entry) => entry.status)).to.deep.equal(["refunded"]);
    expect(entries[0]!.refundTx).to.match(/^0x[0-9a-f]{64}$/);
    expect((await runBridgeTask(["status"], { pair: "rec" })).text).to.include("not paid out: 0 failed, 0 held, 0 cancelled, 1 refunded");
  });
});
