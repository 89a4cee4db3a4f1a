import { retryFailedTransfer } from "../src/recovery.js";
import { pairTask, parseTransferName, print } from "./run.js";

export default pairTask("bridge retry", parseTransferName, (pair, { from, nonce }) => retryFailedTransfer(pair, from, nonce, print));
