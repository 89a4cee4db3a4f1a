import { releaseHeldTransfer } from "../src/recovery.js";
import { pairTask, parseTransferName, print } from "./run.js";

export default pairTask("bridge release", parseTransferName, (pair, { from, nonce }) => releaseHeldTransfer(pair, from, nonce, print));
