import { fundBridge } from "../src/fund.js";
import { parseAmount, parseSide } from "../src/validate.js";
import { pairTask, print } from "./run.js";
import type { PairTaskArgs } from "./run.js";

export default pairTask(
  "bridge fund",
  (args: PairTaskArgs & { side?: string; amount?: string }) => {
    parseAmount(args.amount, 18, "amount");
    return { side: parseSide(args.side), amount: args.amount };
  },
  (pair, { side, amount }) => fundBridge(pair, side, amount, print),
);
