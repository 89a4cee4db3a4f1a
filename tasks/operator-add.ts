import { addOperator } from "../src/operators.js";
import { parseAddress } from "../src/validate.js";
import { pairTask, print } from "./run.js";
import type { PairTaskArgs } from "./run.js";

export default pairTask(
  "bridge operator add",
  (args: PairTaskArgs & { address?: string }) => parseAddress(args.address, "address"),
  (pair, operator) => addOperator(pair, operator, print),
);
