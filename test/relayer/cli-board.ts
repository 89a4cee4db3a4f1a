// Operators on different machines, end to end as users run it: two `npx hardhat node` processes, a pair of three
// operators at threshold 2 deployed with its signature board by `bridge deploy`, and three `bridge relay` processes,
// each with its own BRIDGE_RELAYER_DIR and nothing shared but the two chains. Every asset kind goes both ways by
// signed batches (no per-operator vote is ever sent), also with one relayer stopped; a relayer killed mid-batch and
// started again leaves each transfer handled exactly once. The same relayers anchor the child chain and cancel and
// refund a transfer that cannot be paid, by signatures on the board; and a second relayer of one operator (the same
// key, signing in its own process, a state of its own) runs beside the first, then alone, while the child chain mines
// a block a second: the two collide on transaction nonces and neither stops, each transfer is handled once, nothing is
// posted twice. Every process started is stopped whatever happens.
import type { ChildProcess } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider, MaxUint256, parseEther } from "ethers";

import type { PairDeployment } from "../../src/deployments.js";
import { BoardKind } from "../../src/protocol/board.js";
import {
  AnchoringReceiver__factory,
  Bridge__factory,
  KIP17Token__factory,
  KIP7Token__factory,
  KLAYRejecter__factory,
  ServiceChainKIP17__factory,
  ServiceChainKIP7__factory,
  SignatureBoard__factory,
  TransferRecovery__factory,
} from "../../types/ethers-contracts/index.js";
import type { Bridge, SignatureBoard } from "../../types/ethers-contracts/index.js";
import { nodeAccountKey, runBridge, startDetached, startLocalPair, stop, stopAll, until } from "../helpers/local-nodes.js";

/** Child blocks per anchor of the pair. */
const ANCHOR_PERIOD = 10;

describe("operators on different machines: three `bridge relay` processes exchange signatures through the board", function () {
  this.timeout(400_000);

  const processes: ChildProcess[] = [];
  const output = new Map<ChildProcess, string[]>();
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let parent: JsonRpcProvider;
  let child: JsonRpcProvider;
  let operators: string[];
  let user: string;
  let deployment: PairDeployment;
  let parentBridge: Bridge;
  let childBridge: Bridge;
  let board: SignatureBoard;
  /** The relayers running, by name (`operator-1`, `operator-1-twin`, ...). */
  const running = new Map<string, ChildProcess>();

  before(async function () {
    const pair = await startLocalPair("bridge-board-cli-", "deployer");
    ({ dir, env } = pair);
    processes.push(pair.parentNode, pair.childNode);
    parent = new JsonRpcProvider(pair.parentUrl, undefined, { staticNetwork: true });
    child = new JsonRpcProvider(pair.childUrl, undefined, { staticNetwork: true });
    const accounts = (await parent.listAccounts()).map((account) => account.address);
    operators = accounts.slice(1, 4);
    user = accounts[0];
    await ok(
      "deploy", "--parent", "localParent", "--child", "localChild", "--name", "far", "--operators", operators.join(","), "--threshold", "2",
      "--anchor-period", String(ANCHOR_PERIOD),
    );
    await ok("token", "deploy", "--pair", "far", "--type", "kip7", "--name", "Gold", "--symbol", "GLD");
    await ok("token", "deploy", "--pair", "far", "--type", "kip17", "--name", "Art", "--symbol", "ART", "--mint", "5", "--base-uri", "ipfs://art/");
    deployment = JSON.parse(await readFile(path.join(dir, "deployments", "far.json"), "utf8")) as PairDeployment;
    parentBridge = Bridge__factory.connect(deployment.parent.bridge, await parent.getSigner(user));
    childBridge = Bridge__factory.connect(deployment.child.bridge, await child.getSigner(user));
    board = SignatureBoard__factory.connect(deployment.child.signatureBoard!, child);
    await (await childBridge.chargeWithoutEvent({ value: parseEther("10") })).wait();
    const parentGold = KIP7Token__factory.connect(deployment.tokens[0].parent, await parent.getSigner(user));
    const parentArt = KIP17Token__factory.connect(deployment.tokens[1].parent, await parent.getSigner(user));
    await (await parentGold.approve(deployment.parent.bridge, MaxUint256)).wait();
    await (await parentArt.setApprovalForAll(deployment.parent.bridge, true)).wait();
  });

  after(async function () {
    parent?.destroy();
    child?.destroy();
    await stopAll(processes, dir);
  });

  async function ok(...args: string[]): Promise<string> {
    const result = await runBridge(env, ...args);
    expect(result.code, `bridge ${args.join(" ")}: ${result.stderr}`).to.equal(0);
    return result.stdout;
  }

  /**
   * `bridge relay` as operator `index` (1 to 3), its state in a directory of its own (`name`); its JSON lines kept.
   * Operator 1 signs in the relayer's own process with its key (as on a machine of its own: the relayer picks the
   * transaction nonces), the others with the accounts the nodes unlock.
   */
  function startRelayer(index: number, name = `operator-${index}`): ChildProcess {
    const key = index === 1 ? { BRIDGE_LOCAL_PRIVATE_KEY: nodeAccountKey(index) } : {};
    const relayer = startDetached(
      [
        "hardhat", "bridge", "relay", "--pair", "far", "--operator", operators[index - 1], "--confirmations", "0", "--json",
        // signatures awaited long enough that a relayer restarting on a busy machine never turns them into votes
        "--signature-wait", "300",
        "--anchor-every", String(ANCHOR_PERIOD),
        // a transfer the destination cannot pay is cancelled and refunded at once
        "--failed-retries", "0",
      ],
      { ...env, ...key, BRIDGE_RELAYER_DIR: path.join(dir, name) },
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
    running.set(name, relayer);
    return relayer;
  }

  async function stopRelayer(name: string, signal?: NodeJS.Signals): Promise<void> {
    await stop(running.get(name), signal);
    running.delete(name);
  }

  function actions(relayer: ChildProcess): { action: string; [key: string]: unknown }[] {
    return (output.get(relayer) ?? [])
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { action: string });
  }

  function allActions() {
    return [...output.keys()].flatMap(actions);
  }

  async function fromParent(gold: string, to = user) {
    await (await parentBridge.requestKLAYTransfer(to, parseEther("1"), "0x", { value: parseEther("1") })).wait();
    await (await parentBridge.requestERC20Transfer(deployment.tokens[0].parent, user, parseEther(gold), 0, "0x")).wait();
  }

  /** KLAY and KIP7 from the child, and the NFT `tokenId` when given. */
  async function fromChild(tokenId?: bigint) {
    const childGold = ServiceChainKIP7__factory.connect(deployment.tokens[0].child, await child.getSigner(user));
    const childArt = ServiceChainKIP17__factory.connect(deployment.tokens[1].child, await child.getSigner(user));
    await (await childBridge.requestKLAYTransfer(user, parseEther("0.5"), "0x", { value: parseEther("0.5") })).wait();
    await (await childGold.requestValueTransfer(parseEther("1"), user, 0, "0x")).wait();
    if (tokenId !== undefined) await (await childArt.requestValueTransfer(tokenId, user, "0x")).wait();
  }

  const handledNonces = (bridge: Bridge) => bridge.lowerHandleNonce();

  /** Each nonce of `bridge` handled once (paid or parked as failed), `requested` in all. */
  async function handledOnce(bridge: Bridge, requested: bigint) {
    const paid = await bridge.queryFilter(bridge.filters.HandleValueTransfer(), 0, "latest");
    const failed = await bridge.queryFilter(bridge.filters.HandleValueTransferFailed(), 0, "latest");
    const nonces = [...paid.map((event) => event.args.handleNonce), ...failed.map((event) => event.args.handleNonce)];
    expect(new Set(nonces).size, "each transfer handled once").to.equal(nonces.length);
    expect(BigInt(nonces.length)).to.equal(requested);
  }

  /** Posts of operator `index`, of `kind`. */
  async function postsOf(index: number, kind?: number) {
    const posts = await board.queryFilter(board.filters.Posted(operators[index - 1]), 0, "latest");
    return posts.filter((post) => kind === undefined || Number(post.args.kind) === kind);
  }

  it("every asset kind both ways by signed batches, with a relayer stopped, and one killed mid-batch and restarted", async function () {
    expect(deployment.child.signatureBoard, "bridge deploy records the board").to.match(/^0x[0-9a-fA-F]{40}$/);
    for (const index of [1, 2, 3]) startRelayer(index);
    await fromParent("10");
    await (await parentBridge.requestERC721Transfer(deployment.tokens[1].parent, user, 1n, "0x")).wait();
    await until(async () => (await handledNonces(childBridge)) === 3n, "parent->child: KLAY, KIP7, KIP17", 120_000);

    // one operator's relayer stopped: the two others are the threshold
    await stopRelayer("operator-3");
    await fromChild(1n);
    await until(async () => (await handledNonces(parentBridge)) === 3n, "child->parent: KLAY, KIP7, KIP17", 120_000);

    // operator 1's relayer killed once it has posted its signature of the next batch, before the batch is handled
    const postedBefore = (await postsOf(1, BoardKind.Batch)).length;
    await fromParent("1");
    await fromParent("2");
    await until(
      async () => (await postsOf(1, BoardKind.Batch)).length > postedBefore || (await handledNonces(childBridge)) === 7n,
      "operator 1's next post",
      120_000,
    );
    await stopRelayer("operator-1", "SIGKILL");
    await fromParent("3");
    startRelayer(1);
    startRelayer(3);
    await until(async () => (await handledNonces(childBridge)) === 9n, "every transfer after the restart", 120_000);

    await handledOnce(childBridge, 9n);
    await handledOnce(parentBridge, 3n);
    for (const bridge of [parentBridge, childBridge]) {
      expect(await bridge.queryFilter(bridge.filters.VoteCast(), 0, "latest"), "no per-operator vote").to.have.length(0);
    }
    const logs = allActions();
    expect(logs.filter((record) => record.action === "vote"), "no vote line").to.have.length(0);
    expect(logs.filter((record) => record.action === "start" && record.exchange === "board").length).to.be.at.least(2);
    expect(logs.some((record) => record.action === "submit")).to.equal(true);
    const posts = logs.filter((record) => record.action === "board-post");
    // the kinds posted, named for the operator who reads the line
    const kinds = posts.flatMap((record) => String(record.kinds).split(","));
    expect(kinds).to.include("batch");
    for (const kind of kinds) expect(["batch", "anchor", "cancel", "refund"], "a kind by its name").to.include(kind);
    const gas = posts.map((record) => Number(record.gas));
    expect(gas.length).to.be.at.least(4);
    expect(Math.max(...gas), "gas of one operator's post of one batch").to.be.at.most(40_000);
  });

  it("two relayers of one operator at once, then one: a cancel-then-refund and anchors by signatures on the board; each transfer once", async function () {
    // running: operator 1 (restarted), operators 2 and 3. Operator 3 stops, so that every signed action needs
    // operator 1, whose second relayer (the same key, its own state) now runs beside the first
    await stopRelayer("operator-3");
    // the child chain mines a block every second, as a service chain does, rather than each transaction at once: what
    // one relayer sent is pending for a while, and the other relayer of its operator acts in the meantime
    await child.send("evm_setAutomine", [false]);
    await child.send("evm_setIntervalMining", [1000]);
    startRelayer(1, "operator-1-twin");
    const rejecter = await new KLAYRejecter__factory(await child.getSigner(user)).deploy();
    await rejecter.waitForDeployment();
    const refundee = user;
    // nonce 9: KLAY the child cannot pay (its recipient refuses KLAY), then KIP7
    await fromParent("4", await rejecter.getAddress());
    await fromChild();
    await fromParent("5");
    await until(async () => (await handledNonces(childBridge)) === 13n, "parent->child beside the twin", 120_000);
    await until(async () => (await handledNonces(parentBridge)) === 5n, "child->parent beside the twin", 120_000);

    const parentRecovery = TransferRecovery__factory.connect(await parentBridge.transferRecovery(), parent);
    const childRecovery = TransferRecovery__factory.connect(await childBridge.transferRecovery(), child);
    await until(
      async () => (await parentRecovery.queryFilter(parentRecovery.filters.ValueTransferRefunded(), 0, "latest")).length > 0,
      "the refund of the transfer the child could not pay",
      180_000,
    );

    // the first relayer of operator 1 stopped: its twin alone signs for operator 1
    await stopRelayer("operator-1");
    await fromParent("6");
    await fromChild();
    await until(async () => (await handledNonces(childBridge)) === 15n, "parent->child by the twin alone", 120_000);
    await until(async () => (await handledNonces(parentBridge)) === 7n, "child->parent by the twin alone", 120_000);

    const receiver = AnchoringReceiver__factory.connect(deployment.parent.anchoringReceiver!, parent);
    await until(async () => (await receiver.latestAnchoredBlock()) > 0n, "an anchor of the child chain", 120_000);
    await child.send("evm_setAutomine", [true]);

    // each transfer handled once, the one that could not be paid cancelled once and refunded once
    await handledOnce(childBridge, 15n);
    await handledOnce(parentBridge, 7n);
    const failed = await childBridge.queryFilter(childBridge.filters.HandleValueTransferFailed(), 0, "latest");
    expect(failed.map((event) => event.args.handleNonce)).to.deep.equal([9n]);
    const cancelled = await childRecovery.queryFilter(childRecovery.filters.TransferCancelled(), 0, "latest");
    expect(cancelled.map((event) => event.args.handleNonce)).to.deep.equal([9n]);
    const refunded = await parentRecovery.queryFilter(parentRecovery.filters.ValueTransferRefunded(), 0, "latest");
    expect(refunded.map((event) => [event.args.requestNonce, event.args.from, event.args.valueOrTokenId])).to.deep.equal([
      [9n, refundee, parseEther("1")],
    ]);

    // everything by signatures: no vote, no approval call, no anchor vote
    for (const bridge of [parentBridge, childBridge]) {
      expect(await bridge.queryFilter(bridge.filters.VoteCast(), 0, "latest"), "no per-operator vote").to.have.length(0);
    }
    for (const recovery of [parentRecovery, childRecovery]) {
      expect(await recovery.queryFilter(recovery.filters.ApprovalCast(), 0, "latest"), "no approval call").to.have.length(0);
    }
    expect(await receiver.queryFilter(receiver.filters.VoteCast(), 0, "latest"), "no anchor vote").to.have.length(0);
    const accepted = await receiver.queryFilter(receiver.filters.AnchorAccepted(), 0, "latest");
    expect(accepted.length).to.be.at.least(1);

    // the board: anchors, cancellations and refunds each signed by at least two operators; operator 1, with two
    // relayers, posted each digest once
    for (const kind of [BoardKind.Anchor, BoardKind.Cancel, BoardKind.Refund]) {
      const posters = new Set<number>();
      for (const index of [1, 2, 3]) if ((await postsOf(index, kind)).length > 0) posters.add(index);
      expect(posters.size, `operators posting kind ${kind}`).to.be.at.least(2);
    }
    // fails on relayers that read the board and post with the pending nonce: operator 1 then posts some digests twice
    const operator1 = await postsOf(1);
    const digests = operator1.map((post) => `${post.args.kind}:${post.args.digest}`);
    expect(new Set(digests).size, "operator 1 posted each digest once").to.equal(digests.length);

    const logs = allActions();
    expect(logs.filter((record) => record.action === "vote"), "no vote line").to.have.length(0);
    expect(logs.filter((record) => record.action === "step-failed"), "no step failed").to.deep.equal([]);
    expect(logs.filter((record) => record.action === "batch-failed"), "no batch failed").to.deep.equal([]);
    const kinds = new Set(logs.filter((record) => record.action === "board-post").flatMap((record) => String(record.kinds).split(",")));
    for (const kind of ["anchor", "cancel", "refund"]) expect(kinds, `a board-post line of kind ${kind}`).to.include(kind);
  });

  it("a pair recorded without a board: `relay --exchange board` says so in one line; `board deploy` adds one, `check` verifies it", async function () {
    const record = JSON.parse(await readFile(path.join(dir, "deployments", "far.json"), "utf8")) as PairDeployment;
    record.name = "older";
    delete record.child.signatureBoard;
    delete record.child.signatureBoardDeployedBlock;
    delete record.child.signatureBoardDeployTx;
    await writeFile(path.join(dir, "deployments", "older.json"), JSON.stringify(record, null, 2));
    // the chains match the record, which lacks what operators on different machines need: said, with the task to run
    const checked = await ok("check", "--pair", "older");
    expect(checked).to.match(/the chains match/);
    expect(checked).to.match(/^note: pair "older" records no signature board: .*; hint: .*`npx hardhat bridge board deploy --pair older`/m);
    const refused = await runBridge(env, "relay", "--pair", "older", "--exchange", "board", "--once");
    expect(refused.code).to.equal(1);
    expect(refused.stderr.trim().split("\n"), refused.stderr).to.have.length(1);
    expect(refused.stderr.trim()).to.match(/^Error: exchange: pair "older" records no signature board; hint: .*bridge board deploy --pair older/);
    await ok("board", "deploy", "--pair", "older");
    const updated = JSON.parse(await readFile(path.join(dir, "deployments", "older.json"), "utf8")) as PairDeployment;
    expect(updated.child.signatureBoard).to.match(/^0x[0-9a-fA-F]{40}$/);
    const checkedAgain = await ok("check", "--pair", "older");
    expect(checkedAgain).to.match(/the chains match/);
    expect(checkedAgain).not.to.match(/note: .*no signature board/);
  });
});
