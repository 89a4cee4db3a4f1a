// Transfers handled but not paid out (failed, held), their cancellation and refund, and the transfer limits:
// `bridge status`, `bridge retry`, `bridge release` and `bridge limits`.
import { ZeroAddress, formatUnits, getAddress } from "ethers";

import { queryInChunks } from "./anchoring.js";
import type { Log } from "./connect.js";
import { sendTx } from "./connect.js";
import { KIP17Token__factory, KIP7Token__factory, TransferLimits__factory, TransferRecovery__factory } from "./contracts.js";
import type { TransferLimits, TransferRecovery } from "./contracts.js";
import { BridgeTaskError, decodeRevert, explain } from "./errors.js";
import { requireOwner } from "./pair.js";
import type { ConnectedPair } from "./pair.js";
import { CounterpartTokens, readRequestsOfTx } from "./relayer/requests.js";
import { ParkedStatus, transferContentHash } from "./relayer/recovery.js";
import { toSignedTransfer } from "./relayer/types.js";
import type { SignedTransfer } from "./signatures.js";
import { findTokenPair } from "./tokens.js";
import { parseAmountOrZero, sameAddress } from "./validate.js";
import type { Side } from "./validate.js";

const TOKEN_TYPES = ["klay", "kip7", "kip17"] as const;

function other(side: Side): Side {
  return side === "parent" ? "child" : "parent";
}

/** Where a transfer that was handled but not paid out stands. */
export type RecoveryStatus = "failed" | "held" | "cancelled" | "refunded";

export interface RecoveryEntry {
  /** The source side (where the asset left). */
  from: Side;
  requestNonce: bigint;
  status: RecoveryStatus;
  tokenType: (typeof TOKEN_TYPES)[number];
  requester: string;
  recipient: string;
  /** The destination token (zero for KLAY). */
  token: string;
  valueOrTokenId: bigint;
  /** Failed: what the recipient or token returned, decoded when known. */
  reason?: string;
  /** The destination tx that handled it. */
  handleTx: string;
  /** The destination tx that cancelled it, and the source tx that refunded it. */
  cancelTx?: string;
  refundTx?: string;
}

/** The recovery ledger of `side`'s bridge, bound to that side's signer. */
export async function recoveryOf(pair: ConnectedPair, side: Side): Promise<TransferRecovery> {
  return TransferRecovery__factory.connect(await pair.bridges[side].transferRecovery(), pair[side].signer);
}

/** The limits ledger of `side`'s bridge. */
export async function limitsOf(pair: ConnectedPair, side: Side): Promise<TransferLimits> {
  return TransferLimits__factory.connect(await pair.bridges[side].transferLimits(), pair[side].signer);
}

function describeReason(reason: string): string {
  if (reason === "0x") return "reverted without a reason";
  return decodeRevert(reason) ?? reason;
}

/**
 * The transfers of requests of `from` that the other bridge handled without paying them: failed or held there,
 * cancelled there, refunded here. Read from the destination bridge's `HandleValueTransferFailed` and `TransferHeld`
 * events, and the current state from both recovery ledgers. A transfer paid after all (retry, release) is left out.
 */
export async function recoveryTransfers(pair: ConnectedPair, from: Side): Promise<RecoveryEntry[]> {
  const to = other(from);
  const destination = pair.bridges[to];
  const fromBlock = pair.deployment[to].deployedBlock;
  const provider = pair[to].provider;
  const failed = await queryInChunks(provider, fromBlock, (start, end) =>
    destination.queryFilter(destination.filters.HandleValueTransferFailed(), start, end),
  );
  const held = await queryInChunks(provider, fromBlock, (start, end) =>
    destination.queryFilter(destination.filters.TransferHeld(), start, end),
  );
  const events = new Map<bigint, { event: (typeof failed)[number] | (typeof held)[number]; reason?: string }>();
  for (const event of [...held, ...failed].sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index)) {
    const nonce = BigInt(event.args.handleNonce);
    const reason = event.eventName === "HandleValueTransferFailed" ? describeReason(String(event.args[7])) : undefined;
    events.set(nonce, { event: events.get(nonce)?.event ?? event, ...(reason === undefined ? {} : { reason }) });
  }
  if (events.size === 0) return [];
  const destinationLedger = await recoveryOf(pair, to);
  const sourceLedger = await recoveryOf(pair, from);
  const cancels = await queryInChunks(provider, fromBlock, (start, end) =>
    destinationLedger.queryFilter(destinationLedger.filters.TransferCancelled(), start, end),
  );
  const refunds = await queryInChunks(pair[from].provider, pair.deployment[from].deployedBlock, (start, end) =>
    sourceLedger.queryFilter(sourceLedger.filters.ValueTransferRefunded(), start, end),
  );
  const entries: RecoveryEntry[] = [];
  for (const [nonce, { event, reason }] of [...events.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const [parked] = await destinationLedger.parkedTransfer(nonce);
    const state = Number(parked);
    let status: RecoveryStatus;
    if (state === ParkedStatus.Failed) status = "failed";
    else if (state === ParkedStatus.Held) status = "held";
    else if (state === ParkedStatus.Cancelled) status = (await sourceLedger.isRefunded(nonce)) ? "refunded" : "cancelled";
    else continue; // paid by a retry or a release
    const cancel = cancels.find((candidate) => BigInt(candidate.args.handleNonce) === nonce);
    const refund = refunds.find((candidate) => BigInt(candidate.args.requestNonce) === nonce);
    entries.push({
      from,
      requestNonce: nonce,
      status,
      tokenType: TOKEN_TYPES[Number(event.args.tokenType)] ?? "klay",
      requester: event.args.from,
      recipient: event.args.to,
      token: event.args.tokenAddress,
      valueOrTokenId: BigInt(event.args.valueOrTokenId),
      ...(status === "failed" && reason !== undefined ? { reason } : {}),
      handleTx: event.transactionHash,
      ...(cancel === undefined ? {} : { cancelTx: cancel.transactionHash }),
      ...(refund === undefined ? {} : { refundTx: refund.transactionHash }),
    });
  }
  return entries;
}

/** One line of a recovery entry for people. */
export function describeRecoveryEntry(entry: RecoveryEntry): string {
  const what =
    entry.tokenType === "klay"
      ? `${formatUnits(entry.valueOrTokenId, 18)} KLAY`
      : entry.tokenType === "kip17"
        ? `KIP17 #${entry.valueOrTokenId} (${entry.token})`
        : `${entry.valueOrTokenId} KIP7 base units (${entry.token})`;
  const extra =
    entry.status === "failed"
      ? `: ${entry.reason ?? "payout failed"}`
      : entry.status === "held"
        ? ": above the limits, waiting for the owner (bridge release)"
        : entry.status === "cancelled"
          ? `, cancelled in tx ${entry.cancelTx ?? "?"}, refund pending`
          : `, refunded to ${entry.requester} in tx ${entry.refundTx ?? "?"}`;
  return `  ${entry.status.toUpperCase()} nonce ${entry.requestNonce}: ${what} from ${entry.requester} to ${entry.recipient}${extra}`;
}

/**
 * The whole transfer of request `nonce` of `from` as the destination parked it: the destination's event names the
 * request tx, whose source request gives the fields the event leaves out; checked against the parked content hash.
 */
export async function findParkedTransfer(
  pair: ConnectedPair,
  from: Side,
  nonce: bigint,
): Promise<{ transfer: SignedTransfer; status: number; ledger: TransferRecovery }> {
  const to = other(from);
  const ledger = await recoveryOf(pair, to);
  const [status, hash] = await ledger.parkedTransfer(nonce);
  const state = Number(status);
  if (state === ParkedStatus.None) {
    const handled = await pair.bridges[to].isHandled(nonce);
    throw new BridgeTaskError(
      `nonce: request ${nonce} of the ${from} bridge is ${handled ? "paid, not parked" : "not handled yet"} on ${to}`,
    );
  }
  const destination = pair.bridges[to];
  const fromBlock = pair.deployment[to].deployedBlock;
  const events = [
    ...(await queryInChunks(pair[to].provider, fromBlock, (start, end) =>
      destination.queryFilter(destination.filters.HandleValueTransferFailed(), start, end),
    )),
    ...(await queryInChunks(pair[to].provider, fromBlock, (start, end) =>
      destination.queryFilter(destination.filters.TransferHeld(), start, end),
    )),
  ].filter((event) => BigInt(event.args.handleNonce) === nonce);
  if (events.length === 0) throw new BridgeTaskError(`nonce: no failed or held transfer of nonce ${nonce} on ${to}`);
  const requestTx = events[0].args.requestTxHash;
  const source = pair.bridges[from];
  const requests = await readRequestsOfTx(from, source, new CounterpartTokens(source), pair[from].provider, requestTx);
  const request = requests.find((candidate) => candidate.requestNonce === nonce);
  if (request === undefined) throw new BridgeTaskError(`nonce: request tx ${requestTx} on ${from} holds no request ${nonce}`);
  const transfer = toSignedTransfer(request);
  if (transferContentHash(transfer) !== hash) {
    throw new BridgeTaskError(`nonce: the transfer parked on ${to} under nonce ${nonce} differs from request tx ${requestTx}`);
  }
  return { transfer, status: state, ledger };
}

/** `bridge retry`: pays a failed transfer again to its recipient (anyone may). */
export async function retryFailedTransfer(pair: ConnectedPair, from: Side, nonce: bigint, log: Log): Promise<string> {
  const { transfer, status, ledger } = await findParkedTransfer(pair, from, nonce);
  const to = other(from);
  if (status !== ParkedStatus.Failed) {
    throw new BridgeTaskError(`nonce: request ${nonce} of the ${from} bridge is ${status === ParkedStatus.Held ? "held (bridge release)" : "cancelled"} on ${to}, not failed`);
  }
  try {
    await ledger.retryTransfer.estimateGas(transfer);
  } catch (error) {
    throw explain(error, `retry of nonce ${nonce} would fail`);
  }
  const receipt = await sendTx(pair[to], `TransferRecovery.retryTransfer nonce ${nonce}`, log, () => ledger.retryTransfer(transfer));
  return receipt.hash;
}

/** `bridge release`: the destination bridge's owner pays out a transfer held above the limits. */
export async function releaseHeldTransfer(pair: ConnectedPair, from: Side, nonce: bigint, log: Log): Promise<boolean> {
  const to = other(from);
  await requireOwner(pair[to], pair.bridges[to], `the ${to} bridge`);
  const { transfer, status, ledger } = await findParkedTransfer(pair, from, nonce);
  if (status !== ParkedStatus.Held) {
    throw new BridgeTaskError(`nonce: request ${nonce} of the ${from} bridge is ${status === ParkedStatus.Failed ? "failed (bridge retry)" : "cancelled"} on ${to}, not held`);
  }
  const receipt = await sendTx(pair[to], `TransferRecovery.releaseHeldTransfer nonce ${nonce}`, log, () =>
    ledger.releaseHeldTransfer(transfer),
  );
  const released = receipt.logs
    .map((entry) => {
      try {
        return ledger.interface.parseLog(entry);
      } catch {
        return null;
      }
    })
    .find((parsed) => parsed?.name === "TransferReleased");
  const paid = released?.args.paid === true;
  log(paid ? `nonce ${nonce} paid to ${transfer.to}` : `nonce ${nonce}: the payout failed; the transfer is now failed (bridge retry)`);
  return paid;
}

// ------------------------------------------------------------------ limits

export interface AssetLimits {
  side: Side;
  /** "KLAY", or the token's symbol. */
  asset: string;
  /** Zero for KLAY. */
  token: string;
  /** KLAY and KIP7: the unit's decimals; KIP17: 0 (counts of NFTs). */
  decimals: number;
  minPerTransfer: bigint;
  maxPerTransfer: bigint;
  dailyRequestLimit: bigint;
  dailyHandleLimit: bigint;
  requestedToday: bigint;
  handledToday: bigint;
}

/** KLAY ("klay") or a registered token of `side` (its address on that side, or its recorded symbol). */
export async function resolveLimitAsset(
  pair: ConnectedPair,
  side: Side,
  asset: string | undefined,
): Promise<{ token: string; asset: string; decimals: number }> {
  if (asset === undefined || asset.trim() === "") throw new BridgeTaskError("asset: required (klay, or a token address or symbol)");
  if (asset.trim().toLowerCase() === "klay") return { token: ZeroAddress, asset: "KLAY", decimals: 18 };
  const recorded = findTokenPair(pair, asset);
  let token: string;
  if (recorded !== undefined) token = recorded[side];
  else if (/^0x[0-9a-fA-F]{40}$/.test(asset.trim())) token = getAddress(asset.trim().toLowerCase());
  else throw new BridgeTaskError(`asset: ${asset} is neither klay, an address, nor a recorded token symbol`);
  const counterpart = await pair.bridges[side].registeredTokens(token);
  if (sameAddress(counterpart, ZeroAddress)) throw new BridgeTaskError(`asset: ${token} is not registered on the ${side} bridge`);
  const erc = KIP7Token__factory.connect(token, pair[side].provider);
  const isNft =
    recorded !== undefined
      ? recorded.type === "kip17"
      : await KIP17Token__factory.connect(token, pair[side].provider).supportsInterface("0x80ac58cd").catch(() => false);
  if (isNft) return { token, asset: recorded?.symbol ?? (await erc.symbol().catch(() => token)), decimals: 0 };
  const decimals = Number(await erc.decimals().catch(() => 18n));
  return { token, asset: recorded?.symbol ?? (await erc.symbol().catch(() => token)), decimals };
}

/** The limits of KLAY or a token on `side`, with what was requested and handled today. */
export async function readLimits(pair: ConnectedPair, side: Side, asset: string | undefined): Promise<AssetLimits> {
  const resolved = await resolveLimitAsset(pair, side, asset);
  const ledger = await limitsOf(pair, side);
  const [limits, requestedToday, handledToday] = await Promise.all([
    ledger.limitsOf(resolved.token),
    ledger.requestedToday(resolved.token),
    ledger.handledToday(resolved.token),
  ]);
  return {
    side,
    ...resolved,
    minPerTransfer: BigInt(limits.minPerTransfer),
    maxPerTransfer: BigInt(limits.maxPerTransfer),
    dailyRequestLimit: BigInt(limits.dailyRequestLimit),
    dailyHandleLimit: BigInt(limits.dailyHandleLimit),
    requestedToday: BigInt(requestedToday),
    handledToday: BigInt(handledToday),
  };
}

/** New limits as given on the command line: amounts in whole units ("1.5"); a missing one keeps its current value. */
export interface LimitsInput {
  min?: string;
  max?: string;
  dailyRequest?: string;
  dailyHandle?: string;
  /** All zero: no limits. */
  off?: boolean;
}

const UINT128_MAX = (1n << 128n) - 1n;

/** `bridge limits` with values: checks them (owner, registered token, min ≤ max), then `Bridge.setTransferLimits`. */
export async function setLimits(
  pair: ConnectedPair,
  side: Side,
  asset: string | undefined,
  input: LimitsInput,
  log: Log,
): Promise<AssetLimits> {
  const current = await readLimits(pair, side, asset);
  const parse = (text: string | undefined, keep: bigint, what: string) => {
    if (input.off === true) return 0n;
    if (text === undefined) return keep;
    const value = parseAmountOrZero(text, current.decimals, what);
    if (value > UINT128_MAX) throw new BridgeTaskError(`${what}: too large`);
    return value;
  };
  const min = parse(input.min, current.minPerTransfer, "min");
  const max = parse(input.max, current.maxPerTransfer, "max");
  const dailyRequest = parse(input.dailyRequest, current.dailyRequestLimit, "daily-request");
  const dailyHandle = parse(input.dailyHandle, current.dailyHandleLimit, "daily-handle");
  if (max !== 0n && min > max) {
    throw new BridgeTaskError(`min: ${formatUnits(min, current.decimals)} is above max ${formatUnits(max, current.decimals)}`);
  }
  await requireOwner(pair[side], pair.bridges[side], `the ${side} bridge`);
  await sendTx(pair[side], `Bridge.setTransferLimits ${current.asset}`, log, () =>
    pair.bridges[side].setTransferLimits(current.token, min, max, dailyRequest, dailyHandle),
  );
  return readLimits(pair, side, current.token === ZeroAddress ? "klay" : current.token);
}

/** Lines describing limits for people. */
export function describeLimits(limits: AssetLimits): string[] {
  const amount = (value: bigint) => (value === 0n ? "none" : formatUnits(value, limits.decimals));
  const off = limits.minPerTransfer === 0n && limits.maxPerTransfer === 0n && limits.dailyRequestLimit === 0n && limits.dailyHandleLimit === 0n;
  return [
    `${limits.asset} on ${limits.side}${limits.token === ZeroAddress ? "" : ` (${limits.token})`}: ${off ? "no limits" : "limited"}`,
    `  per transfer: min ${amount(limits.minPerTransfer)}, max ${amount(limits.maxPerTransfer)}`,
    `  daily: requests ${amount(limits.dailyRequestLimit)} (today ${formatUnits(limits.requestedToday, limits.decimals)}), handles ${amount(limits.dailyHandleLimit)} (today ${formatUnits(limits.handledToday, limits.decimals)})`,
  ];
}
