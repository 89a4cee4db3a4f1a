import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { removeOperator } from "../src/operators.js";
import { openPair } from "../src/hardhat/open-pair.js";
import { parseAddress, parsePairName } from "../src/validate.js";
import { print, runTask } from "./run.js";

export default async function (args: { signer?: string; pair?: string; address?: string }, hre: HardhatRuntimeEnvironment) {
  return runTask("bridge operator remove", hre, async () => {
    parsePairName(args.pair, "pair");
    const operator = parseAddress(args.address, "address");
    const pair = await openPair(hre, args.pair, { signer: args.signer });
    await removeOperator(pair, operator, print);
  });
}
