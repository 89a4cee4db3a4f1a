import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { fundBridge } from "../src/fund.js";
import { openPair } from "../src/hardhat/open-pair.js";
import { parseAmount, parsePairName, parseSide } from "../src/validate.js";
import { print, runTask } from "./run.js";

export default async function (args: { signer?: string; pair?: string; side?: string; amount?: string }, hre: HardhatRuntimeEnvironment) {
  return runTask("bridge fund", hre, async () => {
    parsePairName(args.pair, "pair");
    const side = parseSide(args.side);
    parseAmount(args.amount, 18, "amount");
    const pair = await openPair(hre, args.pair, { signer: args.signer });
    return fundBridge(pair, side, args.amount, print);
  });
}
