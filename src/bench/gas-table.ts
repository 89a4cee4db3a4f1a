/**
 * The README's benchmark tables, made from `bench/results.json`, so every figure the README states is a measured one;
 * `npm run bench` prints the same tables, with every target a figure misses marked.
 */

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

/** Our gas targets, per key of `bench/results.json`. */
export const GAS_TARGETS: Readonly<Record<string, number>> = {
  "request.klay": 32_000,
  "request.kip7": 58_000,
  "request.kip17": 100_000,
  "handle.vote.kip7.2of3": 166_000,
  "handle.signed.klay.2of3": 70_000,
  "handle.signed.kip7.2of3": 80_000,
  "handle.signed.kip17.2of3": 95_000,
  "handle.signed.kip7.5of9": 100_000,
  "handle.signed.kip7.2of3.batch20.perTransfer": 45_000,
  "anchor.signed.2of3": 90_000,
  "anchor.verifyReceipt": 80_000,
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
  "anchor.verifyReceipt": "verify one child receipt proof on chain (24-transaction block)",
};

/** The contract size limit of EIP-170. */
export const SIZE_LIMIT = 24_576;

export const README_GAS_BEGIN = "<!-- gas table: written by npm run bench from bench/results.json -->";
export const README_GAS_END = "<!-- end of gas table -->";

const format = (n: number) => n.toLocaleString("en-US");

/** `≤ target`, marked when `value` misses it; `–` without a target. */
function target(value: number, limit: number | undefined, atMost = true): string {
  if (limit === undefined) return "–";
  const met = atMost ? value <= limit : value >= limit;
  return `${atMost ? "≤" : "≥"} ${format(limit)}${met ? "" : " **missed**"}`;
}

/** The markdown table of `gas` beside Klaytn's figures and our targets. */
export function gasTable(gas: Record<string, number>): string {
  const rows = ["| path | gas | Klaytn bridge | share of Klaytn's | target |", "|---|---:|---:|---:|---:|"];
  for (const [key, label] of Object.entries(GAS_LABELS)) {
    const value = gas[key];
    if (value === undefined) throw new Error(`bench results have no "${key}"`);
    const klaytn = KLAYTN_GAS[key];
    const share = klaytn === undefined ? "–" : `${Math.round((value / klaytn) * 100)}%`;
    rows.push(`| ${label} | ${format(value)} | ${klaytn === undefined ? "–" : format(klaytn)} | ${share} | ${target(value, GAS_TARGETS[key])} |`);
  }
  return rows.join("\n");
}

/** The labels of the targets `gas` misses (for the bench's summary line). */
export function missedGasTargets(gas: Record<string, number>): string[] {
  return Object.entries(GAS_TARGETS)
    .filter(([key, limit]) => gas[key] !== undefined && gas[key] > limit)
    .map(([key, limit]) => `${GAS_LABELS[key] ?? key}: ${format(gas[key])} > ${format(limit)}`);
}

/** One relayer figure over the runs: the median, and the lowest and highest. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** The median and range of `values` (at least one). */
export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

/** The relayer's throughput figures of `bench/results.json` (`"relayer"`): medians of `runs` runs, with ranges. */
export interface RelayerFigures {
  runs: number;
  transfersPerSecond: Spread;
  overheadRatio: Spread;
  relayedMs: Spread;
  requestMs: Spread;
  directMs: Spread;
  transfers: number;
  batchSize: number;
  /** The same transfers relayed through the signature board (absent in results of before the board). */
  board?: BoardFigures;
}

/**
 * `relayer.board`: the relayers, each in a process of its own over two `hardhat node` processes, exchanging signatures
 * through the signature board on the child chain.
 */
export interface BoardFigures {
  runs: number;
  transfersPerSecond: Spread;
  /** From the mining of a request's block to its handle, 95th percentile. */
  p95LatencyMs: Spread;
  /** Child-chain gas one operator pays to post its signature of one batch of `batchSize`. */
  boardGasPerOperatorPerBatch: Spread;
  relayedMs: Spread;
  /** From the first request to the mining of the block holding the last (absent in results of before it was kept). */
  requestMs?: Spread;
  transfers: number;
  batchSize: number;
}

/** The relayer figures every result has. */
const REQUIRED_RELAYER_KEYS = ["runs", "transfersPerSecond", "overheadRatio", "relayedMs", "requestMs", "directMs", "transfers", "batchSize"] as const;
/** Every relayer figure a result of today's bench has (`board` is absent from older results). */
export const RELAYER_KEYS = [...REQUIRED_RELAYER_KEYS, "board"] as const;
const SPREAD_KEYS = ["transfersPerSecond", "overheadRatio", "relayedMs", "requestMs", "directMs"] as const;

/** The relayer's targets. */
export const RELAYER_TARGETS = { transfersPerSecond: 300, overheadRatio: 1.5, boardGasPerOperatorPerBatch: 40_000 } as const;

/** The labels of the targets the relayer's medians miss. */
export function missedRelayerTargets(relayer: RelayerFigures): string[] {
  const missed: string[] = [];
  if (relayer.transfersPerSecond.median < RELAYER_TARGETS.transfersPerSecond) {
    missed.push(`relayer transfers per second: ${format(relayer.transfersPerSecond.median)} < ${RELAYER_TARGETS.transfersPerSecond}`);
  }
  if (relayer.overheadRatio.median > RELAYER_TARGETS.overheadRatio) {
    missed.push(`relayer overhead ratio: ${relayer.overheadRatio.median.toFixed(2)} > ${RELAYER_TARGETS.overheadRatio}`);
  }
  const board = relayer.board;
  if (board !== undefined && board.transfersPerSecond.median < RELAYER_TARGETS.transfersPerSecond) {
    missed.push(`relayer through the board, transfers per second: ${format(board.transfersPerSecond.median)} < ${RELAYER_TARGETS.transfersPerSecond}`);
  }
  if (board !== undefined && board.boardGasPerOperatorPerBatch.median > RELAYER_TARGETS.boardGasPerOperatorPerBatch) {
    missed.push(
      `board gas per operator per batch: ${format(board.boardGasPerOperatorPerBatch.median)} > ${format(RELAYER_TARGETS.boardGasPerOperatorPerBatch)}`,
    );
  }
  return missed;
}

/** The markdown table of the relayer's figures (medians, ranges) with their targets. */
export function relayerTable(relayer: RelayerFigures): string {
  for (const key of REQUIRED_RELAYER_KEYS) {
    if (relayer[key] === undefined) throw new Error(`bench results have no relayer "${key}"`);
  }
  for (const key of SPREAD_KEYS) {
    if (typeof relayer[key]?.median !== "number") throw new Error(`bench results: relayer "${key}" is not a median and range`);
  }
  const whole = (s: Spread) => `${format(Math.round(s.median))} (${format(Math.round(s.min))}–${format(Math.round(s.max))})`;
  const ratio = (s: Spread) => `${s.median.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
  return [
    `Relayer throughput: ${format(relayer.transfers)} KIP7 transfers parent → child, 2 of 3, three relayers, signed batches of ${relayer.batchSize}, two in-process chains; the median of ${relayer.runs} runs, their range in brackets:`,
    "",
    "| figure | median (range) | target |",
    "|---|---:|---:|",
    `| transfers per second, first request to last handle | ${whole(relayer.transfersPerSecond)} | ${target(relayer.transfersPerSecond.median, RELAYER_TARGETS.transfersPerSecond, false)} |`,
    `| overhead ratio (relayers' own time, requests mined to last handle / direct submission time) | ${ratio(relayer.overheadRatio)} | ≤ ${RELAYER_TARGETS.overheadRatio}${relayer.overheadRatio.median <= RELAYER_TARGETS.overheadRatio ? "" : " **missed**"} |`,
    `| requests sent and mined (ms) | ${whole(relayer.requestMs)} | – |`,
    `| first request to last handle (ms) | ${whole(relayer.relayedMs)} | – |`,
    `| same handles signed by 2 operators and submitted directly (ms) | ${whole(relayer.directMs)} | – |`,
    ...(relayer.board === undefined ? [] : ["", boardTable(relayer.board)]),
  ].join("\n");
}

/** The markdown table of the board figures (`relayer.board`). */
export function boardTable(board: BoardFigures): string {
  const whole = (s: Spread) => `${format(Math.round(s.median))} (${format(Math.round(s.min))}–${format(Math.round(s.max))})`;
  const gas = board.boardGasPerOperatorPerBatch.median;
  return [
    `Through the signature board: the same ${format(board.transfers)} KIP7 transfers, three operators' relayers each in a process of its own with its own store, two \`hardhat node\` processes (signatures posted on the child chain, nothing else shared), batches of ${board.batchSize}; the median of ${board.runs} run${board.runs === 1 ? "" : "s"}, the range in brackets:`,
    "",
    "| figure | median (range) | target |",
    "|---|---:|---:|",
    `| transfers per second, first request to last handle | ${whole(board.transfersPerSecond)} | ${target(board.transfersPerSecond.median, RELAYER_TARGETS.transfersPerSecond, false)} |`,
    `| p95 latency, a request's block mined to its handle (ms) | ${whole(board.p95LatencyMs)} | – |`,
    `| board gas per operator per batch (child chain) | ${whole(board.boardGasPerOperatorPerBatch)} | ≤ ${format(RELAYER_TARGETS.boardGasPerOperatorPerBatch)}${gas <= RELAYER_TARGETS.boardGasPerOperatorPerBatch ? "" : " **missed**"} |`,
    ...(board.requestMs === undefined ? [] : [`| requests sent and mined (ms) | ${whole(board.requestMs)} | – |`]),
    `| first request to last handle (ms) | ${whole(board.relayedMs)} | – |`,
  ].join("\n");
}

/** The line of the deployed Bridge's size. */
export function sizeLine(sizes: Record<string, number>): string {
  const bridge = sizes.Bridge;
  if (bridge === undefined) throw new Error('bench results have no size of "Bridge"');
  return `Bridge deployed code: ${format(bridge)} bytes, ${format(SIZE_LIMIT - bridge)} under the ${format(SIZE_LIMIT)}-byte limit (EIP-170).`;
}

/** `readme` with its benchmark section replaced by the tables of these results. */
export function withGasTable(
  readme: string,
  gas: Record<string, number>,
  relayer?: RelayerFigures,
  sizes?: Record<string, number>,
): string {
  const begin = readme.indexOf(README_GAS_BEGIN);
  const end = readme.indexOf(README_GAS_END);
  if (begin < 0 || end < begin) throw new Error("README.md has no gas table markers");
  const parts = [gasTable(gas)];
  if (sizes !== undefined) parts.push(sizeLine(sizes));
  if (relayer !== undefined) parts.push(relayerTable(relayer));
  return `${readme.slice(0, begin + README_GAS_BEGIN.length)}\n${parts.join("\n\n")}\n${readme.slice(end)}`;
}
