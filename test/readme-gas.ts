import { readFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";

import {
  GAS_LABELS,
  RELAYER_KEYS,
  gasTable,
  missedGasTargets,
  missedRelayerTargets,
  relayerTable,
  spread,
  withGasTable,
  type RelayerFigures,
} from "../src/bench/gas-table.js";

const root = path.join(import.meta.dirname, "..");
const EMPTY = "before\n<!-- gas table: written by npm run bench from bench/results.json -->\n<!-- end of gas table -->\n";

function relayerOf(median: { transfersPerSecond: number; overheadRatio: number }): RelayerFigures {
  const at = (value: number) => ({ median: value, min: value * 0.9, max: value * 1.1 });
  return {
    runs: 3,
    transfersPerSecond: at(median.transfersPerSecond),
    overheadRatio: at(median.overheadRatio),
    relayedMs: at(3333),
    requestMs: at(1000),
    directMs: at(2222),
    transfers: 1000,
    batchSize: 100,
  };
}

describe("README gas figures", function () {
  it("are exactly the tables made from bench/results.json", async function () {
    const readme = await readFile(path.join(root, "README.md"), "utf8");
    const { gas, relayer, sizes } = JSON.parse(await readFile(path.join(root, "bench", "results.json"), "utf8")) as {
      gas: Record<string, number>;
      relayer: RelayerFigures;
      sizes: Record<string, number>;
    };
    expect(Object.keys(gas).sort()).to.deep.equal(Object.keys(GAS_LABELS).sort());
    expect(Object.keys(relayer).sort()).to.deep.equal([...RELAYER_KEYS].sort());
    expect(withGasTable(readme, gas, relayer, sizes)).to.equal(readme);
  });

  it("would catch a relayer figure that differs from the measured one, and marks a missed target", function () {
    const gas = Object.fromEntries(Object.keys(GAS_LABELS).map((key) => [key, 1000]));
    const relayer = relayerOf({ transfersPerSecond: 300, overheadRatio: 1.5 });
    const readme = withGasTable(EMPTY, gas, relayer, { Bridge: 24_000 });
    expect(readme).to.contain("| transfers per second, first request to last handle | 300 (270–330) | ≥ 300 |");
    expect(readme).to.contain("| overhead ratio (relayers' own time, requests mined to last handle / direct submission time) | 1.50 (1.35–1.65) | ≤ 1.5 |");
    expect(readme).to.contain("Bridge deployed code: 24,000 bytes, 576 under the 24,576-byte limit (EIP-170).");
    expect(withGasTable(readme, gas, relayerOf({ transfersPerSecond: 301, overheadRatio: 1.5 }), { Bridge: 24_000 })).to.not.equal(readme);
    const slow = relayerOf({ transfersPerSecond: 250, overheadRatio: 1.9 });
    expect(relayerTable(slow)).to.contain("| 250 (225–275) | ≥ 300 **missed** |");
    expect(relayerTable(slow)).to.contain("| 1.90 (1.71–2.09) | ≤ 1.5 **missed** |");
    expect(missedRelayerTargets(slow)).to.deep.equal(["relayer transfers per second: 250 < 300", "relayer overhead ratio: 1.90 > 1.5"]);
  });

  it("would catch a gas figure that differs from the measured one, shows labels and marks every missed target", function () {
    const gas = Object.fromEntries(Object.keys(GAS_LABELS).map((key) => [key, 1000]));
    const readme = withGasTable(EMPTY, gas);
    expect(withGasTable(readme, { ...gas, "request.klay": 1001 })).to.not.equal(readme);
    expect(gasTable(gas)).to.contain("| request KLAY | 1,000 | 38,608 | 3% | ≤ 32,000 |");
    const heavy = { ...gas, "request.klay": 40_000, "anchor.signed.2of3": 95_000 };
    expect(gasTable(heavy)).to.contain("| request KLAY | 40,000 | 38,608 | 104% | ≤ 32,000 **missed** |");
    expect(gasTable(heavy)).to.contain("| anchor, 2 of 3, signed | 95,000 | – | – | ≤ 90,000 **missed** |");
    expect(missedGasTargets(heavy)).to.deep.equal(["request KLAY: 40,000 > 32,000", "anchor, 2 of 3, signed: 95,000 > 90,000"]);
  });

  it("takes the median and range of the runs", function () {
    expect(spread([3, 1, 2])).to.deep.equal({ median: 2, min: 1, max: 3 });
    expect(spread([4, 1, 3, 2])).to.deep.equal({ median: 2.5, min: 1, max: 4 });
  });
});
