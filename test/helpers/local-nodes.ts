/**
 * What the command-line tests share: free loopback ports, `npx hardhat …` commands started in their own process group
 * (so that stopping one stops its children too) and stopped whatever happens, a wait for a `hardhat node` to answer,
 * `npx hardhat bridge …` run as a user types it, and a local pair of chains started and stopped as one.
 *
 * `npx hardhat ARGS` runs Hardhat's command line (node_modules/.bin/hardhat) on the project's Node, which npx puts
 * first on the PATH (the pinned `node` package). The helpers run exactly that without npm in front: the Node that runs
 * the tests, on Hardhat's command line. npm's own start-up costs a second or more a command on a busy machine and does
 * nothing of the project's; `runBridgeWithNpx` (test/tasks/cli-help.ts) runs the command through npx itself.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { HDNodeWallet } from "ethers";

const run = promisify(execFile);

export const projectRoot = path.resolve(import.meta.dirname, "../..");

/** The mnemonic of the accounts `hardhat node` unlocks. */
const NODE_MNEMONIC = "test test test test test test test test test test test junk";

/** The private key of the nodes' account `index`: what an operator signing on a machine of its own configures. */
export function nodeAccountKey(index: number): string {
  return HDNodeWallet.fromPhrase(NODE_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`).privateKey;
}

/** A port nothing listens on at 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
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

/** Hardhat's command line: what node_modules/.bin/hardhat (and so `npx hardhat`) runs. */
const HARDHAT_CLI = path.join(projectRoot, "node_modules", "hardhat", "dist", "src", "cli.js");

/** The program and arguments that run `npx ARGS`: `npx hardhat …` as Hardhat's command line on the tests' Node. */
function command(npxArgs: string[]): [string, string[]] {
  return npxArgs[0] === "hardhat" ? [process.execPath, [HARDHAT_CLI, ...npxArgs.slice(1)]] : ["npx", npxArgs];
}

/** Starts `npx ARGS` in its own process group. */
export function startDetached(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  output: "ignore" | "pipe" = "ignore",
): ChildProcess {
  const [program, programArgs] = command(args);
  return spawn(program, programArgs, { cwd: projectRoot, env, detached: true, stdio: ["ignore", output, output] });
}

/** Starts `npx hardhat node` on 127.0.0.1:`port` with `chainId`. */
export function startNode(port: number, chainId: number, env: NodeJS.ProcessEnv = process.env): ChildProcess {
  return startDetached(["hardhat", "node", "--port", String(port), "--chain-id", String(chainId)], env);
}

/** Stops a process group: `signal`, then SIGKILL when it is still there after 3 s. */
export async function stop(child: ChildProcess | undefined, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const group = -child.pid;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    process.kill(group, signal);
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

/** Waits until the node at `url` answers `eth_chainId` with `chainId` (45 s at most). */
export async function waitForChain(url: string, chainId: number, node: ChildProcess): Promise<void> {
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

/** Runs `program ARGS` and returns its exit code and output. */
async function runCommand(
  program: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(program, args, { cwd: projectRoot, env, maxBuffer: 10_000_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failure.code ?? -1, stdout: failure.stdout ?? "", stderr: failure.stderr ?? "" };
  }
}

/** Runs `npx hardhat bridge ARGS` (without npm in front, see above) and returns its exit code and output. */
export async function runBridge(
  env: NodeJS.ProcessEnv,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCommand(...command(["hardhat", "bridge", ...args]), env);
}

/** Runs `npx hardhat bridge ARGS` through npx itself, as typed, and returns its exit code and output. */
export async function runBridgeWithNpx(
  env: NodeJS.ProcessEnv,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCommand("npx", ["hardhat", "bridge", ...args], env);
}

/** Two `hardhat node` processes on free loopback ports, a scratch directory, and the environment `bridge` reads. */
export interface LocalPair {
  dir: string;
  env: NodeJS.ProcessEnv;
  parentUrl: string;
  childUrl: string;
  parentNode: ChildProcess;
  childNode: ChildProcess;
}

/**
 * Starts the parent (31337) and child (31338) nodes in a fresh directory named from `prefix`; deployments go to
 * `dir/deployments`, the relayer's state to `dir/<relayerDir>`. Waits until both answer.
 */
export async function startLocalPair(prefix: string, relayerDir = "relayer"): Promise<LocalPair> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  const [parentPort, childPort] = [await freePort(), await freePort()];
  const parentUrl = `http://127.0.0.1:${parentPort}`;
  const childUrl = `http://127.0.0.1:${childPort}`;
  const env = {
    ...process.env,
    BRIDGE_LOCAL_PARENT_URL: parentUrl,
    BRIDGE_LOCAL_CHILD_URL: childUrl,
    BRIDGE_DEPLOYMENTS_DIR: path.join(dir, "deployments"),
    BRIDGE_RELAYER_DIR: path.join(dir, relayerDir),
  };
  const parentNode = startNode(parentPort, 31337, env);
  const childNode = startNode(childPort, 31338, env);
  try {
    await Promise.all([waitForChain(parentUrl, 31337, parentNode), waitForChain(childUrl, 31338, childNode)]);
  } catch (error) {
    await Promise.all([stop(parentNode), stop(childNode)]);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, env, parentUrl, childUrl, parentNode, childNode };
}

/** Stops every process in `processes` and then removes `dir` (when there is one). */
export async function stopAll(processes: (ChildProcess | undefined)[], dir: string | undefined): Promise<void> {
  await Promise.all(processes.map((child) => stop(child)));
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
}

/** Polls `condition` every 200 ms until it holds; throws naming `what` after `ms`. */
export async function until(condition: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
