import { removeOperator } from "../src/operators.js";
import { parseAddress } from "../src/validate.js";
import { pairTask, print } from "./run.js";
import type { PairTaskArgs } from "./run.js";

export default pairTask(
  "bridge operator remove",
  (args: PairTaskArgs & { address?: string }) => parseAddress(args.address, "address"),
  (pair, operator) => removeOperator(pair, operator, print),
);
