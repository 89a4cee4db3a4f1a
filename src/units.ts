/**
 * Amounts as people read them: KLAY and KIP7 amounts in units with their symbol (`250.0 DMT`), an NFT as
 * `SYMBOL #id`. The symbol of a token comes from the pair's record, else from the token; decimals from the token.
 */
import { formatUnits } from "ethers";

import { KIP7Token__factory } from "./contracts.js";
import type { ConnectedPair } from "./pair.js";
import { sameAddress, type Side } from "./validate.js";

const ZERO = "0x0000000000000000000000000000000000000000";

/** How an asset of a pair is shown. */
export interface AssetUnits {
  kind: "klay" | "kip7" | "kip17";
  symbol: string;
  decimals: number;
}

/** The units of `token` on `side` (zero: KLAY); `kind` as the transfer says. */
export async function assetUnits(pair: ConnectedPair, side: Side, kind: AssetUnits["kind"], token: string): Promise<AssetUnits> {
  if (kind === "klay" || sameAddress(token, ZERO)) return KLAY_UNITS;
  const recorded = pair.deployment.tokens.find((entry) => sameAddress(entry[side], token));
  const contract = KIP7Token__factory.connect(token, pair[side].provider);
  const symbol = recorded?.symbol ?? (await contract.symbol().catch(() => (kind === "kip17" ? "KIP17" : "KIP7")));
  if (kind === "kip17") return { kind, symbol, decimals: 0 };
  const decimals = Number(await contract.decimals().catch(() => 18n));
  return { kind, symbol, decimals };
}

/** KLAY's units. */
export const KLAY_UNITS: AssetUnits = { kind: "klay", symbol: "KLAY", decimals: 18 };

/**
 * Why the `side` bridge, holding `held`, cannot pay `owed` (both fungible, in `units`): the line a refusal or a
 * failure gives before its hint. Undefined when it holds enough.
 */
export function bridgeShortfall(side: string, held: bigint, owed: bigint, units: AssetUnits): string | undefined {
  if (held >= owed) return undefined;
  return `the ${side} bridge holds ${formatAsset(held, units)}, less than the ${formatAsset(owed, units)} to pay`;
}

/** An amount with its unit: `1.5 KLAY`, `250.0 DMT`; with 0 decimals a count (`2 ART NFT(s)`). */
export function formatAmount(value: bigint, decimals: number, symbol: string): string {
  return `${decimals === 0 ? value.toString() : formatUnits(value, decimals)} ${symbol}`;
}

/** `value` in `units`: `1.5 KLAY`, `250.0 DMT`, `ART #7`. */
export function formatAsset(value: bigint, units: AssetUnits): string {
  if (units.kind === "kip17") return `${units.symbol} #${value}`;
  return formatAmount(value, units.decimals, units.symbol);
}
