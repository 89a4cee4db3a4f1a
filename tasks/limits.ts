import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { BridgeTaskError } from "../src/errors.js";
import { openPair } from "../src/hardhat/open-pair.js";
import { describeLimits, readLimits, setLimits } from "../src/limits.js";
import { required, parsePairName, parseSide } from "../src/validate.js";
import { print, runTask } from "./run.js";

interface Args {
  signer?: string;
  pair?: string;
  side?: string;
  asset?: string;
  min?: string;
  max?: string;
  dailyRequest?: string;
  dailyHandle?: string;
  off: boolean;
  json: boolean;
}

export default async function (args: Args, hre: HardhatRuntimeEnvironment) {
  return runTask("bridge limits", hre, async () => {
    parsePairName(args.pair, "pair");
    const side = parseSide(args.side);
    required(args.asset, "asset");
    const values = [args.min, args.max, args.dailyRequest, args.dailyHandle];
    const setting = args.off || values.some((value) => value !== undefined);
    if (args.off && values.some((value) => value !== undefined)) {
      throw new BridgeTaskError("off: give either --off or limit values, not both");
    }
    for (const [value, what] of [[args.min, "min"], [args.max, "max"], [args.dailyRequest, "daily-request"], [args.dailyHandle, "daily-handle"]] as const) {
      if (value !== undefined && !/^\d+(\.\d+)?$/.test(value.trim())) {
        throw new BridgeTaskError(`${what}: "${value}" is not a decimal number >= 0`);
      }
    }
    const pair = await openPair(hre, args.pair, { signer: args.signer });
    const limits = setting
      ? await setLimits(pair, side, args.asset, { min: args.min, max: args.max, dailyRequest: args.dailyRequest, dailyHandle: args.dailyHandle, off: args.off }, print)
      : await readLimits(pair, side, args.asset);
    if (args.json) print(JSON.stringify(limits, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value), 2));
    else for (const line of describeLimits(limits)) print(line);
    return limits;
  });
}
