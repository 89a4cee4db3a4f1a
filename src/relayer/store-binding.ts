/**
 * A relayer's store is a cache of one deployment: the requests it read, what it signed and sent, its cursors. It is
 * bound to that deployment (both chain ids, both bridge addresses, their deployed blocks and those blocks' hashes,
 * and the anchoring receiver)
 * when first used. A store found bound to another deployment, or holding state of an unknown one (written before the
 * binding existed), is never reused: a store file is moved aside (`<name>.stale-<time>.sqlite`, kept for inspection)
 * and a new one is started, which reads everything again from the chains; a store object handed in is refused.
 *
 * The danger this closes: after `bridge deploy --force` under the same pair name (or a chain reset), the old store
 * holds transfers "done" that the new destination bridge never handled, and a relayer that trusted them would sign
 * requests the new source bridge never received.
 */
import { existsSync, renameSync } from "node:fs";

import { RelayerStore } from "./store.js";

/** The deployment a store belongs to. */
export interface DeploymentIdentity {
  parent: { chainId: bigint; bridge: string; deployedBlock: number; deployedBlockHash: string; anchoringReceiver?: string };
  child: { chainId: bigint; bridge: string; deployedBlock: number; deployedBlockHash: string };
}

const META_KEY = "deployment";

/** The identity as the store records it: canonical JSON, addresses in lower case. */
export function deploymentKey(identity: DeploymentIdentity): string {
  const side = (value: DeploymentIdentity["parent"]) => ({
    chainId: value.chainId.toString(),
    bridge: value.bridge.toLowerCase(),
    deployedBlock: value.deployedBlock,
    // a local chain restarted and redeployed gives the same addresses and blocks, never the same block hash
    deployedBlockHash: value.deployedBlockHash.toLowerCase(),
    anchoringReceiver: value.anchoringReceiver?.toLowerCase() ?? null,
  });
  return JSON.stringify({ parent: side(identity.parent), child: side(identity.child) });
}

/** A short description of a recorded identity, for the one line that says a store was set aside. */
function describeKey(key: string | undefined): string {
  if (key === undefined) return "an unrecorded deployment";
  try {
    const parsed = JSON.parse(key) as Record<"parent" | "child", { chainId: string; bridge: string }>;
    return `parent ${parsed.parent.bridge} (chain ${parsed.parent.chainId}), child ${parsed.child.bridge} (chain ${parsed.child.chainId})`;
  } catch {
    return "an unreadable deployment record";
  }
}

/** Why `store` cannot serve `identity`, or undefined when it can (binding it now when it is new and empty). */
export function bindStore(store: RelayerStore, identity: DeploymentIdentity): string | undefined {
  const key = deploymentKey(identity);
  const recorded = store.getMeta(META_KEY);
  if (recorded === key) return undefined;
  if (recorded === undefined && store.isEmpty()) {
    store.setMeta(META_KEY, key);
    return undefined;
  }
  return `it holds the state of ${describeKey(recorded)}`;
}

/** A store that could not be used, and where it went. */
export interface SetAsideStore {
  path: string;
  movedTo: string;
  reason: string;
}

/**
 * Opens the store at `path` for `identity`: the store itself when it is new or bound to this deployment; otherwise it
 * is moved aside (with its WAL files) and a new store is opened in its place.
 */
export function openBoundStore(path: string, identity: DeploymentIdentity): { store: RelayerStore; setAside?: SetAsideStore } {
  const store = new RelayerStore(path);
  const problem = bindStore(store, identity);
  if (problem === undefined) return { store };
  if (path === ":memory:") throw new Error(`the store ${path} belongs to another deployment: ${problem}`);
  store.close();
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "");
  const base = path.endsWith(".sqlite") ? path.slice(0, -".sqlite".length) : path;
  const movedTo = `${base}.stale-${stamp}.sqlite`;
  for (const suffix of ["", "-wal", "-shm"]) {
    if (existsSync(path + suffix)) renameSync(path + suffix, movedTo + suffix);
  }
  const fresh = new RelayerStore(path);
  const again = bindStore(fresh, identity);
  if (again !== undefined) throw new Error(`could not start a new store at ${path}: ${again}`);
  return { store: fresh, setAside: { path, movedTo, reason: problem } };
}
