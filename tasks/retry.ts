import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { openPair } from "../src/hardhat/open-pair.js";
import { retryFailedTransfer } from "../src/recovery.js";
import { parseInteger, parsePairName, parseSide } from "../src/validate.js";
import { print, runTask } from "./run.js";

export default async function (args: { signer?: string; pair?: string; from?: string; nonce?: string }, hre: HardhatRuntimeEnvironment) {
  return runTask("bridge retry", hre, async () => {
    parsePairName(args.pair, "pair");
    const from = parseSide(args.from, "from");
    const nonce = parseInteger(args.nonce, "nonce", { max: 2n ** 64n - 1n });
    const pair = await openPair(hre, args.pair, { signer: args.signer });
    return retryFailedTransfer(pair, from, nonce, print);
  });
}
