import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { setThreshold } from "../src/operators.js";
import { openPair } from "../src/hardhat/open-pair.js";
import { parseInteger, parsePairName, parseVoteType } from "../src/validate.js";
import { print, runTask } from "./run.js";

export default async function (args: { signer?: string; pair?: string; value?: string; voteType?: string }, hre: HardhatRuntimeEnvironment) {
  return runTask("bridge threshold", hre, async () => {
    parsePairName(args.pair, "pair");
    const value = Number(parseInteger(args.value, "value", { min: 1n, max: 12n }));
    const voteType = parseVoteType(args.voteType ?? "transfer");
    const pair = await openPair(hre, args.pair, { signer: args.signer });
    await setThreshold(pair, voteType, value, print);
  });
}
