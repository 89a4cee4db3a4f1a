import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { BridgeTaskError } from "../src/errors.js";
import { openPair } from "../src/hardhat/open-pair.js";
import { describeVerified, verifyTransaction } from "../src/verify.js";
import { print, runTask } from "./run.js";

const asJson = (value: unknown) => JSON.stringify(value, (_key, field: unknown) => (typeof field === "bigint" ? field.toString() : field), 2);

export default async function (args: { pair?: string; tx?: string; json: boolean }, hre: HardhatRuntimeEnvironment) {
  return runTask("bridge verify", hre, async () => {
    if (args.tx === undefined) throw new BridgeTaskError("tx: the child transaction hash is required (--tx 0x…)");
    const pair = await openPair(hre, args.pair);
    const result = await verifyTransaction(pair, args.tx);
    if (args.json) print(asJson({ verified: result.verified, proof: result.proof }));
    else for (const line of describeVerified(result.verified)) print(line);
    return result;
  });
}
