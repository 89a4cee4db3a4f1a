/**
 * What the command-line tests share: free loopback ports, `npx` commands started in their own process group (so that
 * stopping one stops npx's children too) and stopped whatever happens, a wait for a `hardhat node` to answer, and
 * `npx hardhat bridge …` run exactly as a user types it.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export const projectRoot = path.resolve(import.meta.dirname, "../..");

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

/** Starts `npx ARGS` in its own process group. */
export function startDetached(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  output: "ignore" | "pipe" = "ignore",
): ChildProcess {
  return spawn("npx", args, { cwd: projectRoot, env, detached: true, stdio: ["ignore", output, output] });
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

/** Runs `npx hardhat bridge ARGS` and returns its exit code and output. */
export async function runBridge(
  env: NodeJS.ProcessEnv,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run("npx", ["hardhat", "bridge", ...args], {
      cwd: projectRoot,
      env,
      maxBuffer: 10_000_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failure.code ?? -1, stdout: failure.stdout ?? "", stderr: failure.stderr ?? "" };
  }
}
