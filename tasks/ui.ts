import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { BridgeTaskError } from "../src/errors.js";
import { openPair } from "../src/hardhat/open-pair.js";
import { startStatusPage } from "../src/ops/ui/server.js";
import { print, runTask } from "./run.js";

function parsePort(value: string | undefined): number {
  if (value === undefined) return 8080;
  const text = value.trim();
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new BridgeTaskError(`port: must be a whole number from 0 to 65535 (got "${value}")`);
  return Number(text);
}

export default async function (args: { pair?: string; port?: string }, hre: HardhatRuntimeEnvironment) {
  return runTask("bridge ui", hre, async () => {
    const port = parsePort(args.port);
    const pair = await openPair(hre, args.pair);
    const page = await startStatusPage(pair, { port });
    print(`status page of pair "${pair.deployment.name}": ${page.url} (JSON: ${page.url}api/overview); Ctrl-C stops it`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await page.close();
  });
}
