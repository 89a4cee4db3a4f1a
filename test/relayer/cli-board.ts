// Operators on different machines, end to end as users run it: two `npx hardhat node` processes, a pair of three
// operators at threshold 2 deployed with its signature board by `bridge deploy`, and three `bridge relay` processes,
// each with its own BRIDGE_RELAYER_DIR and nothing shared but the two chains. Every asset kind goes both ways by
// signed batches (no per-operator vote is ever sent), also with one relayer stopped; a relayer killed mid-batch and
// started again leaves each transfer handled exactly once. Every process started is stopped whatever happens.
import type { ChildProcess } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider, MaxUint256, parseEther } from "ethers";

import type { PairDeployment } from "../../src/deployments.js";
import {
  Bridge__factory,
  KIP17Token__factory,
  KIP7Token__factory,
  ServiceChainKIP17__factory,
  ServiceChainKIP7__factory,
  SignatureBoard__factory,
} from "../../types/ethers-contracts/index.js";
import type { Bridge } from "../../types/ethers-contracts/index.js";
import { runBridge, startDetached, startLocalPair, stop, stopAll, until } from "../helpers/local-nodes.js";

describe("operators on different machines: three `bridge relay` processes exchange signatures through the board", function () {
  this.timeout(400_000);

  const processes: ChildProcess[] = [];
  const output = new Map<ChildProcess, string[]>();
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let parentUrl: string;
  let childUrl: string;

  before(async function () {
    const pair = await startLocalPair("bridge-board-cli-", "deployer");
    ({ dir, env, parentUrl, childUrl } = pair);
    processes.push(pair.parentNode, pair.childNode);
  });

  after(async function () {
    await stopAll(processes, dir);
  });

  async function ok(...args: string[]): Promise<string> {
    const result = await runBridge(env, ...args);
    expect(result.code, `bridge ${args.join(" ")}: ${result.stderr}`).to.equal(0);
    return result.stdout;
  }

  /** `bridge relay` as operator account `index`, its state in a directory of its own; its JSON lines kept. */
  function startRelayer(index: number): ChildProcess {
    const relayer = startDetached(
      // signatures awaited long enough that a relayer restarting on a busy machine never turns them into votes
      ["hardhat", "bridge", "relay", "--pair", "far", "--operator", String(index), "--confirmations", "0", "--signature-wait", "300", "--json"],
      { ...env, BRIDGE_RELAYER_DIR: path.join(dir, `operator-${index}`) },
      "pipe",
    );
    const lines: string[] = [];
    let rest = "";
    relayer.stdout?.on("data", (chunk: Buffer) => {
      const text = rest + chunk.toString("utf8");
      const parts = text.split("\n");
      rest = parts.pop() ?? "";
      lines.push(...parts);
    });
    relayer.stderr?.resume();
    output.set(relayer, lines);
    processes.push(relayer);
    return relayer;
  }

  function actions(relayer: ChildProcess): { action: string; [key: string]: unknown }[] {
    return (output.get(relayer) ?? [])
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { action: string });
  }

  it("every asset kind both ways by signed batches, with a relayer stopped, and one killed mid-batch and restarted", async function () {
    const parent = new JsonRpcProvider(parentUrl, undefined, { staticNetwork: true });
    const child = new JsonRpcProvider(childUrl, undefined, { staticNetwork: true });
    try {
      const accounts = (await parent.listAccounts()).map((account) => account.address);
      const operators = accounts.slice(1, 4);
      await ok("deploy", "--parent", "localParent", "--child", "localChild", "--name", "far", "--operators", operators.join(","), "--threshold", "2");
      await ok("token", "deploy", "--pair", "far", "--type", "kip7", "--name", "Gold", "--symbol", "GLD");
      await ok("token", "deploy", "--pair", "far", "--type", "kip17", "--name", "Art", "--symbol", "ART", "--mint", "3", "--base-uri", "ipfs://art/");
      const deployment = JSON.parse(await readFile(path.join(dir, "deployments", "far.json"), "utf8")) as PairDeployment;
      expect(deployment.child.signatureBoard, "bridge deploy records the board").to.match(/^0x[0-9a-fA-F]{40}$/);

      const user = accounts[0];
      const [kip7, kip17] = deployment.tokens;
      const parentBridge = Bridge__factory.connect(deployment.parent.bridge, await parent.getSigner(user));
      const childBridge = Bridge__factory.connect(deployment.child.bridge, await child.getSigner(user));
      await (await childBridge.chargeWithoutEvent({ value: parseEther("10") })).wait();
      const parentGold = KIP7Token__factory.connect(kip7.parent, await parent.getSigner(user));
      const parentArt = KIP17Token__factory.connect(kip17.parent, await parent.getSigner(user));
      await (await parentGold.approve(deployment.parent.bridge, MaxUint256)).wait();
      await (await parentArt.setApprovalForAll(deployment.parent.bridge, true)).wait();

      const relayers = [1, 2, 3].map(startRelayer);
      const fromParent = async (gold: string) => {
        await (await parentBridge.requestKLAYTransfer(user, parseEther("1"), "0x", { value: parseEther("1") })).wait();
        await (await parentBridge.requestERC20Transfer(kip7.parent, user, parseEther(gold), 0, "0x")).wait();
      };
      await fromParent("10");
      await (await parentBridge.requestERC721Transfer(kip17.parent, user, 1n, "0x")).wait();
      const childHandled = async (count: bigint) => (await childBridge.lowerHandleNonce()) === count;
      await until(() => childHandled(3n), "parent->child: KLAY, KIP7, KIP17", 120_000);

      // one operator's relayer stopped: the two others are the threshold
      await stop(relayers[2]);
      const childGold = ServiceChainKIP7__factory.connect(kip7.child, await child.getSigner(user));
      const childArt = ServiceChainKIP17__factory.connect(kip17.child, await child.getSigner(user));
      await (await childBridge.requestKLAYTransfer(user, parseEther("0.5"), "0x", { value: parseEther("0.5") })).wait();
      await (await childGold.requestValueTransfer(parseEther("4"), user, 0, "0x")).wait();
      await (await childArt.requestValueTransfer(1n, user, "0x")).wait();
      await until(async () => (await parentBridge.lowerHandleNonce()) === 3n, "child->parent: KLAY, KIP7, KIP17", 120_000);

      // operator 1's relayer killed once it has posted its signature of the next batch, before the batch is handled
      const board = SignatureBoard__factory.connect(deployment.child.signatureBoard!, child);
      const postsOf = async (operator: string) => (await board.queryFilter(board.filters.Posted(operator))).length;
      const postedBefore = await postsOf(operators[0]);
      await fromParent("1");
      await fromParent("2");
      await until(async () => (await postsOf(operators[0])) > postedBefore || (await childHandled(7n)), "operator 1's next post", 120_000);
      await stop(relayers[0], "SIGKILL");
      await fromParent("3");
      const restarted = startRelayer(1);
      const third = startRelayer(3);
      await until(() => childHandled(9n), "every transfer after the restart", 120_000);

      const handledOnce = async (bridge: Bridge, requested: bigint) => {
        const events = await bridge.queryFilter(bridge.filters.HandleValueTransfer(), 0, "latest");
        const nonces = events.map((event) => event.args.handleNonce);
        expect(new Set(nonces).size, "each transfer handled once").to.equal(nonces.length);
        expect(BigInt(nonces.length)).to.equal(requested);
      };
      await handledOnce(childBridge, 9n);
      await handledOnce(parentBridge, 3n);
      for (const bridge of [parentBridge, childBridge]) {
        expect(await bridge.queryFilter(bridge.filters.VoteCast(), 0, "latest"), "no per-operator vote").to.have.length(0);
      }
      const logs = [...relayers, restarted, third].flatMap(actions);
      expect(logs.filter((record) => record.action === "vote"), "no vote line").to.have.length(0);
      expect(logs.filter((record) => record.action === "start" && record.exchange === "board").length).to.be.at.least(2);
      expect(logs.some((record) => record.action === "submit")).to.equal(true);
      const gas = logs.filter((record) => record.action === "board-post").map((record) => Number(record.gas));
      expect(gas.length).to.be.at.least(4);
      expect(Math.max(...gas), "gas of one operator's post of one batch").to.be.at.most(40_000);
    } finally {
      parent.destroy();
      child.destroy();
    }
  });

  it("a pair recorded without a board: `relay --exchange board` says so in one line; `board deploy` adds one, `check` verifies it", async function () {
    const record = JSON.parse(await readFile(path.join(dir, "deployments", "far.json"), "utf8")) as PairDeployment;
    record.name = "older";
    delete record.child.signatureBoard;
    delete record.child.signatureBoardDeployedBlock;
    delete record.child.signatureBoardDeployTx;
    await writeFile(path.join(dir, "deployments", "older.json"), JSON.stringify(record, null, 2));
    const refused = await runBridge(env, "relay", "--pair", "older", "--exchange", "board", "--once");
    expect(refused.code).to.equal(1);
    expect(refused.stderr.trim().split("\n"), refused.stderr).to.have.length(1);
    expect(refused.stderr.trim()).to.match(/^Error: exchange: pair "older" records no signature board; hint: .*bridge board deploy --pair older/);
    await ok("board", "deploy", "--pair", "older");
    const updated = JSON.parse(await readFile(path.join(dir, "deployments", "older.json"), "utf8")) as PairDeployment;
    expect(updated.child.signatureBoard).to.match(/^0x[0-9a-fA-F]{40}$/);
    expect(await ok("check", "--pair", "older")).to.match(/the chains match/);
  });
});
