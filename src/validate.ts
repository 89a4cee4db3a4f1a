import { getAddress, isAddress, parseUnits } from "ethers";

import { BridgeTaskError } from "./errors.js";

export type Side = "parent" | "child";
export type TokenType = "kip7" | "kip17";
/** `mintburn`: the parent bridge locks, the child bridge mints and burns (Klaytn's default). `lock`: both lock. */
export type PairMode = "mintburn" | "lock";
export type VoteTypeName = "transfer" | "configuration";

/** Klaytn's vote types: 0 value transfer, 1 configuration. */
export const VOTE_TYPE: Record<VoteTypeName, number> = { transfer: 0, configuration: 1 };
export const MAX_OPERATORS = 12;

/** Returns the value of a required option or throws `--name is required`. */
export function required<T>(value: T | undefined | null | "", option: string): T {
  if (value === undefined || value === null || value === "") throw new BridgeTaskError(`--${option} is required`);
  return value;
}

/**
 * Parses an address: all lower case, or mixed case with a valid EIP-55 checksum. A mixed-case address whose
 * checksum is wrong is refused (it is most likely mistyped).
 */
export function parseAddress(value: string | undefined, what: string): string {
  const text = required(value, what).trim();
  if (!/^0x[0-9a-fA-F]{40}$/.test(text)) throw new BridgeTaskError(`${what}: "${text}" is not an address (0x and 40 hex digits)`);
  const checksumValid: boolean = isAddress(text);
  if (!checksumValid) throw new BridgeTaskError(`${what}: "${text}" has a wrong checksum (mistyped?)`);
  const address = getAddress(text);
  if (address === "0x0000000000000000000000000000000000000000") throw new BridgeTaskError(`${what}: the zero address is not allowed`);
  return address;
}

/** Parses a comma-separated address list; refuses duplicates. */
export function parseAddressList(value: string | undefined, what: string): string[] {
  const items = required(value, what).split(",").map((item) => item.trim()).filter((item) => item !== "");
  if (items.length === 0) throw new BridgeTaskError(`${what}: no address given`);
  const addresses = items.map((item) => parseAddress(item, what));
  const seen = new Set<string>();
  for (const address of addresses) {
    if (seen.has(address)) throw new BridgeTaskError(`${what}: ${address} is listed twice`);
    seen.add(address);
  }
  return addresses;
}

/** Parses an amount in whole units (`1.5`) into base units with `decimals`; must be > 0. */
export function parseAmount(value: string | undefined, decimals: number, what: string): bigint {
  const text = required(value, what).trim();
  if (!/^\d+(\.\d+)?$/.test(text)) throw new BridgeTaskError(`${what}: "${text}" is not a positive decimal number`);
  let amount: bigint;
  try {
    amount = parseUnits(text, decimals);
  } catch (error) {
    throw new BridgeTaskError(`${what}: "${text}" has more than ${decimals} decimals`, { cause: error });
  }
  if (amount <= 0n) throw new BridgeTaskError(`${what}: must be greater than 0`);
  return amount;
}

/** Like parseAmount but allows 0 (fees may be zero). */
export function parseAmountOrZero(value: string | undefined, decimals: number, what: string): bigint {
  const text = required(value, what).trim();
  if (/^0+(\.0+)?$/.test(text)) return 0n;
  return parseAmount(text, decimals, what);
}

/** Parses a non-negative integer (token ids, block numbers, counts). */
export function parseInteger(value: string | undefined, what: string, options: { min?: bigint; max?: bigint } = {}): bigint {
  const text = required(value, what).trim();
  if (!/^\d+$/.test(text)) throw new BridgeTaskError(`${what}: "${text}" is not a whole number`);
  const parsed = BigInt(text);
  if (options.min !== undefined && parsed < options.min) throw new BridgeTaskError(`${what}: must be at least ${options.min}`);
  if (options.max !== undefined && parsed > options.max) throw new BridgeTaskError(`${what}: must be at most ${options.max}`);
  return parsed;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T {
  const text = required(value, what).trim().toLowerCase();
  const match = allowed.find((candidate) => candidate.toLowerCase() === text);
  if (match === undefined) throw new BridgeTaskError(`${what}: "${value}" is not one of ${allowed.join(", ")}`);
  return match;
}

export function parseSide(value: string | undefined, what = "side"): Side {
  return oneOf(value, ["parent", "child"] as const, what);
}

export function parseTokenType(value: string | undefined, what = "type"): TokenType {
  return oneOf(value, ["kip7", "kip17"] as const, what);
}

export function parseMode(value: string | undefined, what = "mode"): PairMode {
  return oneOf(value, ["mintburn", "lock"] as const, what);
}

export function parseVoteType(value: string | undefined, what = "vote-type"): VoteTypeName {
  return oneOf(value, ["transfer", "configuration"] as const, what);
}

/** Pair names become file names: letters, digits, dot, dash and underscore only. */
export function parsePairName(value: string | undefined, what = "name"): string {
  const text = required(value, what).trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(text)) {
    throw new BridgeTaskError(`${what}: "${text}" is not a valid pair name (letters, digits, ".", "_", "-", up to 64)`);
  }
  return text;
}

/** Validates an operator threshold against the operator count. */
export function checkThreshold(threshold: number, operatorCount: number, what = "threshold"): void {
  if (!Number.isInteger(threshold) || threshold < 1) throw new BridgeTaskError(`${what}: must be at least 1`);
  if (threshold > operatorCount) {
    throw new BridgeTaskError(`${what}: ${threshold} is more than the ${operatorCount} operator(s)`);
  }
}

export function sameAddress(a: string | undefined | null, b: string | undefined | null): boolean {
  return a !== undefined && a !== null && b !== undefined && b !== null && a.toLowerCase() === b.toLowerCase();
}
