import { setThreshold } from "../src/operators.js";
import { parseInteger, parseVoteType } from "../src/validate.js";
import { pairTask, print } from "./run.js";
import type { PairTaskArgs } from "./run.js";

export default pairTask(
  "bridge threshold",
  (args: PairTaskArgs & { value?: string; voteType?: string }) => ({
    value: Number(parseInteger(args.value, "value", { min: 1n, max: 12n })),
    voteType: parseVoteType(args.voteType ?? "transfer"),
  }),
  (pair, { value, voteType }) => setThreshold(pair, voteType, value, print),
);
