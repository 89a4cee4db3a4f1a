/**
 * Transfer limits of a pair's bridges (`bridge limits`), read and set through each bridge's `TransferLimits` ledger,
 * and the checks `bridge transfer` makes against them before it sends anything.
 */
import { ZeroAddress, formatUnits, getAddress } from "ethers";

import type { Log } from "./connect.js";
import { sendTx } from "./connect.js";
import { KIP17Token__factory, KIP7Token__factory, TransferLimits__factory } from "./contracts.js";
import type { TransferLimits } from "./contracts.js";
import { BridgeTaskError } from "./errors.js";
import { requireOwner } from "./pair.js";
import type { ConnectedPair } from "./pair.js";
import { ERC721_INTERFACE_ID } from "./protocol/constants.js";
import { findTokenPair } from "./tokens.js";
import { formatAmount } from "./units.js";
import { parseAmountOrZero, sameAddress } from "./validate.js";
import type { Side } from "./validate.js";

/** The limits ledger of `side`'s bridge. */
export async function limitsOf(pair: ConnectedPair, side: Side): Promise<TransferLimits> {
  return TransferLimits__factory.connect(await pair.bridges[side].transferLimits(), pair[side].signer);
}

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
      : await KIP17Token__factory.connect(token, pair[side].provider).supportsInterface(ERC721_INTERFACE_ID).catch(() => false);
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
    throw new BridgeTaskError(`min: ${formatUnits(min, current.decimals)} ${current.asset} is above max ${formatUnits(max, current.decimals)} ${current.asset}`);
  }
  await requireOwner(pair[side], pair.bridges[side], `the ${side} bridge`);
  await sendTx(pair[side], `Bridge.setTransferLimits ${current.asset}`, log, () =>
    pair.bridges[side].setTransferLimits(current.token, min, max, dailyRequest, dailyHandle),
  );
  return readLimits(pair, side, current.token === ZeroAddress ? "klay" : current.token);
}

/** Lines describing limits for people. */
export function describeLimits(limits: AssetLimits): string[] {
  const unit = limits.decimals === 0 ? `${limits.asset} NFT(s)` : limits.asset;
  const inUnits = (value: bigint) => formatAmount(value, limits.decimals, unit);
  const amount = (value: bigint) => (value === 0n ? "none" : inUnits(value));
  const off = limits.minPerTransfer === 0n && limits.maxPerTransfer === 0n && limits.dailyRequestLimit === 0n && limits.dailyHandleLimit === 0n;
  return [
    `${limits.asset} on ${limits.side}${limits.token === ZeroAddress ? "" : ` (${limits.token})`}: ${off ? "no limits" : "limited"}`,
    `  per transfer: min ${amount(limits.minPerTransfer)}, max ${amount(limits.maxPerTransfer)}`,
    `  daily: requests ${amount(limits.dailyRequestLimit)} (today ${inUnits(limits.requestedToday)}), handles ${amount(limits.dailyHandleLimit)} (today ${inUnits(limits.handledToday)})`,
  ];
}

/** One asset of a transfer about to be requested, as the limit checks see it. */
export interface LimitedAsset {
  /** The token on the source side (zero: KLAY). */
  sourceToken: string;
  /** The token on the destination side (zero: KLAY). */
  destinationToken: string;
  /** What counts against the limits: the amount, or 1 for an NFT. */
  amount: bigint;
  decimals: number;
  symbol: string;
}

/**
 * Checks a transfer against the source bridge's request limits before anything is sent: one error line in units,
 * naming the limit, when the source would refuse it. Returns a warning when the destination's handle limits will hold
 * it (paid only once its owner releases it), else undefined.
 */
export async function checkTransferLimits(pair: ConnectedPair, from: Side, asset: LimitedAsset): Promise<string | undefined> {
  const to: Side = from === "parent" ? "child" : "parent";
  const units = (value: bigint) => formatAmount(value, asset.decimals, asset.symbol);
  const source = await limitsOf(pair, from);
  const [limits, requestedToday] = await Promise.all([source.limitsOf(asset.sourceToken), source.requestedToday(asset.sourceToken)]);
  const min = BigInt(limits.minPerTransfer);
  const max = BigInt(limits.maxPerTransfer);
  const daily = BigInt(limits.dailyRequestLimit);
  const what = asset.decimals === 0 ? "token-id" : "amount";
  if (asset.amount < min) {
    throw new BridgeTaskError(`${what}: ${units(asset.amount)} is below the ${from} bridge's minimum per transfer, ${units(min)}`);
  }
  if (max !== 0n && asset.amount > max) {
    throw new BridgeTaskError(`${what}: ${units(asset.amount)} is above the ${from} bridge's maximum per transfer, ${units(max)}`);
  }
  if (daily !== 0n && BigInt(requestedToday) + asset.amount > daily) {
    const left = daily > BigInt(requestedToday) ? daily - BigInt(requestedToday) : 0n;
    throw new BridgeTaskError(
      `${what}: ${units(asset.amount)} would pass the ${from} bridge's daily request limit of ${units(daily)} ` +
        `(${units(BigInt(requestedToday))} requested today, ${units(left)} left; the limit resets at 00:00 UTC)`,
    );
  }
  const breach = await handleLimitBreach(pair, to, asset.destinationToken, asset.amount);
  if (breach?.limit === "max") {
    return `warning: ${units(asset.amount)} is above the ${to} bridge's maximum per transfer (${units(breach.value)}): it will be held there until the ${to} bridge's owner releases it (bridge release)`;
  }
  if (breach?.limit === "daily") {
    return `warning: the ${to} bridge paid out ${units(breach.usedToday)} of its daily limit of ${units(breach.value)} today: this transfer will be held there until its owner releases it (bridge release)`;
  }
  return undefined;
}

/**
 * Which handle limit of `side`'s bridge paying `amount` of `token` (zero: KLAY) out now would break, as the bridge
 * decides it (`TransferLimits.consumeHandle`): above the maximum per transfer, or past today's handle limit.
 */
async function handleLimitBreach(
  pair: ConnectedPair,
  side: Side,
  token: string,
  amount: bigint,
): Promise<{ limit: "max" | "daily"; value: bigint; usedToday: bigint } | undefined> {
  const ledger = await limitsOf(pair, side);
  const [limits, handledToday] = await Promise.all([ledger.limitsOf(token), ledger.handledToday(token)]);
  const max = BigInt(limits.maxPerTransfer);
  const daily = BigInt(limits.dailyHandleLimit);
  const usedToday = BigInt(handledToday);
  if (max !== 0n && amount > max) return { limit: "max", value: max, usedToday };
  if (daily !== 0n && usedToday + amount > daily) return { limit: "daily", value: daily, usedToday };
  return undefined;
}

/**
 * Why paying `amount` of `token` (zero: KLAY) out of `side`'s bridge now would break its handle limits (a retry or a
 * refund counts against them, and reverts beyond them), in units, with what to do; undefined when it fits.
 */
export async function handleLimitProblem(
  pair: ConnectedPair,
  side: Side,
  token: string,
  amount: bigint,
  units: { decimals: number; symbol: string },
): Promise<string | undefined> {
  const breach = await handleLimitBreach(pair, side, token, amount);
  if (breach === undefined) return undefined;
  const shown = (value: bigint) => formatAmount(value, units.decimals, units.symbol);
  const fix = `it waits until the ${side} bridge's limits allow it (its owner: \`npx hardhat bridge limits --pair ${pair.deployment.name} --side ${side} …\`)`;
  if (breach.limit === "max") return `${shown(amount)} is above the ${side} bridge's maximum per transfer, ${shown(breach.value)}; ${fix}`;
  return `${shown(amount)} would pass the ${side} bridge's daily handle limit of ${shown(breach.value)} (${shown(breach.usedToday)} paid out today); ${fix}`;
}
