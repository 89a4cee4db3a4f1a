/**
 * The pair of `hardhat node` processes the command-line suites share: started by the first suite that asks, stopped
 * by a root `after` hook once every suite has run (so this module is for mocha suites only; scripts start nodes of
 * their own with `startLocalPair`).
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { freePort, startNode, stop, waitForChain, type LocalPair } from "./local-nodes.js";

/** The two nodes the command-line suites share, once started (see `useSharedLocalPair`). */
let sharedNodes: Promise<Omit<LocalPair, "dir" | "env">> | undefined;

async function startSharedNodes(): Promise<Omit<LocalPair, "dir" | "env">> {
  const [parentPort, childPort] = [await freePort(), await freePort()];
  const parentUrl = `http://127.0.0.1:${parentPort}`;
  const childUrl = `http://127.0.0.1:${childPort}`;
  const parentNode = startNode(parentPort, 31337);
  const childNode = startNode(childPort, 31338);
  try {
    await Promise.all([waitForChain(parentUrl, 31337, parentNode), waitForChain(childUrl, 31338, childNode)]);
  } catch (error) {
    await Promise.all([stop(parentNode), stop(childNode)]);
    throw error;
  }
  return { parentUrl, childUrl, parentNode, childNode };
}

// The shared nodes are stopped once every suite has run (a root hook: this module is loaded by the suites' files).
after(async function () {
  const nodes = await sharedNodes?.catch(() => undefined);
  sharedNodes = undefined;
  if (nodes !== undefined) await Promise.all([stop(nodes.parentNode), stop(nodes.childNode)]);
});

/**
 * The parent (31337) and child (31338) `hardhat node` processes that the command-line suites share (started by the
 * first suite that asks, stopped after the last suite), with a fresh directory named from `prefix` for this suite:
 * its deployments go to `dir/deployments`, the relayer's state to `dir/<relayerDir>`. Each suite deploys its own pair
 * on them, so that what one suite does on chain is not another's; a suite stops what it started itself, never these
 * nodes (`startLocalPair` gives a suite nodes of its own).
 */
export async function useSharedLocalPair(prefix: string, relayerDir = "relayer"): Promise<LocalPair> {
  sharedNodes ??= startSharedNodes();
  const nodes = await sharedNodes;
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  const env = {
    ...process.env,
    BRIDGE_LOCAL_PARENT_URL: nodes.parentUrl,
    BRIDGE_LOCAL_CHILD_URL: nodes.childUrl,
    BRIDGE_DEPLOYMENTS_DIR: path.join(dir, "deployments"),
    BRIDGE_RELAYER_DIR: path.join(dir, relayerDir),
  };
  return { dir, env, ...nodes };
}
