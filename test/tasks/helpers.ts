// Shared by the task tests: run a `bridge` task through Hardhat's task runner with its output captured, and read
// the in-process chains the tasks use.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import hre from "hardhat";

export interface TaskRun<T = unknown> {
  success: boolean;
  value?: T;
  error?: Error;
  out: string[];
  err: string[];
  /** stdout and stderr lines together, in order. */
  text: string;
}

/** Runs `npx hardhat bridge ...` in-process: `args` are the task's options by their camelCase names. */
export async function runBridgeTask<T = unknown>(id: string[], args: Record<string, unknown> = {}): Promise<TaskRun<T>> {
  const out: string[] = [];
  const err: string[] = [];
  const all: string[] = [];
  const originalLog = console.log;
  const originalError = console.error;
  console.log = (...parts: unknown[]) => {
    const line = parts.map(String).join(" ");
    out.push(line);
    all.push(line);
  };
  console.error = (...parts: unknown[]) => {
    const line = parts.map(String).join(" ");
    err.push(line);
    all.push(line);
  };
  let result: { success: boolean; value?: T; error?: Error };
  try {
    const task = hre.tasks.getTask(["bridge", ...id]);
    const withDefaults: Record<string, unknown> = {};
    for (const name of task.options.keys()) withDefaults[name] = task.options.get(name)?.defaultValue;
    result = (await task.run({ ...withDefaults, ...args })) as typeof result;
  } finally {
    console.log = originalLog;
    console.error = originalError;
  }
  return { ...result, out, err, text: all.join("\n") };
}

/** The in-process chains the tasks connect to (shared within this Hardhat run). */
export async function chains() {
  const parent = await hre.network.getOrCreate("parent");
  const child = await hre.network.getOrCreate("child");
  return { parent: parent.ethers, child: child.ethers };
}

/** What must not change when a task refuses its input: both signers' nonces and the deployments directory. */
export async function snapshot(files: string[] = []): Promise<string> {
  const { parent, child } = await chains();
  const [parentSigner] = await parent.getSigners();
  const [childSigner] = await child.getSigners();
  const parts = [
    await parent.provider.getTransactionCount(parentSigner.address),
    await child.provider.getTransactionCount(childSigner.address),
    await parent.provider.getBlockNumber(),
    await child.provider.getBlockNumber(),
  ].map(String);
  for (const file of files) parts.push(await readFile(file, "utf8").catch(() => "<missing>"));
  return parts.join("|");
}

/** A fresh deployments directory for one test file, through BRIDGE_DEPLOYMENTS_DIR. */
export async function useTemporaryDeployments(): Promise<{ dir: string; restore: () => Promise<void> }> {
  const previous = process.env.BRIDGE_DEPLOYMENTS_DIR;
  const dir = await mkdtemp(path.join(tmpdir(), "bridge-deployments-"));
  process.env.BRIDGE_DEPLOYMENTS_DIR = dir;
  return {
    dir,
    restore: async () => {
      if (previous === undefined) delete process.env.BRIDGE_DEPLOYMENTS_DIR;
      else process.env.BRIDGE_DEPLOYMENTS_DIR = previous;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
