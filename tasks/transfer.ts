import { BridgeTaskError } from "../src/errors.js";
import { requestTransfer } from "../src/transfer.js";
import { parseSide, required } from "../src/validate.js";
import { pairTask, print } from "./run.js";
import type { PairTaskArgs } from "./run.js";

interface Args extends PairTaskArgs {
  from?: string;
  asset?: string;
  to?: string;
  amount?: string;
  tokenId?: string;
  feeLimit?: string;
}

export default pairTask(
  "bridge transfer",
  (args: Args) => {
    const from = parseSide(args.from, "from");
    const asset = required(args.asset, "asset");
    if (args.amount === undefined && args.tokenId === undefined) throw new BridgeTaskError("pass --amount (KLAY, KIP7) or --token-id (KIP17)");
    return { from, asset, to: args.to, amount: args.amount, tokenId: args.tokenId, feeLimit: args.feeLimit };
  },
  (pair, request) => requestTransfer(pair, request, print),
);
