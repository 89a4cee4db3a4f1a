import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { setFees } from "../src/fees.js";
import { openPair } from "../src/hardhat/open-pair.js";
import { parsePairName, parseSide } from "../src/validate.js";
import { print, runTask } from "./run.js";

interface Args {
  signer?: string;
  pair?: string;
  side?: string;
  klay?: string;
  token?: string;
  amount?: string;
  receiver?: string;
}

export default async function (args: Args, hre: HardhatRuntimeEnvironment) {
  return runTask("bridge fee", hre, async () => {
    parsePairName(args.pair, "pair");
    const side = parseSide(args.side);
    const pair = await openPair(hre, args.pair, { signer: args.signer });
    return setFees(pair, { side, klay: args.klay, token: args.token, amount: args.amount, receiver: args.receiver }, print);
  });
}
