import type { Log } from "./connect.js";
import type { AnchorData } from "./protocol/anchor.js";
import { sendTx } from "./connect.js";
import { anchorPeriodOf } from "./deployments.js";
import { VoteType } from "./protocol/constants.js";
import { readAnchor as childAnchor, submitAnchorArgs } from "./protocol/anchor.js";
import { BridgeTaskError } from "./errors.js";
import { requireOperator, type ConnectedPair } from "./pair.js";
import { acceptedAnchors, anchorFromEvent, queryInChunks } from "./proofs/anchors.js";

export { queryInChunks };

export type { AnchorData } from "./protocol/anchor.js";

export interface AnchorResult {
  anchor: AnchorData;
  /** Whether the anchor is accepted now (threshold reached), or only this operator's vote is recorded. */
  accepted: boolean;
  txHash: string;
}

/** The latest anchored block, or undefined when nothing is anchored yet. */
export async function latestAnchor(pair: ConnectedPair): Promise<bigint | undefined> {
  if (!(await pair.anchoringReceiver.hasAnyAnchor())) return undefined;
  return pair.anchoringReceiver.latestAnchoredBlock();
}

/** Reads child block `blockNumber` (default: the latest) and builds its anchor (`src/protocol/anchor.ts`). */
export async function buildAnchor(pair: ConnectedPair, blockNumber?: bigint): Promise<AnchorData> {
  const head = BigInt(await pair.child.provider.getBlockNumber());
  const target = blockNumber ?? head;
  if (target > head) throw new BridgeTaskError(`block: ${target} is beyond the child chain's latest block ${head}`);
  const previous = await latestAnchor(pair);
  if (await pair.anchoringReceiver.isAnchored(target)) throw new BridgeTaskError(`block: child block ${target} is anchored already`);
  if (previous !== undefined && target < previous) {
    throw new BridgeTaskError(`block: ${target} is before the latest anchored block ${previous}; anchors go forward`);
  }
  // the one anchor of this block: the pair's anchor period ending at it, as every operator's relayer computes it
  return childAnchor(pair.child.provider, target, BigInt(anchorPeriodOf(pair.deployment)));
}

/** `bridge anchor`: submits this operator's anchor vote for one child block. */
export async function anchorBlock(pair: ConnectedPair, blockNumber: bigint | undefined, log: Log): Promise<AnchorResult> {
  await requireOperator(pair.parent, pair.anchoringReceiver, "AnchoringReceiver");
  const anchor = await buildAnchor(pair, blockNumber);
  const receipt = await sendTx(pair.parent, `AnchoringReceiver.submitAnchor(child block ${anchor.blockNumber} ${anchor.blockHash})`, log, () =>
    pair.anchoringReceiver.submitAnchor(...submitAnchorArgs(anchor)),
  );
  const accepted = await pair.anchoringReceiver.isAnchored(anchor.blockNumber);
  if (accepted) {
    log(`child block ${anchor.blockNumber} anchored (${anchor.blockCount} blocks, ${anchor.txCount} transactions: the pair's anchor period ending at it)`);
  } else {
    const threshold = await pair.anchoringReceiver.operatorThresholds(VoteType.ValueTransfer);
    log(`vote recorded; child block ${anchor.blockNumber} is anchored when ${threshold} operators submitted it`);
  }
  return { anchor, accepted, txHash: receipt.hash };
}

/** The parent block the pair's anchoring receiver was deployed at: where its events start. */
export function receiverDeployedBlock(pair: ConnectedPair): number {
  return pair.deployment.parent.anchoringReceiverDeployedBlock ?? pair.deployment.parent.deployedBlock;
}

/** The accepted anchor of one child block (from its event, verified against the stored commitment), or undefined. */
export async function readAnchor(pair: ConnectedPair, blockNumber: bigint): Promise<AnchorData | undefined> {
  const receiver = pair.anchoringReceiver;
  if (!(await receiver.isAnchored(blockNumber))) return undefined;
  const events = await queryInChunks(pair.parent.provider, receiverDeployedBlock(pair), (from, to) =>
    receiver.queryFilter(receiver.filters.AnchorAccepted(blockNumber), from, to),
  );
  // the receiver stores one commitment (EIP-712 struct hash) per anchored block; the event's content is checked against it
  for (const event of events) {
    const anchor = anchorFromEvent(event);
    if (await receiver.verifyAnchor(anchor)) return anchor;
  }
  return undefined;
}

/** `bridge anchors`: every accepted anchor, from the AnchorAccepted events since the receiver was deployed. */
export async function listAnchors(pair: ConnectedPair): Promise<AnchorData[]> {
  return (await acceptedAnchors(pair.anchoringReceiver, receiverDeployedBlock(pair))).map(({ anchor }) => anchor);
}
