import { deployTokenPair } from "../src/tokens.js";
import { parseAddress, parseAmount, parseInteger, parseTokenType } from "../src/validate.js";
import { pairTask, print } from "./run.js";
import type { PairTaskArgs } from "./run.js";

interface Args extends PairTaskArgs {
  type?: string;
  name?: string;
  symbol?: string;
  parentToken?: string;
  supply?: string;
  mint?: string;
  baseUri?: string;
}

export default pairTask(
  "bridge token deploy",
  (args: Args) => {
    if (args.supply !== undefined) parseAmount(args.supply, 18, "supply");
    return {
      type: parseTokenType(args.type),
      name: args.name,
      symbol: args.symbol,
      parentToken: args.parentToken === undefined ? undefined : parseAddress(args.parentToken, "parent-token"),
      supply: args.supply,
      mint: args.mint === undefined ? undefined : Number(parseInteger(args.mint, "mint", { max: 1000n })),
      baseUri: args.baseUri,
    };
  },
  (pair, options) => deployTokenPair(pair, options, print),
);
