import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { anchorBlock } from "../src/anchoring.js";
import { openPair } from "../src/hardhat/open-pair.js";
import { parseInteger, parsePairName } from "../src/validate.js";
import { print, runTask } from "./run.js";

export default async function (args: { signer?: string; pair?: string; block?: string }, hre: HardhatRuntimeEnvironment) {
  return runTask("bridge anchor", hre, async () => {
    parsePairName(args.pair, "pair");
    const block = args.block === undefined ? undefined : parseInteger(args.block, "block");
    const pair = await openPair(hre, args.pair, { signer: args.signer });
    return anchorBlock(pair, block, print);
  });
}
