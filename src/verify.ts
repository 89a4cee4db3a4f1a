/**
 * `bridge verify`: proves a child-chain transaction of a pair against the anchors on its parent, then checks that
 * proof as anyone would, with the parent alone (`src/proofs/`).
 */
import { isHexString } from "ethers";

import { receiverDeployedBlock } from "./anchoring.js";
import { BridgeTaskError } from "./errors.js";
import type { ConnectedPair } from "./pair.js";
import { proveTransaction, verifyProof, type TransactionProofJson, type VerifiedTransaction } from "./proofs/index.js";

export interface TransactionVerification {
  proof: TransactionProofJson;
  verified: VerifiedTransaction;
}

/** Proves child transaction `txHash` of `pair` and verifies the proof against the parent. */
export async function verifyTransaction(pair: ConnectedPair, txHash: string): Promise<TransactionVerification> {
  if (!isHexString(txHash, 32)) throw new BridgeTaskError(`tx: "${txHash}" is not a transaction hash (0x and 64 hex digits)`);
  const receiver = pair.deployment.parent.anchoringReceiver;
  if (receiver === undefined) throw new BridgeTaskError(`pair "${pair.deployment.name}" records no anchoring receiver`);
  const proof = await proveTransaction(txHash, {
    child: pair.child.provider,
    parent: pair.parent.provider,
    receiver,
    receiverDeployedBlock: receiverDeployedBlock(pair),
    childChainId: BigInt(pair.deployment.child.chainId),
  });
  return { proof, verified: await verifyProof(proof, pair.parent.provider) };
}

/** One line per fact `verified` established, for the task's output. */
export function describeVerified(verified: VerifiedTransaction): string[] {
  const { receipt, anchor, approvals } = verified;
  return [
    `transaction ${verified.transactionHash} is in child block ${verified.blockNumber} ${verified.blockHash} (chain ${verified.childChainId}, index ${verified.transactionIndex})`,
    `receipt: ${receipt.success ? "success" : `failed (status ${receipt.status})`}, ${receipt.logs.length} log${receipt.logs.length === 1 ? "" : "s"}`,
    ...receipt.logs.map((log, index) => `  log ${index}: ${log.address} topics ${log.topics.join(" ")} data ${log.data}`),
    `anchored by the anchor of child block ${anchor.blockNumber} (blocks ${anchor.firstBlock}-${anchor.blockNumber}), accepted in parent tx ${anchor.transactionHash}`,
    `approved by ${approvals.operators} operator${approvals.operators === 1 ? "" : "s"} (${approvals.path})`,
    `checked: ${verified.headerChecked ? "block header hash, " : ""}block in the anchored range, transaction and receipt against the block's roots (${verified.mode} mode, ${verified.encoding} encoding)`,
  ];
}
