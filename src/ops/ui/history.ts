/**
 * Every transfer of a pair as a timeline, read from the chains' events: requested and confirmed on the source,
 * signed (per-operator votes, or the signatures of a signed batch), handled, failed with its decoded reason or held
 * on the destination, then retried, released, cancelled there and refunded on the source. The status page and its
 * API read transfers from here; the state words are those of `bridge status`.
 */
import type { Provider } from "ethers";

import { queryInChunks } from "../../anchoring.js";
import type { ConnectedPair } from "../../pair.js";
import { otherSide, type Side } from "../../protocol/transfer.js";
import { describeFailureReason, recoveryOf } from "../../recovery.js";
import { assetUnits, formatAsset, type AssetUnits } from "../../units.js";
import { batchSigners } from "./batch-signers.js";

const TOKEN_TYPES = ["klay", "kip7", "kip17"] as const;

/** The words of `bridge status`: where a transfer stands now. */
export type TransferState = "pending" | "handled" | "failed" | "held" | "cancelled" | "refunded";

export type StepKind = "requested" | "confirmed" | "signed" | "handled" | "failed" | "held" | "retried" | "released" | "cancelled" | "refunded";

/** One operator's part in a transfer: its vote transaction, or its signature in a signed batch. */
export interface Signature {
  operator: string;
  txHash: string;
  time: number;
}

export interface Step {
  kind: StepKind;
  /** The chain it happened on. */
  side: Side;
  block: number;
  /** Unix seconds of the block. */
  time: number;
  txHash?: string;
  /** Failed: the decoded reason. Confirmed: the blocks counted. Retried: who paid. */
  detail?: string;
  /** Signed: the operators, each with its transaction. */
  signatures?: Signature[];
  /** Handled, failed or held: the account that sent the transaction. */
  sender?: string;
}

export interface TransferView {
  /** `parent:3`: the source side and the request nonce, as the search box takes it. */
  id: string;
  from: Side;
  to: Side;
  nonce: string;
  state: TransferState;
  /** Pending while a later request of the same side was handled already: it needs re-relaying. */
  missing: boolean;
  tokenType: (typeof TOKEN_TYPES)[number];
  requester: string;
  recipient: string;
  /** The amount in units with its symbol: `250.0 DMT`, `2.0 KLAY`, `ART #7`. */
  amount: string;
  requestTx: string;
  requestedAt: number;
  /** Failed: why the payout failed (the last failure). */
  reason?: string;
  steps: Step[];
}

/** Block times stay the same once read: one cache per server, keyed by block hash. */
export class BlockTimes {
  readonly #times = new Map<string, number>();

  async of(provider: Provider, blockHash: string): Promise<number> {
    const known = this.#times.get(blockHash);
    if (known !== undefined) return known;
    const block = await provider.getBlock(blockHash);
    const time = block?.timestamp ?? 0;
    this.#times.set(blockHash, time);
    return time;
  }
}

interface EventAt {
  blockNumber: number;
  blockHash: string;
  transactionHash: string;
  index: number;
}

/** The events of the transfers of `from`'s requests, on both chains, from each contract's deployment. */
async function readEvents(pair: ConnectedPair, from: Side) {
  const to = otherSide(from);
  const source = pair.bridges[from];
  const destination = pair.bridges[to];
  const [sourceLedger, destinationLedger] = await Promise.all([recoveryOf(pair, from), recoveryOf(pair, to)]);
  const onSource = <T>(query: (start: number, end: number) => Promise<T[]>) =>
    queryInChunks(pair[from].provider, pair.deployment[from].deployedBlock, query);
  const onDestination = <T>(query: (start: number, end: number) => Promise<T[]>) =>
    queryInChunks(pair[to].provider, pair.deployment[to].deployedBlock, query);
  const [plain, encoded, refunded, handled, failed, held, votes, retried, released, cancelled] = await Promise.all([
    onSource((s, e) => source.queryFilter(source.filters.RequestValueTransfer(), s, e)),
    onSource((s, e) => source.queryFilter(source.filters.RequestValueTransferEncoded(), s, e)),
    onSource((s, e) => sourceLedger.queryFilter(sourceLedger.filters.ValueTransferRefunded(), s, e)),
    onDestination((s, e) => destination.queryFilter(destination.filters.HandleValueTransfer(), s, e)),
    onDestination((s, e) => destination.queryFilter(destination.filters.HandleValueTransferFailed(), s, e)),
    onDestination((s, e) => destination.queryFilter(destination.filters.TransferHeld(), s, e)),
    onDestination((s, e) => destination.queryFilter(destination.filters.VoteCast(0), s, e)),
    onDestination((s, e) => destinationLedger.queryFilter(destinationLedger.filters.TransferRetried(), s, e)),
    onDestination((s, e) => destinationLedger.queryFilter(destinationLedger.filters.TransferReleased(), s, e)),
    onDestination((s, e) => destinationLedger.queryFilter(destinationLedger.filters.TransferCancelled(), s, e)),
  ]);
  const requests = [...plain, ...encoded].filter((event) => "args" in event && event.args !== undefined);
  return { requests, refunded, handled, failed, held, votes, retried, released, cancelled };
}

function byNonce<T extends { args: unknown }>(events: T[], nonceOf: (event: T) => bigint): Map<bigint, T[]> {
  const map = new Map<bigint, T[]>();
  for (const event of events) {
    const nonce = nonceOf(event);
    map.set(nonce, [...(map.get(nonce) ?? []), event]);
  }
  return map;
}

/** What a handle, failure, retry, release, cancellation or refund changes the state to. */
const STATE_AFTER: Partial<Record<StepKind, TransferState>> = {
  handled: "handled",
  failed: "failed",
  held: "held",
  retried: "handled",
  cancelled: "cancelled",
  refunded: "refunded",
};

/** Every transfer requested on `from`, oldest first, with its timeline. */
export async function transferViews(pair: ConnectedPair, from: Side, times: BlockTimes): Promise<TransferView[]> {
  const to = otherSide(from);
  const events = await readEvents(pair, from);
  const upper = BigInt(await pair.bridges[to].upperHandleNonce());
  const sourceHead = await pair[from].provider.getBlockNumber();
  const waitBlocks = Math.max(pair[from].confirmations - 1, 0);
  const units = new Map<string, Promise<AssetUnits>>();
  const unitsOf = (kind: (typeof TOKEN_TYPES)[number], token: string) => {
    const key = `${kind}:${token.toLowerCase()}`;
    if (!units.has(key)) units.set(key, assetUnits(pair, from, kind, token));
    return units.get(key)!;
  };
  const at = async (side: Side, event: EventAt) => ({
    side,
    block: event.blockNumber,
    time: await times.of(pair[side].provider, event.blockHash),
    txHash: event.transactionHash,
  });
  const handleNonce = (event: { args: { handleNonce: bigint } }) => BigInt(event.args.handleNonce);
  const handled = byNonce(events.handled, handleNonce);
  const failed = byNonce(events.failed, handleNonce);
  const held = byNonce(events.held, handleNonce);
  const cancelled = byNonce(events.cancelled, handleNonce);
  const retried = byNonce(events.retried, handleNonce);
  const released = byNonce(events.released, handleNonce);
  const votes = byNonce(events.votes, (event) => BigInt(event.args.nonce));
  const refunded = byNonce(events.refunded, (event) => BigInt(event.args.requestNonce));
  const batches = new Map<string, ReturnType<typeof batchSigners>>();

  const views: TransferView[] = [];
  for (const request of events.requests.sort((a, b) => (a.args.requestNonce < b.args.requestNonce ? -1 : 1))) {
    const nonce = BigInt(request.args.requestNonce);
    const tokenType = TOKEN_TYPES[Number(request.args.tokenType)] ?? "klay";
    const requested = await at(from, request);
    const steps: Step[] = [{ kind: "requested", ...requested }];
    const confirmedBlock = request.blockNumber + waitBlocks;
    if (confirmedBlock <= sourceHead) {
      const time = waitBlocks === 0 ? requested.time : ((await pair[from].provider.getBlock(confirmedBlock))?.timestamp ?? requested.time);
      steps.push({
        kind: "confirmed",
        side: from,
        block: confirmedBlock,
        time,
        detail: `${waitBlocks + 1} block${waitBlocks === 0 ? "" : "s"} on ${from}`,
      });
    }
    const voteSignatures = await Promise.all(
      (votes.get(nonce) ?? []).map(async (vote) => ({ operator: vote.args.operator, ...(await at(to, vote)) })),
    );
    // on the destination, in the order the chain ran them; a refund on the source comes after its cancellation
    const destinationEvents = [...(handled.get(nonce) ?? []), ...(failed.get(nonce) ?? []), ...(held.get(nonce) ?? []),
      ...(retried.get(nonce) ?? []), ...(released.get(nonce) ?? []), ...(cancelled.get(nonce) ?? [])]
      .sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
    const outcomes: Step[] = [];
    let reason: string | undefined;
    for (const event of destinationEvents) {
      const where = await at(to, event);
      if (event.eventName === "TransferRetried") {
        outcomes.push({ kind: "retried", ...where, detail: `paid, retried by ${String(argsOf(event).caller)}` });
      } else if (event.eventName === "TransferReleased") {
        outcomes.push({ kind: "released", ...where, detail: argsOf(event).paid === true ? "paid" : "its payout failed" });
      } else if (event.eventName === "TransferCancelled") {
        outcomes.push({ kind: "cancelled", ...where });
      } else {
        const kind: StepKind = event.eventName === "HandleValueTransfer" ? "handled" : event.eventName === "TransferHeld" ? "held" : "failed";
        const detail = kind === "failed" ? describeFailureReason(String(argsOf(event).reason)) : undefined;
        if (detail !== undefined) reason = detail;
        // a signed batch names its signers in its calldata; its sender is an operator too
        if (!batches.has(event.transactionHash)) batches.set(event.transactionHash, batchSigners(pair, to, event.transactionHash));
        const batch = await batches.get(event.transactionHash)!;
        if (voteSignatures.length === 0) voteSignatures.push(...batch.signers.map((operator) => ({ operator, ...where })));
        outcomes.push({ kind, ...where, ...(detail === undefined ? {} : { detail }), ...(batch.sender === undefined ? {} : { sender: batch.sender }) });
      }
    }
    for (const event of refunded.get(nonce) ?? []) {
      outcomes.push({ kind: "refunded", ...(await at(from, event)), detail: `to ${event.args.from}` });
    }
    if (voteSignatures.length > 0) {
      const last = voteSignatures.reduce((a, b) => (b.time > a.time ? b : a));
      steps.push({
        kind: "signed",
        side: to,
        block: last.block,
        time: last.time,
        signatures: voteSignatures.map(({ operator, txHash, time }) => ({ operator, txHash, time })),
      });
    }
    steps.push(...outcomes);
    let state: TransferState = "pending";
    for (const step of outcomes) {
      if (step.kind === "released") state = step.detail === "paid" ? "handled" : "failed";
      else state = STATE_AFTER[step.kind] ?? state;
    }
    const amount = formatAsset(BigInt(request.args.valueOrTokenId), await unitsOf(tokenType, request.args.tokenAddress));
    views.push({
      id: `${from}:${nonce}`,
      from,
      to,
      nonce: nonce.toString(),
      state,
      missing: state === "pending" && nonce < upper,
      tokenType,
      requester: request.args.from,
      recipient: request.args.to,
      amount,
      requestTx: request.transactionHash,
      requestedAt: requested.time,
      ...(state === "failed" && reason !== undefined ? { reason } : {}),
      steps,
    });
  }
  return views;
}

/** Both directions' transfers: parent's requests, then the child's. */
export async function allTransferViews(pair: ConnectedPair, times: BlockTimes): Promise<TransferView[]> {
  const [parent, child] = await Promise.all([transferViews(pair, "parent", times), transferViews(pair, "child", times)]);
  return [...parent, ...child];
}

/** An event's arguments by name (ethers' `Result` answers named reads, not `in`). */
function argsOf(event: { args: object }): Record<string, unknown> {
  return event.args as Record<string, unknown>;
}
