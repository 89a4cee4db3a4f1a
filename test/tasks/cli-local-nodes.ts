// The user's path end to end: two `npx hardhat node` processes on free loopback ports, and `npx hardhat bridge ...`
// commands run as child processes exactly as typed in a terminal. Both nodes are stopped whatever happens.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";
import { JsonRpcProvider, parseEther } from "ethers";

import type { PairDeployment } from "../../src/deployments.js";
import { Bridge__factory, KIP7Token__factory } from "../../types/ethers-contracts/index.js";

const run = promisify(execFile);
const projectRoot = path.resolve(import.meta.dirname, "../..");

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function startNode(port: number, chainId: number): ChildProcess {
  // detached: the node runs in its own process group, so stopping it also stops npx's children.
  const node = spawn("npx", ["hardhat", "node", "--port", String(port), "--chain-id", String(chainId)], {
    cwd: projectRoot,
    detached: true,
    stdio: "ignore",
  });
  return node;
}

/** Stops a node's whole process group: SIGTERM, then SIGKILL if it is still there after 3 s. */
async function stopNode(node: ChildProcess | undefined): Promise<void> {
  if (node?.pid === undefined || node.exitCode !== null || node.signalCode !== null) return;
  const group = -node.pid;
  const exited = new Promise<void>((resolve) => node.once("exit", () => resolve()));
  try {
    process.kill(group, "SIGTERM");
  } catch {
    return; // already gone
  }
  const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 3_000).unref());
  if ((await Promise.race([exited, timeout])) === "timeout") {
    try {
      process.kill(group, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
}

async function waitForChain(url: string, chainId: number, node: ChildProcess): Promise<void> {
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    if (node.exitCode !== null) throw new Error(`hardhat node for ${url} exited with ${node.exitCode}`);
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      const body = (await response.json()) as { result?: string };
      if (body.result !== undefined && Number(body.result) === chainId) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`hardhat node at ${url} did not start`);
}

describe("bridge tasks from the command line against two `npx hardhat node` processes", function () {
  this.timeout(120_000);

  let parentNode: ChildProcess | undefined;
  let childNode: ChildProcess | undefined;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let parentUrl: string;
  let childUrl: string;

  async function bridge(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run("npx", ["hardhat", "bridge", ...args], { cwd: projectRoot, env, maxBuffer: 10_000_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failure = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failure.code ?? -1, stdout: failure.stdout ?? "", stderr: failure.stderr ?? "" };
    }
  }

  before(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "bridge-cli-"));
    const [parentPort, childPort] = [await freePort(), await freePort()];
    parentUrl = `http://127.0.0.1:${parentPort}`;
    childUrl = `http://127.0.0.1:${childPort}`;
    env = { ...process.env, BRIDGE_LOCAL_PARENT_URL: parentUrl, BRIDGE_LOCAL_CHILD_URL: childUrl, BRIDGE_DEPLOYMENTS_DIR: dir };
    parentNode = startNode(parentPort, 31337);
    childNode = startNode(childPort, 31338);
    await Promise.all([waitForChain(parentUrl, 31337, parentNode), waitForChain(childUrl, 31338, childNode)]);
  });

  after(async function () {
    await Promise.all([stopNode(parentNode), stopNode(childNode)]);
    await rm(dir, { recursive: true, force: true });
  });

  it("deploys a pair, deploys a token pair and requests transfers, as a user types them", async function () {
    const deploy = await bridge("deploy", "--parent", "localParent", "--child", "localChild", "--name", "cli");
    expect(deploy.code, deploy.stderr).to.equal(0);
    expect(deploy.stdout).to.match(/\[parent\] deploy Bridge \(lock\/unlock\): tx 0x[0-9a-f]{64}/);
    const deployment = JSON.parse(await readFile(path.join(dir, "cli.json"), "utf8")) as PairDeployment;
    expect(deployment.parent.network).to.equal("localParent");

    const token = await bridge("token", "deploy", "--pair", "cli", "--type", "kip7", "--name", "Gold", "--symbol", "GLD");
    expect(token.code, token.stderr).to.equal(0);
    expect(token.stdout).to.include("Registered KIP7 pair GLD");

    const klay = await bridge("transfer", "--pair", "cli", "--from", "parent", "--asset", "klay", "--amount", "2");
    expect(klay.code, klay.stderr).to.equal(0);
    expect(klay.stdout).to.match(/request nonce 0 \(parent -> child\), tx 0x[0-9a-f]{64}/);
    const gold = await bridge("transfer", "--pair", "cli", "--from", "parent", "--asset", "GLD", "--amount", "25.5");
    expect(gold.code, gold.stderr).to.equal(0);
    expect(gold.stdout).to.match(/request nonce 1 \(parent -> child\)/);

    const refused = await bridge("transfer", "--pair", "cli", "--from", "parent", "--asset", "klay", "--amount", "0");
    expect(refused.code).to.equal(1);
    const errorLines = refused.stderr.split("\n").filter((line) => line !== "" && !line.startsWith("npm warn"));
    expect(errorLines).to.deep.equal(["Error: amount: must be greater than 0"]);

    const parent = new JsonRpcProvider(parentUrl, undefined, { staticNetwork: true });
    try {
      const recorded = JSON.parse(await readFile(path.join(dir, "cli.json"), "utf8")) as PairDeployment;
      const bridgeContract = Bridge__factory.connect(recorded.parent.bridge, parent);
      expect(await bridgeContract.requestNonce()).to.equal(2n);
      expect(await parent.getBalance(recorded.parent.bridge)).to.equal(parseEther("2"));
      const goldToken = KIP7Token__factory.connect(recorded.tokens[0]!.parent, parent);
      expect(await goldToken.balanceOf(recorded.parent.bridge)).to.equal(parseEther("25.5"));
    } finally {
      parent.destroy();
    }
  });
});
