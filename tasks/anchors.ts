import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { listAnchors } from "../src/anchoring.js";
import { openPair } from "../src/hardhat/open-pair.js";
import { print, runTask } from "./run.js";

export default async function (args: { pair?: string; json: boolean }, hre: HardhatRuntimeEnvironment) {
  return runTask("bridge anchors", hre, async () => {
    const pair = await openPair(hre, args.pair);
    const anchors = await listAnchors(pair);
    if (args.json) {
      print(JSON.stringify(anchors, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value), 2));
    } else if (anchors.length === 0) {
      print(`no child block of pair "${pair.deployment.name}" is anchored yet`);
    } else {
      for (const anchor of anchors) {
        print(`child block ${anchor.blockNumber} ${anchor.blockHash} state ${anchor.stateRoot} (${anchor.blockCount} blocks, ${anchor.txCount} txs)`);
      }
    }
    return anchors;
  });
}
