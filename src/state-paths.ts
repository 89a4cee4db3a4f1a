/**
 * Where a pair's relayers keep their state on this machine: `$BRIDGE_RELAYER_DIR/PAIR/` (default `.relayer/PAIR/`
 * under the working directory), one store per operator and the shared signature directory. `bridge deploy --force`
 * sets this state aside: it belongs to the deployment being replaced.
 */
import { existsSync } from "node:fs";
import { rename } from "node:fs/promises";
import { join, resolve } from "node:path";

/** Where a pair's relayers keep their state: `$BRIDGE_RELAYER_DIR`, or `.relayer/` under the working directory. */
export function relayerDirectory(pairName: string, root?: string): string {
  return resolve(root ?? process.env.BRIDGE_RELAYER_DIR ?? ".relayer", pairName);
}

/** The store of one operator of a pair. */
export function relayerStorePath(pairName: string, operator: string, root?: string): string {
  return join(relayerDirectory(pairName, root), `${operator.toLowerCase()}.sqlite`);
}

/** The directory where the pair's operators exchange signatures (shared by every relayer of the pair). */
export function signatureDirectory(pairName: string, root?: string): string {
  return join(relayerDirectory(pairName, root), "signatures");
}

/**
 * Moves the relayer state of pair `pairName` aside (`PAIR.stale-<time>`), when there is any; returns where it went.
 * Nothing is deleted: the old stores stay readable for inspection, and no relayer of the new deployment reads them.
 */
export async function setAsideRelayerState(pairName: string, root?: string): Promise<string | undefined> {
  const directory = relayerDirectory(pairName, root);
  if (!existsSync(directory)) return undefined;
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "");
  let target = `${directory}.stale-${stamp}`;
  for (let n = 2; existsSync(target); n++) target = `${directory}.stale-${stamp}-${n}`;
  await rename(directory, target);
  return target;
}
