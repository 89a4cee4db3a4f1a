import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { addSignatureBoard } from "../src/board.js";
import { openPair } from "../src/hardhat/open-pair.js";
import { print, runTask } from "./run.js";

export default async function (args: { pair?: string; force: boolean; signer?: string }, hre: HardhatRuntimeEnvironment) {
  return runTask("bridge board deploy", hre, async () => {
    const pair = await openPair(hre, args.pair, { signer: args.signer });
    return addSignatureBoard(pair.deployment, pair.child, { force: args.force }, print);
  });
}
