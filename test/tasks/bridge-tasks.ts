// Every `bridge` task (but relay and demo) run through Hardhat's task runner against the in-process `parent` and
// `child` chains: output and chain state asserted, bad input refused with one line and nothing sent.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { parseEther } from "ethers";

import type { PairDeployment } from "../../src/deployments.js";
import { short } from "../../src/format.js";
import { createPairRelayer, memoryLogger } from "../../src/relayer/index.js";
import type { PairStatus } from "../../src/status.js";
import {
  AnchoringReceiver__factory,
  Bridge__factory,
  KIP17Token__factory,
  KIP7Token__factory,
  ServiceChainKIP17__factory,
  ServiceChainKIP7__factory,
} from "../../types/ethers-contracts/index.js";
import { chains, runBridgeTask, snapshot, useTemporaryDeployments } from "./helpers.js";
import { VoteType } from "../../src/protocol/constants.js";

const { parent, child } = await chains();
const parentSigners = await parent.getSigners();
const childSigners = await child.getSigners();
const deployer = parentSigners[0];
const [, alice, bob, carol] = parentSigners.map((signer) => signer.address);

/** The fields of `bridge status --json` read here (its integers are decimal strings). */
interface StatusJson {
  parent: { requestNonce: string; operators: string[]; tokens: unknown[] };
  child: { lowerHandleNonce: string; balance: string };
  parentToChild: { requested: string; pending: { tokenType: string; valueOrTokenId: string }[] };
  childToParent: { pending: unknown[] };
  anchoring: { latestAnchor: { blockNumber: string }; latestAnchoredBlock: string | number };
}

let dir: string;
let restore: () => Promise<void>;

async function record(name: string): Promise<PairDeployment> {
  return JSON.parse(await readFile(path.join(dir, `${name}.json`), "utf8")) as PairDeployment;
}

/** Runs a task that must be refused: one line naming the problem, and nothing sent or written. */
async function expectRefused(id: string[], args: Record<string, unknown>, message: string | RegExp, files: string[] = []): Promise<void> {
  const before = await snapshot(files.map((file) => path.join(dir, file)));
  const run = await runBridgeTask(id, args);
  expect(run.success, `bridge ${id.join(" ")} should fail; output:\n${run.text}`).to.equal(false);
  expect(run.err).to.have.length(1);
  const line = run.err[0];
  expect(line.startsWith("Error: ")).to.equal(true);
  expect(line).not.to.include("\n");
  if (typeof message === "string") expect(line).to.include(message);
  else expect(line).to.match(message);
  expect(await snapshot(files.map((file) => path.join(dir, file)))).to.equal(before, "state changed although the task refused");
}

describe("bridge tasks (in-process parent and child chains)", function () {
  this.timeout(60_000);

  before(async function () {
    ({ dir, restore } = await useTemporaryDeployments());
  });
  after(async function () {
    await restore();
  });

  describe("bridge deploy", function () {
    it("deploys both bridges and the anchoring receiver, links them and writes the record", async function () {
      const run = await runBridgeTask(["deploy"], { parent: "parent", child: "child", name: "main" });
      expect(run.success, run.text).to.equal(true);
      expect(run.text).to.match(/\[parent\] deploy Bridge \(lock\/unlock\): tx 0x[0-9a-f]{4}…[0-9a-f]{4} \(block \d+\)/);
      expect(run.text).to.match(/\[child\] deploy Bridge \(mint\/burn\): tx 0x[0-9a-f]{4}…[0-9a-f]{4}/);
      expect(run.text).to.match(/\[parent\] deploy AnchoringReceiver: tx 0x[0-9a-f]{4}…[0-9a-f]{4}/);
      expect(run.text).to.include(`Wrote ${path.join(dir, "main.json")}`);

      const deployment = await record("main");
      expect(deployment.name).to.equal("main");
      expect(deployment.mode).to.equal("mintburn");
      expect(deployment.operators).to.deep.equal([deployer.address]);
      expect(deployment.thresholds).to.deep.equal({ transfer: 1, configuration: 1, anchoring: 1 });
      expect(deployment.parent).to.include({ network: "parent", chainId: 31337, modeMintBurn: false, owner: deployer.address });
      expect(deployment.child).to.include({ network: "child", chainId: 31338, modeMintBurn: true });
      expect(deployment.tokens).to.deep.equal([]);

      const parentBridge = Bridge__factory.connect(deployment.parent.bridge, parent.provider);
      const childBridge = Bridge__factory.connect(deployment.child.bridge, child.provider);
      expect(await parentBridge.counterpartBridge()).to.equal(deployment.child.bridge);
      expect(await childBridge.counterpartBridge()).to.equal(deployment.parent.bridge);
      expect(await parentBridge.modeMintBurn()).to.equal(false);
      expect(await childBridge.modeMintBurn()).to.equal(true);
      const deployTx = await parent.provider.getTransactionReceipt(deployment.parent.deployTx);
      expect(deployTx?.blockNumber).to.equal(deployment.parent.deployedBlock);
      expect(deployTx?.contractAddress).to.equal(deployment.parent.bridge);
      const receiver = AnchoringReceiver__factory.connect(deployment.parent.anchoringReceiver!, parent.provider);
      expect(await receiver.getOperatorList()).to.deep.equal([deployer.address]);
    });

    it("registers the given operators and threshold on all three contracts, without the deployer", async function () {
      const run = await runBridgeTask(["deploy"], {
        parent: "parent",
        child: "child",
        name: "trio",
        operators: `${alice},${bob},${carol.toLowerCase()}`,
        threshold: "2",
        mode: "lock",
      });
      expect(run.success, run.text).to.equal(true);
      const deployment = await record("trio");
      expect(deployment.mode).to.equal("lock");
      expect(deployment.child.modeMintBurn).to.equal(false);
      expect(deployment.operators).to.deep.equal([alice, bob, carol]);
      expect(deployment.thresholds).to.deep.equal({ transfer: 2, configuration: 2, anchoring: 2 });
      const contracts = [
        Bridge__factory.connect(deployment.parent.bridge, parent.provider),
        Bridge__factory.connect(deployment.child.bridge, child.provider),
        AnchoringReceiver__factory.connect(deployment.parent.anchoringReceiver!, parent.provider),
      ];
      for (const contract of contracts) {
        expect([...(await contract.getOperatorList())].sort()).to.deep.equal([alice, bob, carol].sort());
        expect(await contract.operatorThresholds(VoteType.ValueTransfer)).to.equal(2n);
      }
    });

    it("refuses an existing pair name without --force, and replaces it with --force", async function () {
      await expectRefused(["deploy"], { parent: "parent", child: "child", name: "main" }, 'pair "main" exists already', ["main.json"]);
      const before = await record("main");
      const run = await runBridgeTask(["deploy"], { parent: "parent", child: "child", name: "forced", force: true });
      expect(run.success, run.text).to.equal(true);
      // the relayers' state of the pair being replaced is set aside, never reused for the new bridges
      const previous = process.env.BRIDGE_RELAYER_DIR;
      const relayerRoot = await mkdtemp(path.join(tmpdir(), "relayer-state-"));
      process.env.BRIDGE_RELAYER_DIR = relayerRoot;
      try {
        await mkdir(path.join(relayerRoot, "forced"), { recursive: true });
        await writeFile(path.join(relayerRoot, "forced", "0xoperator.sqlite"), "old state");
        const again = await runBridgeTask(["deploy"], { parent: "parent", child: "child", name: "forced", force: true });
        expect(again.success, again.text).to.equal(true);
        expect(again.text).to.match(/Set aside the relayer state of the replaced pair: .*forced\.stale-\d{8}T\d{6} \(relayers start anew\)/);
        expect(existsSync(path.join(relayerRoot, "forced"))).to.equal(false);
        const [aside] = (await readdir(relayerRoot)).filter((name) => name.startsWith("forced.stale-"));
        expect(await readFile(path.join(relayerRoot, aside, "0xoperator.sqlite"), "utf8")).to.equal("old state");
      } finally {
        if (previous === undefined) delete process.env.BRIDGE_RELAYER_DIR;
        else process.env.BRIDGE_RELAYER_DIR = previous;
        await rm(relayerRoot, { recursive: true, force: true });
      }
      expect((await record("main")).parent.bridge).to.equal(before.parent.bridge);
    });

    it("refuses bad input with one line and sends nothing", async function () {
      const base = { parent: "parent", child: "child", name: "bad" };
      await expectRefused(["deploy"], { ...base, parent: undefined }, "--parent is required");
      await expectRefused(["deploy"], { ...base, parent: "nowhere" }, 'network "nowhere" is not in hardhat.config.ts');
      await expectRefused(["deploy"], { ...base, child: "parent" }, "a pair needs two chains");
      await expectRefused(["deploy"], { ...base, name: "../escape" }, "is not a valid pair name");
      await expectRefused(["deploy"], { ...base, operators: "0x1234" }, "is not an address");
      // alice's address with its checksum broken: one letter's case flipped
      const broken = alice.replace(/[a-f]/, (letter) => letter.toUpperCase()) === alice ? alice.replace(/[A-F]/, (letter) => letter.toLowerCase()) : alice.replace(/[a-f]/, (letter) => letter.toUpperCase());
      await expectRefused(["deploy"], { ...base, operators: broken }, "wrong checksum");
      await expectRefused(["deploy"], { ...base, operators: `${alice},${alice}` }, "is listed twice");
      await expectRefused(["deploy"], { ...base, operators: `${alice},${bob}`, threshold: "3" }, "3 is more than the 2 operator(s)");
      await expectRefused(["deploy"], { ...base, threshold: "0" }, "threshold: must be at least 1");
      await expectRefused(["deploy"], { ...base, mode: "burn" }, 'mode: "burn" is not one of mintburn, lock');
    });
  });

  describe("bridge operator and bridge threshold", function () {
    it("adds and removes an operator on both bridges and the anchoring receiver", async function () {
      const added = await runBridgeTask(["operator", "add"], { pair: "main", address: alice });
      expect(added.success, added.text).to.equal(true);
      expect(added.out.filter((line) => line.includes(`registerOperator(${short(alice)})`))).to.have.length(3);
      const deployment = await record("main");
      expect(deployment.operators).to.deep.equal([deployer.address, alice]);
      expect(await Bridge__factory.connect(deployment.child.bridge, child.provider).operators(alice)).to.equal(true);

      await expectRefused(["operator", "add"], { pair: "main", address: alice }, "is an operator of pair \"main\" already", ["main.json"]);

      const threshold = await runBridgeTask(["threshold"], { pair: "main", value: "2" });
      expect(threshold.success, threshold.text).to.equal(true);
      expect(threshold.text).to.include("transfer threshold is now 2");
      expect((await record("main")).thresholds).to.deep.equal({ transfer: 2, configuration: 1, anchoring: 2 });

      await expectRefused(["operator", "remove"], { pair: "main", address: alice }, "lower the threshold first", ["main.json"]);
      await expectRefused(["threshold"], { pair: "main", value: "3" }, "3 is more than the 2 operator(s)", ["main.json"]);
      await expectRefused(["threshold"], { pair: "main", value: "1", voteType: "fees" }, '"fees" is not one of transfer, configuration');

      expect((await runBridgeTask(["threshold"], { pair: "main", value: "1" })).success).to.equal(true);
      const removed = await runBridgeTask(["operator", "remove"], { pair: "main", address: alice });
      expect(removed.success, removed.text).to.equal(true);
      expect((await record("main")).operators).to.deep.equal([deployer.address]);
      await expectRefused(["operator", "remove"], { pair: "main", address: alice }, "is not an operator of pair \"main\"");
      await expectRefused(["operator", "remove"], { pair: "main", address: deployer.address }, "is the last operator");
    });

    it("refuses an unknown pair and a signer that is not the owner", async function () {
      await expectRefused(["operator", "add"], { pair: "nope", address: alice }, 'unknown pair "nope"');
      await expectRefused(["operator", "add"], { pair: "main", address: "alice" }, "is not an address");
      // Hand the forced pair's child bridge to bob: the default signer may no longer manage it.
      const deployment = await record("forced");
      const childBridge = Bridge__factory.connect(deployment.child.bridge, childSigners[0]);
      await (await childBridge.transferOwnership(bob)).wait();
      await expectRefused(["operator", "add"], { pair: "forced", address: carol }, "is not the owner", ["forced.json"]);
    });
  });

  describe("bridge token, fund, fee and transfer", function () {
    it("deploys a KIP7 and a KIP17 pair and registers them", async function () {
      const kip7 = await runBridgeTask<{ parent: string; child: string }>(["token", "deploy"], { pair: "main", type: "kip7", name: "Gold", symbol: "GLD", supply: "1000" });
      expect(kip7.success, kip7.text).to.equal(true);
      expect(kip7.text).to.match(/\[parent\] deploy KIP7Token GLD \(1000\.0 to 0x[0-9a-fA-F]{4}…[0-9a-fA-F]{4}\): tx 0x[0-9a-f]{4}…[0-9a-f]{4}/);
      expect(kip7.text).to.match(/\[child\] deploy ServiceChainKIP7 GLD/);
      expect(kip7.text).to.include("Registered KIP7 pair GLD");
      const kip17 = await runBridgeTask<{ parent: string; child: string }>(["token", "deploy"], {
        pair: "main",
        type: "kip17",
        name: "Art",
        symbol: "ART",
        mint: "2",
        baseUri: "ipfs://art/",
      });
      expect(kip17.success, kip17.text).to.equal(true);

      const deployment = await record("main");
      expect(deployment.tokens.map((token) => [token.type, token.symbol])).to.deep.equal([["kip7", "GLD"], ["kip17", "ART"]]);
      const gold = deployment.tokens[0];
      const art = deployment.tokens[1];
      expect(await KIP7Token__factory.connect(gold.parent, parent.provider).balanceOf(deployer.address)).to.equal(parseEther("1000"));
      expect(await ServiceChainKIP7__factory.connect(gold.child, child.provider).bridge()).to.equal(deployment.child.bridge);
      expect(await KIP17Token__factory.connect(art.parent, parent.provider).tokenURI(2)).to.equal("ipfs://art/2");
      expect(await Bridge__factory.connect(deployment.parent.bridge, parent.provider).registeredTokens(gold.parent)).to.equal(gold.child);
      expect(await Bridge__factory.connect(deployment.child.bridge, child.provider).registeredTokens(art.child)).to.equal(art.parent);
    });

    it("registers an existing token pair, and refuses what does not fit", async function () {
      const deployment = await record("main");
      const parentToken = await new KIP7Token__factory(deployer).deploy("Silver", "SLV", 18, parseEther("50"));
      const childToken = await new ServiceChainKIP7__factory(childSigners[0]).deploy("Silver", "SLV", deployment.child.bridge);
      const sixDecimals = await new KIP7Token__factory(deployer).deploy("Cents", "CNT", 6, 1000n);
      const parentNft = await new KIP17Token__factory(deployer).deploy("Nft", "NFT");
      const args = { pair: "main", type: "kip7", parentToken: await parentToken.getAddress(), childToken: await childToken.getAddress() };

      await expectRefused(["token", "register"], { ...args, type: "kip20" }, '"kip20" is not one of kip7, kip17');
      await expectRefused(["token", "register"], { ...args, parentToken: deployer.address }, "no contract at");
      await expectRefused(["token", "register"], { ...args, type: "kip17" }, "is a KIP7 token, not KIP17");
      await expectRefused(["token", "register"], { ...args, parentToken: await parentNft.getAddress() }, "is a KIP17 token, not KIP7");
      await expectRefused(["token", "register"], { ...args, parentToken: await sixDecimals.getAddress() }, "amounts would not match");
      // A child token whose bridge is another contract: the mint/burn child bridge could not mint it.
      const foreign = await new ServiceChainKIP7__factory(childSigners[0]).deploy("Foreign", "FRN", await childToken.getAddress());
      await expectRefused(["token", "register"], { ...args, childToken: await foreign.getAddress() }, "may not mint");

      const run = await runBridgeTask(["token", "register"], args);
      expect(run.success, run.text).to.equal(true);
      expect(run.out.filter((line) => line.includes("registerToken("))).to.have.length(2);
      expect((await record("main")).tokens.map((token) => token.symbol)).to.deep.equal(["GLD", "ART", "SLV"]);
      await expectRefused(["token", "register"], args, "is registered on both bridges already", ["main.json"]);
    });

    it("funds a bridge with KLAY", async function () {
      const deployment = await record("main");
      const run = await runBridgeTask(["fund"], { pair: "main", side: "child", amount: "5.5" });
      expect(run.success, run.text).to.equal(true);
      expect(run.text).to.match(/\[child\] Bridge\.chargeWithoutEvent 5\.5 KLAY: tx 0x[0-9a-f]{4}…[0-9a-f]{4}/);
      expect(await child.provider.getBalance(deployment.child.bridge)).to.equal(parseEther("5.5"));
      await expectRefused(["fund"], { pair: "main", side: "child", amount: "0" }, "amount: must be greater than 0");
      await expectRefused(["fund"], { pair: "main", side: "child", amount: "-1" }, "is not a positive decimal number");
      await expectRefused(["fund"], { pair: "main", side: "middle", amount: "1" }, '"middle" is not one of parent, child');
      await expectRefused(["fund"], { pair: "main", side: "child", amount: "100000000" }, "not enough to send");
    });

    it("votes fees and sets the fee receiver", async function () {
      const deployment = await record("main");
      const run = await runBridgeTask(["fee"], { pair: "main", side: "parent", klay: "0.01", receiver: carol });
      expect(run.success, run.text).to.equal(true);
      expect(run.text).to.match(/setFeeReceiver\(0x[0-9a-fA-F]{4}…[0-9a-fA-F]{4}\): tx 0x/);
      expect(run.text).to.match(/setKLAYFee\(0\.01 KLAY, configuration nonce 0\): tx 0x/);
      expect(run.text).to.include("KLAY fee is now 0.01 KLAY");
      const parentBridge = Bridge__factory.connect(deployment.parent.bridge, parent.provider);
      expect(await parentBridge.feeOfKLAY()).to.equal(parseEther("0.01"));
      expect(await parentBridge.feeReceiver()).to.equal(carol);

      const gold = deployment.tokens[0];
      const tokenFee = await runBridgeTask(["fee"], { pair: "main", side: "parent", token: gold.parent, amount: "0.25" });
      expect(tokenFee.success, tokenFee.text).to.equal(true);
      expect(await parentBridge.feeOfERC20(gold.parent)).to.equal(parseEther("0.25"));
      // a token is named by its symbol wherever a task takes one
      const bySymbol = await runBridgeTask(["fee"], { pair: "main", side: "parent", token: gold.symbol!.toLowerCase(), amount: "0.5" });
      expect(bySymbol.success, bySymbol.text).to.equal(true);
      expect(bySymbol.text).to.include(`${gold.symbol} fee is now 0.5 ${gold.symbol}`);
      expect(await parentBridge.feeOfERC20(gold.parent)).to.equal(parseEther("0.5"));
      await expectRefused(["fee"], { pair: "main", side: "parent", token: "NOPE", amount: "1" }, `token: "NOPE" is neither a token address nor the symbol of a token of pair "main" (known: ${gold.symbol}`);

      await expectRefused(["fee"], { pair: "main", side: "parent" }, "nothing to do");
      await expectRefused(["fee"], { pair: "main", side: "parent", klay: "1", token: gold.parent, amount: "1" }, "not both");
      await expectRefused(["fee"], { pair: "main", side: "parent", token: gold.child, amount: "1" }, `is the child-side token; on parent it is ${gold.parent}`);
    });

    it("requests a transfer of each asset kind and prints its request nonce", async function () {
      const deployment = await record("main");
      const [gold, art] = deployment.tokens;
      const parentBridge = Bridge__factory.connect(deployment.parent.bridge, parent.provider);

      const klay = await runBridgeTask<{ requestNonce: bigint }>(["transfer"], { pair: "main", from: "parent", asset: "klay", to: bob, amount: "1.5" });
      expect(klay.success, klay.text).to.equal(true);
      expect(klay.text).to.match(/request nonce 0 \(parent -> child\), tx 0x[0-9a-f]{4}…[0-9a-f]{4}/);
      expect(klay.text).to.include("requestKLAYTransfer 1.5 KLAY to " + short(bob) + " (fee 0.01 KLAY): tx 0x");
      expect(await parent.provider.getBalance(deployment.parent.bridge)).to.equal(parseEther("1.5"));
      expect(await parent.provider.getBalance(carol)).to.be.greaterThan(parseEther("10000"));

      const kip7 = await runBridgeTask(["transfer"], { pair: "main", from: "parent", asset: "GLD", amount: "10" });
      expect(kip7.success, kip7.text).to.equal(true);
      expect(kip7.text).to.match(/approve 10\.5 GLD to the parent bridge: tx 0x/);
      expect(kip7.text).to.include("requestERC20Transfer 10.0 GLD to " + short(deployer.address) + " (fee 0.5 GLD): tx 0x");
      expect(kip7.text).to.match(/request nonce 1 \(parent -> child\)/);
      expect(await KIP7Token__factory.connect(gold.parent, parent.provider).balanceOf(deployment.parent.bridge)).to.equal(parseEther("10"));

      const kip17 = await runBridgeTask(["transfer"], { pair: "main", from: "parent", asset: art.parent, to: alice, tokenId: "2" });
      expect(kip17.success, kip17.text).to.equal(true);
      expect(kip17.text).to.match(/approve ART #2 to the parent bridge: tx 0x/);
      expect(kip17.text).to.match(/request nonce 2 \(parent -> child\)/);
      expect(await KIP17Token__factory.connect(art.parent, parent.provider).ownerOf(2)).to.equal(deployment.parent.bridge);
      expect(await parentBridge.requestNonce()).to.equal(3n);

      const back = await runBridgeTask(["transfer"], { pair: "main", from: "child", asset: "klay", amount: "0.25" });
      expect(back.success, back.text).to.equal(true);
      expect(back.text).to.match(/request nonce 0 \(child -> parent\)/);
    });

    it("refuses transfers it cannot make", async function () {
      const deployment = await record("main");
      const [gold, art] = deployment.tokens;
      const base = { pair: "main", from: "parent" };
      await expectRefused(["transfer"], { ...base, asset: "klay", amount: "0" }, "amount: must be greater than 0");
      await expectRefused(["transfer"], { ...base, asset: "klay", amount: "1000000" }, "less than");
      await expectRefused(["transfer"], { ...base, asset: "klay", amount: "1", to: "0xnope" }, "to: \"0xnope\" is not an address");
      await expectRefused(["transfer"], { ...base, asset: "klay", amount: "1", feeLimit: "0.001" }, "is below the fee 0.01 KLAY");
      await expectRefused(["transfer"], { ...base, asset: "DOGE", amount: "1" }, '"DOGE" is neither "klay"');
      await expectRefused(["transfer"], { ...base, asset: deployer.address, amount: "1" }, "is not registered on the parent bridge");
      await expectRefused(["transfer"], { ...base, asset: "GLD", amount: "5000" }, "less than");
      await expectRefused(["transfer"], { ...base, asset: "GLD", tokenId: "1" }, "only for KIP17 tokens");
      await expectRefused(["transfer"], { ...base, asset: gold.child, amount: "1" }, "is the child-side token");
      await expectRefused(["transfer"], { ...base, asset: "ART", tokenId: "2" }, "belongs to");
      await expectRefused(["transfer"], { ...base, asset: "ART", tokenId: "9" }, "ART #9 does not exist on parent");
      await expectRefused(["transfer"], { ...base, asset: art.parent, amount: "1" }, "move by --token-id");
      // Nothing of GLD on the child yet (the relayer has not handled the request): refused, not reverted.
      await expectRefused(["transfer"], { pair: "main", from: "child", asset: "GLD", amount: "1" }, "has 0.0 GLD on child");
    });
  });

  describe("bridge anchor and bridge anchors", function () {
    it("anchors a child block, lists it, and refuses to anchor it again", async function () {
      const empty = await runBridgeTask(["anchors"], { pair: "main" });
      expect(empty.text).to.include("no child block of pair \"main\" is anchored yet");
      const head = await child.provider.getBlockNumber();
      const run = await runBridgeTask(["anchor"], { pair: "main", block: String(head - 1) });
      expect(run.success, run.text).to.equal(true);
      expect(run.text).to.match(new RegExp(`submitAnchor\\(child block ${head - 1} 0x[0-9a-f]{4}…[0-9a-f]{4}\\): tx 0x[0-9a-f]{4}…[0-9a-f]{4}`));
      // the pair's anchor period (100, the default) ending at the block: blocks 1 to head - 1 here
      expect(run.text).to.include(`child block ${head - 1} anchored (${head - 1} blocks`);
      expect(run.text).to.match(/transactions: the pair's anchor period ending at it\)/);
      const block = await child.provider.getBlock(head - 1);

      const listed = await runBridgeTask(["anchors"], { pair: "main", json: true });
      const anchors = JSON.parse(listed.out.join("\n")) as { blockNumber: string; blockHash: string }[];
      expect(anchors).to.deep.equal([{ ...anchors[0], blockNumber: String(head - 1), blockHash: block!.hash }]);

      await expectRefused(["anchor"], { pair: "main", block: String(head - 1) }, "is anchored already");
      await expectRefused(["anchor"], { pair: "main", block: String(head - 2) }, "anchors go forward");
      await expectRefused(["anchor"], { pair: "main", block: String(head + 100) }, "beyond the child chain's latest block");
      const latest = await runBridgeTask(["anchor"], { pair: "main" });
      expect(latest.success, latest.text).to.equal(true);
      expect(latest.text).to.include(`child block ${head} anchored (${head} blocks`);
    });
  });

  describe("bridge status and bridge check", function () {
    it("shows nonces, pending transfers, balances, operators, tokens and the last anchor", async function () {
      const run = await runBridgeTask<PairStatus>(["status"], { pair: "main", json: true });
      expect(run.success, run.text).to.equal(true);
      const status = JSON.parse(run.out.join("\n")) as StatusJson;
      expect(status.parent.requestNonce).to.equal("3");
      expect(status.child.lowerHandleNonce).to.equal("0");
      expect(status.parentToChild.requested).to.equal("3");
      expect(status.parentToChild.pending.map((transfer) => transfer.tokenType)).to.deep.equal(["klay", "kip7", "kip17"]);
      expect(status.parentToChild.pending[0].valueOrTokenId).to.equal(parseEther("1.5").toString());
      expect(status.childToParent.pending).to.have.length(1);
      expect(status.child.balance).to.equal(parseEther("5.75").toString());
      expect(status.parent.operators).to.deep.equal([deployer.address]);
      expect(status.parent.tokens).to.have.length(3);
      expect(status.anchoring.latestAnchor.blockNumber).to.equal(String(status.anchoring.latestAnchoredBlock));

      const human = await runBridgeTask(["status"], { pair: "main" });
      expect(human.text).to.include("parent -> child: 3 requested, 0 handled, 3 pending");
      expect(human.text).to.include("child -> parent: 1 requested, 0 handled, 1 pending");
      expect(human.text).to.match(/pending nonce 0: 1\.5 KLAY from 0x[0-9a-fA-F]{4}…[0-9a-fA-F]{4} to 0x/);
      expect(human.text).to.include("last anchor: child block");
    });

    it("finds no difference on a fresh pair and reports each hand-made one", async function () {
      const clean = await runBridgeTask(["check"], { pair: "main" });
      expect(clean.success, clean.text).to.equal(true);
      expect(clean.text).to.include("the chains match");

      const file = path.join(dir, "main.json");
      const original = await readFile(file, "utf8");
      const edited = JSON.parse(original) as PairDeployment;
      edited.thresholds.transfer = 2;
      edited.operators.push(alice);
      edited.tokens = edited.tokens.slice(1);
      await writeFile(file, JSON.stringify(edited, null, 2));
      const run = await runBridgeTask(["check"], { pair: "main" });
      expect(run.success).to.equal(false);
      expect(run.out.filter((line) => line.startsWith("differs: "))).to.have.length.greaterThanOrEqual(5);
      expect(run.text).to.include("parent bridge: transfer threshold is 1, the file says 2");
      expect(run.text).to.include("child bridge: operators are");
      expect(run.text).to.include("anchoring receiver: operators are");
      expect(run.text).to.match(/parent bridge: token 0x[0-9a-fA-F]{40} is registered but not in the file/);
      expect(run.err[0]).to.match(/^Error: pair "main": \d+ difference\(s\) from /);
      await writeFile(file, original);
    });

    it("refuses a deployments file that is not a pair record", async function () {
      await writeFile(path.join(dir, "broken.json"), JSON.stringify({ format: 1, name: "broken" }));
      await expectRefused(["status"], { pair: "broken" }, /broken\.json: mode must be "mintburn" or "lock"/);
      await writeFile(path.join(dir, "garbage.json"), "{ not json");
      await expectRefused(["check"], { pair: "garbage" }, "is not valid JSON");
    });
  });
});

describe("bridge tasks: roles, votes below threshold and lock mode", function () {
  this.timeout(60_000);

  before(async function () {
    ({ dir, restore } = await useTemporaryDeployments());
    const trio = await runBridgeTask(["deploy"], { parent: "parent", child: "child", name: "trio", operators: `${alice},${bob},${carol}`, threshold: "2", mode: "lock" });
    expect(trio.success, trio.text).to.equal(true);
    const solo = await runBridgeTask(["deploy"], { parent: "parent", child: "child", name: "solo" });
    expect(solo.success, solo.text).to.equal(true);
  });
  after(async function () {
    await restore();
  });

  it("refuses fee votes and anchors from a signer that is not an operator", async function () {
    await expectRefused(["fee"], { pair: "trio", side: "child", klay: "1" }, "is not an operator on child", ["trio.json"]);
    await expectRefused(["anchor"], { pair: "trio" }, "is not an operator on parent", ["trio.json"]);
  });

  it("lets each operator vote with --signer until the threshold is reached", async function () {
    const deployment = await record("trio");
    const childBridge = Bridge__factory.connect(deployment.child.bridge, child.provider);
    const firstVote = await runBridgeTask(["fee"], { pair: "trio", side: "child", klay: "0.2", signer: alice });
    expect(firstVote.success, firstVote.text).to.equal(true);
    expect(firstVote.text).to.include("vote recorded; the KLAY fee changes when 2 operators voted the same");
    expect(await childBridge.feeOfKLAY()).to.equal(0n);
    const secondVote = await runBridgeTask(["fee"], { pair: "trio", side: "child", klay: "0.2", signer: "2" });
    expect(secondVote.success, secondVote.text).to.equal(true);
    expect(secondVote.text).to.include("the child bridge's KLAY fee is now 0.2 KLAY");
    expect(await childBridge.feeOfKLAY()).to.equal(parseEther("0.2"));

    const head = await child.provider.getBlockNumber();
    const firstAnchor = await runBridgeTask(["anchor"], { pair: "trio", block: String(head), signer: "1" });
    expect(firstAnchor.text).to.include(`vote recorded; child block ${head} is anchored when 2 operators submitted it`);
    const secondAnchor = await runBridgeTask(["anchor"], { pair: "trio", block: String(head), signer: carol });
    expect(secondAnchor.text).to.include(`child block ${head} anchored`);

    await expectRefused(["fee"], { pair: "trio", side: "child", klay: "1", signer: "99" }, 'index 99 does not exist');
    await expectRefused(["fee"], { pair: "trio", side: "child", klay: "1", signer: deployment.child.bridge }, "is not an account of network");
  });

  it("an operator's `bridge anchor` and another operator's relayer build the same anchor: their votes combine", async function () {
    const run = await runBridgeTask(["deploy"], { parent: "parent", child: "child", name: "anchors", operators: `${alice},${bob},${carol}`, threshold: "2", anchorPeriod: "10" });
    expect(run.success, run.text).to.equal(true);
    const deployment = await record("anchors");
    expect(deployment.anchorPeriod).to.equal(10);
    const receiver = AnchoringReceiver__factory.connect(deployment.parent.anchoringReceiver!, parent.provider);
    // a few anchor periods past the deployment, with transactions in them
    for (let i = 0; i < 3; i++) await (await (await child.getSigners())[0].sendTransaction({ to: alice, value: 1n })).wait();
    const head = await child.provider.getBlockNumber();
    await child.provider.send("hardhat_mine", [`0x${(30 - (head % 10)).toString(16)}`]);
    const block = BigInt(Math.floor((await child.provider.getBlockNumber()) / 10) * 10);

    // alice votes with the task; bob's relayer votes (no signatures) for every due block, this one included
    const vote = await runBridgeTask(["anchor"], { pair: "anchors", block: String(block), signer: alice });
    expect(vote.success, vote.text).to.equal(true);
    expect(await receiver.isAnchored(block)).to.equal(false);
    const signer = async (connection: typeof parent) => (await connection.getSigners()).find((s) => s.address === bob)!;
    const relayer = await createPairRelayer(deployment, {
      signers: { parent: await signer(parent), child: await signer(child) },
      anchorEvery: 10,
      signatures: false,
      root: dir,
    });
    try {
      await relayer.anchor();
    } finally {
      relayer.close();
    }
    expect(await receiver.isAnchored(block), "the task's vote and the relayer's vote are for the same anchor").to.equal(true);

    // the directory asked for on a pair with a board reaches this machine only: the relayer says so, and names the board
    const logger = memoryLogger();
    const onDirectory = await createPairRelayer(deployment, {
      signers: { parent: await signer(parent), child: await signer(child) },
      exchange: "dir",
      root: dir,
      logger,
    });
    onDirectory.close();
    const lines = logger.records.filter((line) => line.action === "exchange");
    expect(lines.map((line) => line.fields?.exchange)).to.deep.equal(["dir"]);
    expect(String(lines[0].fields?.reason)).to.match(/^asked for \(--exchange dir\): .* this machine only; the pair's signature board .* other machines$/);
  });

  it("records a fee vote that does not reach the configuration threshold, without changing the fee", async function () {
    expect((await runBridgeTask(["operator", "add"], { pair: "solo", address: alice })).success).to.equal(true);
    expect((await runBridgeTask(["threshold"], { pair: "solo", value: "2", voteType: "configuration" })).success).to.equal(true);
    const run = await runBridgeTask<{ applied: boolean }>(["fee"], { pair: "solo", side: "parent", klay: "0.3" });
    expect(run.success, run.text).to.equal(true);
    expect(run.value?.applied).to.equal(false);
    expect(run.text).to.include("vote recorded; the KLAY fee changes when 2 operators voted the same at configuration nonce 0");
    const deployment = await record("solo");
    expect(await Bridge__factory.connect(deployment.parent.bridge, parent.provider).feeOfKLAY()).to.equal(0n);
    expect(deployment.thresholds).to.deep.equal({ transfer: 1, configuration: 2, anchoring: 1 });
  });

  it("shows a transfer skipped while a later one was handled as missing", async function () {
    const first = await runBridgeTask<{ requestNonce: bigint }>(["transfer"], { pair: "solo", from: "parent", asset: "klay", amount: "1" });
    const second = await runBridgeTask<{ requestNonce: bigint; txHash: string; blockNumber: number; to: string }>(["transfer"], { pair: "solo", from: "parent", asset: "klay", amount: "2" });
    expect(first.success && second.success, first.text + second.text).to.equal(true);
    expect((await runBridgeTask(["fund"], { pair: "solo", side: "child", amount: "10" })).success).to.equal(true);
    // The operator (the deployer, threshold 1) handles request 1 on the child before request 0.
    const deployment = await record("solo");
    const childBridge = Bridge__factory.connect(deployment.child.bridge, childSigners[0]);
    const request = second.value!;
    await (await childBridge.handleKLAYTransfer(request.txHash, deployer.address, request.to, parseEther("2"), request.requestNonce, request.blockNumber, "0x")).wait();

    const run = await runBridgeTask(["status"], { pair: "solo" });
    expect(run.text).to.include("parent -> child: 2 requested, 1 handled, 1 pending (1 missing: skipped while a later one was handled)");
    expect(run.text).to.match(/MISSING nonce 0: 1\.0 KLAY/);
    const json = await runBridgeTask(["status"], { pair: "solo", json: true });
    const status = JSON.parse(json.out.join("\n")) as { parentToChild: { missing: number; pending: { requestNonce: string; missing: boolean }[] } };
    expect(status.parentToChild.missing).to.equal(1);
    expect(status.parentToChild.pending).to.deep.include({ ...status.parentToChild.pending[0], requestNonce: "0", missing: true });
  });

  it("gives a lock-mode child bridge the token liquidity it releases", async function () {
    const kip7 = await runBridgeTask(["token", "deploy"], { pair: "trio", type: "kip7", name: "Lock", symbol: "LCK", supply: "500" });
    expect(kip7.success, kip7.text).to.equal(true);
    expect(kip7.text).to.include("mint 500.0 LCK to the lock-mode child bridge");
    const kip17 = await runBridgeTask(["token", "deploy"], { pair: "trio", type: "kip17", name: "Locked Art", symbol: "LART", mint: "2" });
    expect(kip17.success, kip17.text).to.equal(true);
    const deployment = await record("trio");
    const [lck, lart] = deployment.tokens;
    expect(await ServiceChainKIP7__factory.connect(lck.child, child.provider).balanceOf(deployment.child.bridge)).to.equal(parseEther("500"));
    expect(await ServiceChainKIP17__factory.connect(lart.child, child.provider).ownerOf(2)).to.equal(deployment.child.bridge);
    expect(await KIP17Token__factory.connect(lart.parent, parent.provider).ownerOf(1)).to.equal(deployer.address);
  });
});

