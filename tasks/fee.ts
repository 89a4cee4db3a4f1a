import { setFees } from "../src/fees.js";
import { parseSide } from "../src/validate.js";
import { pairTask, print } from "./run.js";
import type { PairTaskArgs } from "./run.js";

interface Args extends PairTaskArgs {
  side?: string;
  klay?: string;
  token?: string;
  amount?: string;
  receiver?: string;
}

export default pairTask(
  "bridge fee",
  (args: Args) => ({ ...args, side: parseSide(args.side) }),
  (pair, { side, klay, token, amount, receiver }) => setFees(pair, { side, klay, token, amount, receiver }, print),
);
