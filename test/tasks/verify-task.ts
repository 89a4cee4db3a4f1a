// `bridge verify` through Hardhat's task runner against the in-process chains: what it prints for a proven
// transaction (exit 0), and the one line it fails with otherwise (exit 1).
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";

import { chains, runBridgeTask, useTemporaryDeployments } from "./helpers.js";

const { child } = await chains();

describe("bridge verify", function () {
  this.timeout(60_000);
  let dir: string;
  let restore: () => Promise<void>;
  let anchoredTx: string;
  let laterTx: string;
  let anchoredBlock: number;

  before(async function () {
    ({ dir, restore } = await useTemporaryDeployments());
    const run = await runBridgeTask(["deploy"], { parent: "parent", child: "child", name: "proven", anchorPeriod: "10" });
    expect(run.success, run.text).to.equal(true);
    const [sender, recipient] = await child.getSigners();
    anchoredTx = (await (await sender.sendTransaction({ to: recipient.address, value: 12345n })).wait())!.hash;
    const head = await child.provider.getBlockNumber();
    anchoredBlock = Math.ceil((head + 1) / 10) * 10;
    await child.provider.send("hardhat_mine", [`0x${(anchoredBlock - head).toString(16)}`]);
    const anchor = await runBridgeTask(["anchor"], { pair: "proven", block: String(anchoredBlock) });
    expect(anchor.success, anchor.text).to.equal(true);
    laterTx = (await (await sender.sendTransaction({ to: recipient.address, value: 1n })).wait())!.hash;
  });
  after(async function () {
    await restore();
  });

  it("prints what was proven, by which anchor and how many operators approved it", async function () {
    const run = await runBridgeTask(["verify"], { pair: "proven", tx: anchoredTx });
    expect(run.success, run.text).to.equal(true);
    expect(run.text).to.include(`transaction ${anchoredTx} is in child block`);
    expect(run.text).to.include("receipt: success, 0 logs");
    expect(run.text).to.match(new RegExp(`anchored by the anchor of child block ${anchoredBlock} \\(blocks ${anchoredBlock - 9}-${anchoredBlock}\\)`));
    expect(run.text).to.include("approved by 1 operator (votes)");
    expect(run.text).to.include("checked: block header hash, block in the anchored range");

    const json = await runBridgeTask(["verify"], { pair: "proven", tx: anchoredTx, json: true });
    const printed = JSON.parse(json.out.join("\n")) as { verified: { anchor: { blockNumber: string } }; proof: { format: string } };
    expect(printed.verified.anchor.blockNumber).to.equal(String(anchoredBlock));
    expect(printed.proof.format).to.equal("servicechain-bridge/transaction-proof@1");
  });

  async function expectFailure(args: Record<string, unknown>, line: string | RegExp) {
    const run = await runBridgeTask(["verify"], args);
    expect(run.success, run.text).to.equal(false);
    expect(run.err).to.have.length(1);
    if (typeof line === "string") expect(run.err[0]).to.equal(`Error: ${line}`);
    else expect(run.err[0]).to.match(line);
  }

  it("fails in one line: not anchored yet, unknown transaction, bad hash", async function () {
    const laterBlock = (await child.provider.getTransactionReceipt(laterTx))!.blockNumber;
    await expectFailure({ pair: "proven", tx: laterTx }, `child block ${laterBlock} is not anchored yet: the latest anchor ends at child block ${anchoredBlock}`);
    await expectFailure({ pair: "proven", tx: `0x${"12".repeat(32)}` }, /^Error: transaction 0x1212.* is not on child chain 31338$/);
    await expectFailure({ pair: "proven", tx: "0x1234" }, /^Error: tx: "0x1234" is not a transaction hash/);
  });

  it("fails in one line when the pair's child network serves another chain", async function () {
    const record = JSON.parse(await readFile(path.join(dir, "proven.json"), "utf8")) as { child: { network: string } };
    record.child.network = "parent";
    await writeFile(path.join(dir, "wrong-child.json"), JSON.stringify({ ...record, name: "wrong-child" }, null, 2));
    await expectFailure({ pair: "wrong-child", tx: anchoredTx }, 'pair "wrong-child": network "parent" has chain id 31337, the pair was deployed on chain id 31338');
  });
});
