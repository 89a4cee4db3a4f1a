import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { BridgeTaskError } from "../src/errors.js";
import { openPair } from "../src/hardhat/open-pair.js";
import { requestTransfer } from "../src/transfer.js";
import { parsePairName, parseSide, required } from "../src/validate.js";
import { print, runTask } from "./run.js";

interface Args {
  signer?: string;
  pair?: string;
  from?: string;
  asset?: string;
  to?: string;
  amount?: string;
  tokenId?: string;
  feeLimit?: string;
}

export default async function (args: Args, hre: HardhatRuntimeEnvironment) {
  return runTask("bridge transfer", hre, async () => {
    parsePairName(args.pair, "pair");
    const from = parseSide(args.from, "from");
    const asset = required(args.asset, "asset");
    if (args.amount === undefined && args.tokenId === undefined) throw new BridgeTaskError("pass --amount (KLAY, KIP7) or --token-id (KIP17)");
    const pair = await openPair(hre, args.pair, { signer: args.signer });
    return requestTransfer(pair, { from, asset, to: args.to, amount: args.amount, tokenId: args.tokenId, feeLimit: args.feeLimit }, print);
  });
}
