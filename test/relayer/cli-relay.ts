// The newcomer's trip end to end: two `npx hardhat node` processes on free loopback ports, `bridge deploy`,
// `bridge token deploy`, `bridge transfer` both ways and `bridge relay` run as child processes exactly as typed in a
// terminal; a relayer killed mid-run and started again delivers each transfer exactly once. The nodes are the ones the
// command-line suites share (test/helpers/local-nodes.ts); any relayer left running is stopped whatever happens.
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider } from "ethers";

import type { PairDeployment } from "../../src/deployments.js";
import { Bridge__factory } from "../../types/ethers-contracts/index.js";
import type { Bridge } from "../../types/ethers-contracts/index.js";
import { nodeAccountKey, runBridge, startDetached, stop, stopAll, until } from "../helpers/local-nodes.js";
import { useSharedLocalPair } from "../helpers/shared-nodes.js";

describe("bridge relay from the command line against two `npx hardhat node` processes", function () {
  this.timeout(180_000);

  const processes: ChildProcess[] = [];
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let parentUrl: string;
  let childUrl: string;

  const bridge = (...args: string[]) => runBridge(env, ...args);


  async function ok(...args: string[]): Promise<string> {
    const result = await bridge(...args);
    expect(result.code, `bridge ${args.join(" ")}: ${result.stderr}`).to.equal(0);
    return result.stdout;
  }

  before(async function () {
    ({ dir, env, parentUrl, childUrl } = await useSharedLocalPair("bridge-relay-cli-"));
  });

  after(async function () {
    await stopAll(processes, dir);
  });

  it("relays transfers both ways with `bridge relay --once`; a relayer killed mid-run delivers each transfer once", async function () {
    await ok("deploy", "--parent", "localParent", "--child", "localChild", "--name", "trip");
    await ok("token", "deploy", "--pair", "trip", "--type", "kip7", "--name", "Gold", "--symbol", "GLD");
    await ok("token", "deploy", "--pair", "trip", "--type", "kip17", "--name", "Art", "--symbol", "ART", "--mint", "2", "--base-uri", "ipfs://art/");
    await ok("fund", "--pair", "trip", "--side", "child", "--amount", "10");
    const deployment = JSON.parse(await readFile(path.join(dir, "deployments", "trip.json"), "utf8")) as PairDeployment;

    await ok("transfer", "--pair", "trip", "--from", "parent", "--asset", "klay", "--amount", "2");
    await ok("transfer", "--pair", "trip", "--from", "parent", "--asset", "GLD", "--amount", "25.5");
    await ok("transfer", "--pair", "trip", "--from", "parent", "--asset", "ART", "--token-id", "1");

    const once = await ok("relay", "--pair", "trip", "--once");
    expect(once).to.match(/submit direction=parent->child .* transfers=3 signatures=1 tx=0x[0-9a-f]{4}…[0-9a-f]{4}/);
    expect(once).to.match(/once handled=3 .* pendingParentToChild=0 pendingChildToParent=0/);

    await ok("transfer", "--pair", "trip", "--from", "child", "--asset", "klay", "--amount", "0.5");
    await ok("transfer", "--pair", "trip", "--from", "child", "--asset", "GLD", "--amount", "5");
    await ok("transfer", "--pair", "trip", "--from", "child", "--asset", "ART", "--token-id", "1");
    const json = await ok("relay", "--pair", "trip", "--once", "--votes", "--json");
    const records = json
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { action: string; direction?: string });
    expect(records.filter((record) => record.action === "vote" && record.direction === "child->parent")).to.have.length(3);

    // a relayer left running, killed mid-run, and started again
    const parent = new JsonRpcProvider(parentUrl, undefined, { staticNetwork: true });
    const child = new JsonRpcProvider(childUrl, undefined, { staticNetwork: true });
    try {
      const parentBridge = Bridge__factory.connect(deployment.parent.bridge, parent);
      const childBridge = Bridge__factory.connect(deployment.child.bridge, child);
      const running = startDetached(["hardhat", "bridge", "relay", "--pair", "trip"], env);
      processes.push(running);
      await ok("transfer", "--pair", "trip", "--from", "parent", "--asset", "GLD", "--amount", "1");
      await until(async () => (await childBridge.lowerHandleNonce()) === 4n, "the running relayer to deliver nonce 3");
      await stop(running, "SIGKILL");
      await ok("transfer", "--pair", "trip", "--from", "parent", "--asset", "klay", "--amount", "1");
      await ok("transfer", "--pair", "trip", "--from", "child", "--asset", "GLD", "--amount", "1");
      await ok("relay", "--pair", "trip", "--once");

      type Direction = { requested: string; handled: string; pending: unknown[] };
      const status = JSON.parse(await ok("status", "--pair", "trip", "--json")) as Record<string, Direction>;
      for (const direction of [status.parentToChild, status.childToParent]) {
        expect(direction.pending, "bridge status: nothing pending").to.deep.equal([]);
        expect(direction.handled).to.equal(direction.requested);
      }
      expect(status.parentToChild.requested).to.equal("5");
      const handledOnce = async (bridgeContract: Bridge, requested: bigint) => {
        const events = await bridgeContract.queryFilter(bridgeContract.filters.HandleValueTransfer(), 0, "latest");
        const nonces = events.map((event) => event.args.handleNonce);
        expect(new Set(nonces).size).to.equal(nonces.length);
        expect(BigInt(nonces.length)).to.equal(requested);
        expect(await bridgeContract.lowerHandleNonce()).to.equal(requested);
      };
      await handledOnce(childBridge, await parentBridge.requestNonce());
      await handledOnce(parentBridge, await childBridge.requestNonce());
      expect(await parentBridge.requestNonce()).to.equal(5n);
      expect(await childBridge.requestNonce()).to.equal(4n);
    } finally {
      parent.destroy();
      child.destroy();
    }
  });

  it("a relayer that cannot start says why in one line, exits 1 and leaves no state behind", async function () {
    const expectOneLine = (result: { code: number; stdout: string; stderr: string }, pattern: RegExp) => {
      expect(result.code).to.equal(1);
      const lines = result.stderr.trim().split("\n");
      expect(lines, result.stderr).to.have.length(1);
      expect(lines[0]).to.match(pattern);
      expect(result.stdout, "no relayer line before the checks pass").not.to.match(/\bstart\b/);
    };
    // account 5 of the local nodes is not an operator of pair "trip"; pair "reset" names bridges the chains do not
    // hold (the nodes were restarted): a hint to deploy again
    const record = JSON.parse(await readFile(path.join(dir, "deployments", "trip.json"), "utf8")) as PairDeployment;
    record.name = "reset";
    record.parent.bridge = "0x00000000000000000000000000000000000b0001";
    await writeFile(path.join(dir, "deployments", "reset.json"), JSON.stringify(record, null, 2));
    // an operator on a machine of its own signs with one key (BRIDGE_LOCAL_PRIVATE_KEY): another key, or an index
    // beyond the one account it configures, is named as such
    const withKey = (index: number, ...args: string[]) => runBridge({ ...env, BRIDGE_LOCAL_PRIVATE_KEY: nodeAccountKey(index) }, ...args);
    const [stranger, reset, strangerKey, secondAccount, notAKey] = await Promise.all([
      bridge("relay", "--pair", "trip", "--operator", "5", "--once"),
      bridge("relay", "--pair", "reset", "--once"),
      withKey(5, "relay", "--pair", "trip", "--once"),
      withKey(0, "relay", "--pair", "trip", "--operator", "1", "--once"),
      runBridge({ ...env, BRIDGE_LOCAL_PRIVATE_KEY: "0x1234" }, "relay", "--pair", "trip", "--once"),
    ]);
    expectOneLine(notAKey, /^Error: network "localParent": BRIDGE_LOCAL_PRIVATE_KEY is not a private key \(0x and 64 hex digits\)$/);
    expectOneLine(stranger, /^Error: operator: 0x[0-9a-fA-F]{40} is not an operator of the parent bridge 0x[0-9a-fA-F]{40}; hint: /);
    expectOneLine(strangerKey, /^Error: operator: 0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc is not an operator of the parent bridge .*; hint: .*--operator or sign with an operator's key \(BRIDGE_LOCAL_PRIVATE_KEY/);
    expectOneLine(
      secondAccount,
      /^Error: operator: network "localParent" has 1 account\(s\); index 1 does not exist; hint: network "localParent" signs with one configured key, of 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266$/,
    );
    const match = /operator: (0x[0-9a-fA-F]{40})/.exec(stranger.stderr);
    expect(existsSync(path.join(dir, "relayer", "trip", `${match![1].toLowerCase()}.sqlite`))).to.equal(false);

    expectOneLine(reset, /^Error: no bridge at 0x0+b0001 on the parent chain \(network "localParent"\): the chain was reset .* --force`$/i);
    expect(reset.stderr).not.to.match(/unexpected error|at .*\.js:\d+/);
    expect(existsSync(path.join(dir, "relayer", "reset"))).to.equal(false);
  });
});
