/** The README's gas table, made from `bench/results.json`, so every figure the README states is a measured one. */

/** Klaytn's bridge on the same EVM (SPEC.md), per transfer, lock mode. */
export const KLAYTN_GAS: Readonly<Record<string, number>> = {
  "request.klay": 38_608,
  "request.kip7": 68_377,
  "request.kip7.oneStep": 63_131,
  "request.kip17": 128_460,
  "request.kip17.oneStep": 119_565,
  "handle.vote.klay.2of3": 326_914,
  "handle.vote.kip7.2of3": 332_745,
  "handle.vote.kip17.2of3": 384_370,
  "handle.signed.klay.2of3": 326_914,
  "handle.signed.kip7.2of3": 332_745,
  "handle.signed.kip17.2of3": 384_370,
};

/** What each key of `bench/results.json` measures, as the README says it. */
export const GAS_LABELS: Readonly<Record<string, string>> = {
  "request.klay": "request KLAY",
  "request.kip7": "request KIP7 (after approve)",
  "request.kip7.oneStep": "request KIP7, one step via the token",
  "request.kip7.safeTransfer": "request KIP7, one step by KIP7 safeTransfer",
  "request.kip17": "request KIP17 (after approve)",
  "request.kip17.oneStep": "request KIP17, one step via the token",
  "handle.vote.klay.2of3": "handle KLAY, 2 of 3, votes (sum of both operators' txs)",
  "handle.vote.kip7.2of3": "handle KIP7, 2 of 3, votes",
  "handle.vote.kip17.2of3": "handle KIP17, 2 of 3, votes",
  "handle.signed.klay.2of3": "handle KLAY, 2 of 3, signed (one tx)",
  "handle.signed.kip7.2of3": "handle KIP7, 2 of 3, signed",
  "handle.signed.kip17.2of3": "handle KIP17, 2 of 3, signed",
  "handle.signed.kip7.5of9": "handle KIP7, 5 of 9, signed",
  "handle.signed.kip7.2of3.batch20.perTransfer": "handle KIP7, 2 of 3, signed batch of 20, per transfer",
  "anchor.vote.2of3": "anchor, 2 of 3, votes (sum)",
  "anchor.signed.2of3": "anchor, 2 of 3, signed",
};

export const README_GAS_BEGIN = "<!-- gas table: written by npm run bench from bench/results.json -->";
export const README_GAS_END = "<!-- end of gas table -->";

const format = (n: number) => n.toLocaleString("en-US");

/** The markdown table of `gas` beside Klaytn's figures. */
export function gasTable(gas: Record<string, number>): string {
  const rows = ["| path | gas | Klaytn bridge | share of Klaytn's |", "|---|---:|---:|---:|"];
  for (const [key, label] of Object.entries(GAS_LABELS)) {
    const value = gas[key];
    if (value === undefined) throw new Error(`bench results have no "${key}"`);
    const klaytn = KLAYTN_GAS[key];
    const share = klaytn === undefined ? "–" : `${Math.round((value / klaytn) * 100)}%`;
    rows.push(`| ${label} | ${format(value)} | ${klaytn === undefined ? "–" : format(klaytn)} | ${share} |`);
  }
  return rows.join("\n");
}

/** The relayer's throughput figures of `bench/results.json` (`"relayer"`). */
export interface RelayerFigures {
  transfersPerSecond: number;
  overheadRatio: number;
  relayedMs: number;
  requestMs: number;
  directMs: number;
  transfers: number;
  batchSize: number;
}

export const RELAYER_KEYS = ["transfersPerSecond", "overheadRatio", "relayedMs", "requestMs", "directMs", "transfers", "batchSize"];

/** The markdown table of the relayer's figures, with the targets of issue 5. */
export function relayerTable(relayer: RelayerFigures): string {
  for (const key of RELAYER_KEYS) {
    if (typeof (relayer as unknown as Record<string, unknown>)[key] !== "number") throw new Error(`bench results have no relayer "${key}"`);
  }
  return [
    `Relayer throughput: ${format(relayer.transfers)} KIP7 transfers parent → child, 2 of 3, three relayers, signed batches of ${relayer.batchSize}, two in-process chains, one run:`,
    "",
    "| figure | value | target |",
    "|---|---:|---:|",
    `| transfers per second, first request to last handle | ${format(relayer.transfersPerSecond)} | ≥ 300 |`,
    `| overhead ratio (relayed time / direct submission time) | ${relayer.overheadRatio.toFixed(2)} | ≤ 1.5 |`,
    `| requests sent and mined (ms) | ${format(relayer.requestMs)} | – |`,
    `| first request to last handle (ms) | ${format(relayer.relayedMs)} | – |`,
    `| same handles signed by 2 operators and submitted directly (ms) | ${format(relayer.directMs)} | – |`,
  ].join("\n");
}

/** `readme` with its gas table (and, given `relayer`, the relayer figures) replaced by the ones for these results. */
export function withGasTable(readme: string, gas: Record<string, number>, relayer?: RelayerFigures): string {
  const begin = readme.indexOf(README_GAS_BEGIN);
  const end = readme.indexOf(README_GAS_END);
  if (begin < 0 || end < begin) throw new Error("README.md has no gas table markers");
  const body = relayer === undefined ? gasTable(gas) : `${gasTable(gas)}\n\n${relayerTable(relayer)}`;
  return `${readme.slice(0, begin + README_GAS_BEGIN.length)}\n${body}\n${readme.slice(end)}`;
}
