import { BridgeTaskError } from "../src/errors.js";
import { describeLimits, readLimits, setLimits } from "../src/limits.js";
import { parseSide, required } from "../src/validate.js";
import { pairTask, print } from "./run.js";
import type { PairTaskArgs } from "./run.js";

interface Args extends PairTaskArgs {
  side?: string;
  asset?: string;
  min?: string;
  max?: string;
  dailyRequest?: string;
  dailyHandle?: string;
  off: boolean;
  json: boolean;
}

export default pairTask(
  "bridge limits",
  (args: Args) => {
    const side = parseSide(args.side);
    const asset = required(args.asset, "asset");
    const values = [args.min, args.max, args.dailyRequest, args.dailyHandle];
    if (args.off && values.some((value) => value !== undefined)) {
      throw new BridgeTaskError("off: give either --off or limit values, not both");
    }
    for (const [value, what] of [[args.min, "min"], [args.max, "max"], [args.dailyRequest, "daily-request"], [args.dailyHandle, "daily-handle"]] as const) {
      if (value !== undefined && !/^\d+(\.\d+)?$/.test(value.trim())) {
        throw new BridgeTaskError(`${what}: "${value}" is not a decimal number >= 0`);
      }
    }
    return { ...args, side, asset, setting: args.off || values.some((value) => value !== undefined) };
  },
  async (pair, { side, asset, setting, min, max, dailyRequest, dailyHandle, off, json }) => {
    const limits = setting
      ? await setLimits(pair, side, asset, { min, max, dailyRequest, dailyHandle, off }, print)
      : await readLimits(pair, side, asset);
    if (json) print(JSON.stringify(limits, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value), 2));
    else for (const line of describeLimits(limits)) print(line);
    return limits;
  },
);
