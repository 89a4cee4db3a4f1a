import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { openPair } from "../src/hardhat/open-pair.js";
import { collectStatus, describeStatus, statusToJson } from "../src/status.js";
import { print, runTask } from "./run.js";

export default async function (args: { pair?: string; json: boolean }, hre: HardhatRuntimeEnvironment) {
  return runTask("bridge status", hre, async () => {
    const pair = await openPair(hre, args.pair);
    const status = await collectStatus(pair);
    if (args.json) print(statusToJson(status));
    else for (const line of describeStatus(status)) print(line);
    return status;
  });
}
