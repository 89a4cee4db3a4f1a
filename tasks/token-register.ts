import { registerTokenPair } from "../src/tokens.js";
import { parseAddress, parseTokenType } from "../src/validate.js";
import { pairTask, print } from "./run.js";
import type { PairTaskArgs } from "./run.js";

interface Args extends PairTaskArgs {
  type?: string;
  parentToken?: string;
  childToken?: string;
}

export default pairTask(
  "bridge token register",
  (args: Args) => ({
    type: parseTokenType(args.type),
    parentToken: parseAddress(args.parentToken, "parent-token"),
    childToken: parseAddress(args.childToken, "child-token"),
  }),
  (pair, options) => registerTokenPair(pair, options, print),
);
