// `bridge limits`, `bridge retry`, `bridge release` and the failed, held, cancelled and refunded transfers of
// `bridge status`, through Hardhat's task runner against the in-process `parent` and `child` chains. One operator
// (the deployer, threshold 1) handles the transfers by hand.
import { readFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import hre from "hardhat";
import { ZeroAddress, getAddress, parseEther } from "ethers";

import type { PairDeployment } from "../../src/deployments.js";
import { openPair } from "../../src/hardhat/open-pair.js";
import { findParkedTransfer, recoveryOf } from "../../src/recovery.js";
import type { RecoveryEntry } from "../../src/recovery.js";
import { Bridge__factory, KLAYRejecter__factory } from "../../types/ethers-contracts/index.js";
import { chains, runBridgeTask, snapshot, useTemporaryDeployments } from "./helpers.js";

const { parent, child } = await chains();
const parentSigners = await parent.getSigners();
const childSigners = await child.getSigners();
const deployer = parentSigners[0];

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
  const line = run.err[0];
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
  const childBridge = Bridge__factory.connect(deployment.child.bridge, childSigners[0]);
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
    expect(set.text).to.match(/\[child\] Bridge\.setTransferLimits KLAY: tx 0x[0-9a-f]{4}…[0-9a-f]{4}/);
    expect(set.text).to.include("per transfer: min none, max 1.0 KLAY");

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
    await expectRefused(["limits"], { pair: "rec", side: "child", asset: "klay", min: "5", max: "2" }, "min: 5.0 KLAY is above max 2.0 KLAY");
    await expectRefused(["limits"], { pair: "rec", side: "child", asset: "klay", min: "abc" }, 'min: "abc" is not a decimal number');
    await expectRefused(["limits"], { pair: "rec", side: "child", asset: "klay", off: true, max: "1" }, "either --off or limit values");
    await expectRefused(["limits"], { pair: "rec", side: "child", asset: "klay", max: "3", signer: "1" }, "is not the owner");
  });

  it("lists a held transfer; its release and a retry are refused while the bridge is short, with the fix; then paid", async function () {
    const user = getAddress("0x00000000000000000000000000000000000b0b0b");
    const nonce = await transferAndHandle("2", user); // above the child's max of 1 KLAY: held
    expect(nonce).to.equal(0n);
    let entries = await recoveryStatus();
    expect(entries.map((entry) => [entry.requestNonce, entry.status])).to.deep.equal([["0", "held"]]);
    const text = await runBridgeTask(["status"], { pair: "rec" });
    expect(text.text).to.include("not paid out: 0 failed, 1 held, 0 cancelled, 0 refunded");
    expect(text.text).to.match(/HELD nonce 0: 2\.0 KLAY .*waiting for the owner \(bridge release\)/);

    await expectRefused(["retry"], { pair: "rec", from: "parent", nonce: "0" }, "is held (bridge release) on child, not failed");
    await expectRefused(["release"], { pair: "rec", from: "parent", nonce: "0", signer: "1" }, "is not the owner");
    await expectRefused(["release"], { pair: "rec", from: "parent", nonce: "7" }, "request 7 was never made on the parent bridge (1 request so far)");
    await expectRefused(["release"], { pair: "rec", from: "parent", nonce: "-1" }, "nonce");
    await expectRefused(["release"], { pair: "rec", from: "sideways", nonce: "0" }, "from");
    // the child bridge holds no KLAY: a release would only turn the transfer failed
    await expectRefused(
      ["release"],
      { pair: "rec", from: "parent", nonce: "0" },
      /^Error: release of nonce 0 would fail: the child bridge holds 0\.0 KLAY, less than the 2\.0 KLAY to pay; hint: `npx hardhat bridge fund --pair rec --side child --amount 2\.0`$/,
    );

    // below the maximum, handled, but its payout fails (no KLAY): failed; a retry is refused with the same fix
    const failed = await transferAndHandle("0.5", user);
    entries = await recoveryStatus();
    expect(entries.map((entry) => [entry.requestNonce, entry.status, entry.reason])).to.deep.equal([
      ["0", "held", undefined],
      [
        failed.toString(),
        "failed",
        "reverted without a reason; the child bridge holds 0.0 KLAY, less than the 0.5 KLAY to pay; hint: `npx hardhat bridge fund --pair rec --side child --amount 0.5`",
      ],
    ]);
    await expectRefused(["release"], { pair: "rec", from: "parent", nonce: failed.toString() }, "is failed (bridge retry) on child, not held");
    await expectRefused(
      ["retry"],
      { pair: "rec", from: "parent", nonce: failed.toString() },
      /retry of nonce 1 would fail: the child bridge holds 0\.0 KLAY, less than the 0\.5 KLAY to pay; hint: `npx hardhat bridge fund --pair rec --side child --amount 0\.5`/,
    );

    expect((await runBridgeTask(["fund"], { pair: "rec", side: "child", amount: "10" })).success).to.equal(true);
    const before = await child.provider.getBalance(user);
    const released = await runBridgeTask<boolean>(["release"], { pair: "rec", from: "parent", nonce: "0" });
    expect(released.success, released.text).to.equal(true);
    expect(released.value).to.equal(true);
    expect(released.text).to.include(`nonce 0 paid: 2.0 KLAY to ${user} on child`);
    // a retry counts against the destination's handle limits: refused above them, in units, with what to do
    expect((await runBridgeTask(["limits"], { pair: "rec", side: "child", asset: "klay", max: "0.25" })).success).to.equal(true);
    await expectRefused(
      ["retry"],
      { pair: "rec", from: "parent", nonce: failed.toString() },
      /^Error: retry of nonce 1 would fail: 0\.5 KLAY is above the child bridge's maximum per transfer, 0\.25 KLAY; it waits until the child bridge's limits allow it/,
    );
    expect((await runBridgeTask(["limits"], { pair: "rec", side: "child", asset: "klay", max: "1" })).success).to.equal(true);
    const retried = await runBridgeTask(["retry"], { pair: "rec", from: "parent", nonce: failed.toString(), signer: "2" });
    expect(retried.success, retried.text).to.equal(true);
    expect(retried.text).to.match(/\[child\] TransferRecovery\.retryTransfer nonce 1: tx 0x[0-9a-f]{4}…[0-9a-f]{4}/);
    expect(retried.text).to.include(`paid 0.5 KLAY to ${user} on child (request 1 of the parent bridge)`);
    expect((await child.provider.getBalance(user)) - before).to.equal(parseEther("2.5"));
    expect(await recoveryStatus()).to.deep.equal([]);
    await expectRefused(["retry"], { pair: "rec", from: "parent", nonce: "1" }, "request 1 of the parent bridge was paid on child already: nothing to retry or release");
  });

  it("lists a failed transfer, then cancelled, then refunded", async function () {
    const rejecter = await new KLAYRejecter__factory(childSigners[0]).deploy();
    const nonce = await transferAndHandle("0.5", await rejecter.getAddress());
    let entries = await recoveryStatus();
    expect(entries.map((entry) => [entry.requestNonce, entry.status])).to.deep.equal([[nonce.toString(), "failed"]]);
    expect(entries[0].reason).to.equal("0x4bc0096d"); // the rejecter's own error, unknown to the bridge

    const pair = await openPair(hre, "rec");
    const { transfer, ledger } = await findParkedTransfer(pair, "parent", nonce);
    await (await ledger.cancelTransfer(transfer, "0x")).wait(); // the one operator's approval: the threshold
    entries = await recoveryStatus();
    expect(entries.map((entry) => entry.status)).to.deep.equal(["cancelled"]);
    expect((await runBridgeTask(["status"], { pair: "rec" })).text).to.match(new RegExp(`CANCELLED nonce ${nonce}: 0\\.5 KLAY .*refund pending`));
    await expectRefused(["retry"], { pair: "rec", from: "parent", nonce: nonce.toString() }, "is cancelled on child, not failed");

    const source = await recoveryOf(pair, "parent");
    const before = await parent.provider.getBalance(deployer.address);
    const refund = await (await source.connect(parentSigners[1]).refundTransfer({ ...transfer, tokenAddress: ZeroAddress }, "0x").catch((error: unknown) => error));
    expect(String(refund)).to.match(/NotOperator/); // approvals are the operators'
    await (await source.refundTransfer({ ...transfer, tokenAddress: ZeroAddress }, "0x")).wait();
    expect(await parent.provider.getBalance(deployer.address)).to.be.greaterThan(before); // 0.5 KLAY back, less gas
    entries = await recoveryStatus();
    expect(entries.map((entry) => entry.status)).to.deep.equal(["refunded"]);
    expect(entries[0].refundTx).to.match(/^0x[0-9a-f]{64}$/);
    expect((await runBridgeTask(["status"], { pair: "rec" })).text).to.include("not paid out: 0 failed, 0 held, 0 cancelled, 1 refunded");
  });

  it("checks a transfer against both bridges' limits and its recipient before sending anything", async function () {
    const limits = await runBridgeTask(["limits"], { pair: "rec", side: "parent", asset: "klay", min: "0.5", max: "5", dailyRequest: "6" });
    expect(limits.success, limits.text).to.equal(true);
    const base = { pair: "rec", from: "parent", asset: "klay" };
    await expectRefused(["transfer"], { ...base, amount: "6" }, "amount: 6.0 KLAY is above the parent bridge's maximum per transfer, 5.0 KLAY");
    await expectRefused(["transfer"], { ...base, amount: "0.1" }, "amount: 0.1 KLAY is below the parent bridge's minimum per transfer, 0.5 KLAY");
    const deployment = await record("rec");
    await expectRefused(["transfer"], { ...base, amount: "1", to: deployment.child.bridge }, `to: ${deployment.child.bridge} is the child bridge itself (the destination)`);
    await expectRefused(["transfer"], { ...base, amount: "1", to: deployment.parent.bridge }, "bridge itself"); // (the same address on both chains here)

    // within the parent's limits, above the child's maximum of 1 KLAY: sent, with a warning that it will be held
    const held = await runBridgeTask(["transfer"], { ...base, amount: "4" });
    expect(held.success, held.text).to.equal(true);
    expect(held.text).to.include(
      "warning: 4.0 KLAY is above the child bridge's maximum per transfer (1.0 KLAY): it will be held there until the child bridge's owner releases it (bridge release)",
    );
    await expectRefused(
      ["transfer"],
      { ...base, amount: "3" },
      /^Error: amount: 3\.0 KLAY would pass the parent bridge's daily request limit of 6\.0 KLAY \(4\.0 KLAY requested today, 2\.0 KLAY left; the limit resets at 00:00 UTC\)$/,
    );
    expect((await runBridgeTask(["limits"], { pair: "rec", side: "parent", asset: "klay", off: true })).success).to.equal(true);
  });
});
