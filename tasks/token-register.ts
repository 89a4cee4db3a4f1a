import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { openPair } from "../src/hardhat/open-pair.js";
import { registerTokenPair } from "../src/tokens.js";
import { parseAddress, parsePairName, parseTokenType } from "../src/validate.js";
import { print, runTask } from "./run.js";

interface Args {
  signer?: string;
  pair?: string;
  type?: string;
  parentToken?: string;
  childToken?: string;
}

export default async function (args: Args, hre: HardhatRuntimeEnvironment) {
  return runTask("bridge token register", hre, async () => {
    parsePairName(args.pair, "pair");
    const type = parseTokenType(args.type);
    const parentToken = parseAddress(args.parentToken, "parent-token");
    const childToken = parseAddress(args.childToken, "child-token");
    const pair = await openPair(hre, args.pair, { signer: args.signer });
    return registerTokenPair(pair, { type, parentToken, childToken }, print);
  });
}
