/**
 * The anchors a proof rests on, read from the parent chain alone: the accepted anchor whose range holds a child
 * block, and how many operators approved an anchor (the signatures its submission carried, or the operators' votes).
 */
import { TypedDataEncoder } from "ethers";
import type { Provider } from "ethers";

import type { AnchorAcceptedEvent } from "../../types/ethers-contracts/anchoring/AnchoringReceiver.js";
import { AnchoringReceiver__factory } from "../contracts.js";
import type { AnchoringReceiver } from "../contracts.js";
import { BridgeTaskError } from "../errors.js";
import { ANCHOR_TYPES, type AnchorData } from "../protocol/anchor.js";
import { VoteType } from "../protocol/constants.js";

/** Log queries over long ranges, in chunks public RPC nodes accept. */
export async function queryInChunks<T>(
  provider: Provider,
  fromBlock: number,
  query: (from: number, to: number) => Promise<T[]>,
  chunk = 10_000,
  toBlock?: number,
): Promise<T[]> {
  const head = toBlock ?? (await provider.getBlockNumber());
  const results: T[] = [];
  for (let start = fromBlock; start <= head; start += chunk) {
    results.push(...(await query(start, Math.min(head, start + chunk - 1))));
  }
  return results;
}

/** An accepted anchor and the parent transaction that accepted it. */
export interface AcceptedAnchor {
  anchor: AnchorData;
  transactionHash: string;
  parentBlockNumber: number;
}


/** The anchor an `AnchorAccepted` event carries. */
export function anchorFromEvent(event: AnchorAcceptedEvent.Log): AnchorData {
  const args = event.args;
  return {
    blockNumber: args.blockNumber,
    blockHash: args.blockHash,
    parentHash: args.parentHash,
    transactionsRoot: args.transactionsRoot,
    receiptsRoot: args.receiptsRoot,
    stateRoot: args.stateRoot,
    blocksRoot: args.blocksRoot,
    blockCount: args.blockCount,
    txCount: args.txCount,
  };
}

/** The receiver's accepted anchors since `fromBlock`, each checked against the commitment it stores. */
export async function acceptedAnchors(receiver: AnchoringReceiver, fromBlock: number): Promise<AcceptedAnchor[]> {
  const provider = receiver.runner?.provider;
  if (provider === null || provider === undefined) throw new Error("the anchoring receiver has no provider");
  const events = await queryInChunks(provider, fromBlock, (from, to) =>
    receiver.queryFilter(receiver.filters.AnchorAccepted(), from, to),
  );
  const anchors: AcceptedAnchor[] = [];
  for (const event of events) {
    const anchor = anchorFromEvent(event);
    if (await receiver.verifyAnchor(anchor)) {
      anchors.push({ anchor, transactionHash: event.transactionHash, parentBlockNumber: event.blockNumber });
    }
  }
  return anchors.sort((a, b) => (a.anchor.blockNumber < b.anchor.blockNumber ? -1 : 1));
}

/** The first block of an anchor's range. */
export const rangeStart = (anchor: AnchorData) => anchor.blockNumber - anchor.blockCount + 1n;

/**
 * The accepted anchor whose range holds child block `blockNumber`. Refuses, in one line, a block after the latest
 * anchor ("not anchored yet") and a block that no anchored range covers.
 */
export async function anchorOfBlock(receiver: AnchoringReceiver, fromBlock: number, blockNumber: bigint): Promise<AcceptedAnchor> {
  if (!(await receiver.hasAnyAnchor())) throw new BridgeTaskError(`child block ${blockNumber} is not anchored yet: no anchor was accepted`);
  const latest = await receiver.latestAnchoredBlock();
  if (blockNumber > latest) {
    throw new BridgeTaskError(`child block ${blockNumber} is not anchored yet: the latest anchor ends at child block ${latest}`);
  }
  const covering = (await acceptedAnchors(receiver, fromBlock)).find(
    ({ anchor }) => rangeStart(anchor) <= blockNumber && blockNumber <= anchor.blockNumber,
  );
  if (covering === undefined) throw new BridgeTaskError(`child block ${blockNumber} is in no anchored range (anchors skipped it)`);
  return covering;
}

/** How the operators approved an anchor: the signatures its submission carried, or their votes. */
export interface Approval {
  path: "signatures" | "votes";
  operators: number;
}

/** How many operators approved `accepted`, from its acceptance transaction (and, for votes, the votes before it). */
export async function approvalOf(receiver: AnchoringReceiver, fromBlock: number, accepted: AcceptedAnchor): Promise<Approval> {
  const provider = receiver.runner?.provider;
  if (provider === null || provider === undefined) throw new Error("the anchoring receiver has no provider");
  const tx = await provider.getTransaction(accepted.transactionHash);
  if (tx === null) throw new BridgeTaskError(`the anchoring transaction ${accepted.transactionHash} is not on the parent chain`);
  const iface = AnchoringReceiver__factory.createInterface();
  const call = iface.parseTransaction({ data: tx.data });
  if (call?.name === "submitSignedAnchors") {
    const anchors = call.args[0] as { blockNumber: bigint }[];
    const index = anchors.findIndex((anchor) => anchor.blockNumber === accepted.anchor.blockNumber);
    const signatures = String((call.args[1] as string[])[index]);
    return { path: "signatures", operators: (signatures.length - 2) / 130 };
  }
  const contentHash = TypedDataEncoder.hashStruct("Anchor", ANCHOR_TYPES, accepted.anchor);
  const votes = await queryInChunks(
    provider,
    fromBlock,
    (from, to) => receiver.queryFilter(receiver.filters.VoteCast(VoteType.ValueTransfer, accepted.anchor.blockNumber), from, to),
    10_000,
    accepted.parentBlockNumber,
  );
  const voters = new Set(votes.filter((vote) => vote.args.contentHash === contentHash).map((vote) => vote.args.operator));
  return { path: "votes", operators: voters.size };
}

/** The receiver at `address` on `provider`, read-only. */
export function readReceiver(address: string, provider: Provider): AnchoringReceiver {
  return AnchoringReceiver__factory.connect(address, provider);
}
