import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { openPair } from "../src/hardhat/open-pair.js";
import { deployTokenPair } from "../src/tokens.js";
import { parseAddress, parseAmount, parseInteger, parsePairName, parseTokenType } from "../src/validate.js";
import { print, runTask } from "./run.js";

interface Args {
  signer?: string;
  pair?: string;
  type?: string;
  name?: string;
  symbol?: string;
  parentToken?: string;
  supply?: string;
  mint?: string;
  baseUri?: string;
}

export default async function (args: Args, hre: HardhatRuntimeEnvironment) {
  return runTask("bridge token deploy", hre, async () => {
    parsePairName(args.pair, "pair");
    const type = parseTokenType(args.type);
    const parentToken = args.parentToken === undefined ? undefined : parseAddress(args.parentToken, "parent-token");
    if (args.supply !== undefined) parseAmount(args.supply, 18, "supply");
    const mint = args.mint === undefined ? undefined : Number(parseInteger(args.mint, "mint", { max: 1000n }));
    const pair = await openPair(hre, args.pair, { signer: args.signer });
    return deployTokenPair(
      pair,
      { type, name: args.name, symbol: args.symbol, parentToken, supply: args.supply, mint, baseUri: args.baseUri },
      print,
    );
  });
}
