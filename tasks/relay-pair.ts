// Temporary: reads deployments/PAIR.json (issue 3's format) until the toolkit's deployments library is on main.
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";

export interface RelayPairRecord {
  name: string;
  parent: { network: string; bridge: string; deployedBlock: number; anchoringReceiver?: string };
  child: { network: string; bridge: string; deployedBlock: number };
}

export async function readDeployment(name: string): Promise<RelayPairRecord> {
  const file = join(resolve(process.env.BRIDGE_DEPLOYMENTS_DIR ?? "deployments"), `${name}.json`);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new Error(`unknown pair "${name}": ${file} does not exist (run \`bridge deploy --name ${name}\` first)`, { cause: error });
  }
  return JSON.parse(text) as RelayPairRecord;
}
