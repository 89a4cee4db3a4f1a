import { readFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";

import { GAS_LABELS, RELAYER_KEYS, gasTable, withGasTable } from "../src/bench/gas-table.js";

const root = path.join(import.meta.dirname, "..");

describe("README gas figures", function () {
  it("are exactly the table made from bench/results.json", async function () {
    const readme = await readFile(path.join(root, "README.md"), "utf8");
    const { gas, relayer } = JSON.parse(await readFile(path.join(root, "bench", "results.json"), "utf8"));
    expect(Object.keys(gas).sort()).to.deep.equal(Object.keys(GAS_LABELS).sort());
    expect(Object.keys(relayer).sort()).to.deep.equal([...RELAYER_KEYS].sort());
    expect(withGasTable(readme, gas, relayer)).to.equal(readme);
  });

  it("would catch a relayer figure that differs from the measured one", function () {
    const gas = Object.fromEntries(Object.keys(GAS_LABELS).map((key) => [key, 1000]));
    const relayer = { transfersPerSecond: 300, overheadRatio: 1.5, relayedMs: 3333, requestMs: 1000, directMs: 2222, transfers: 1000, batchSize: 100 };
    const readme = withGasTable("before\n<!-- gas table: written by npm run bench from bench/results.json -->\n<!-- end of gas table -->\n", gas, relayer);
    expect(readme).to.contain("| transfers per second, first request to last handle | 300 | ≥ 300 |");
    expect(readme).to.contain("| overhead ratio (relayed time / direct submission time) | 1.50 | ≤ 1.5 |");
    expect(withGasTable(readme, gas, { ...relayer, transfersPerSecond: 301 })).to.not.equal(readme);
  });

  it("would catch a figure that differs from the measured one", function () {
    const gas = Object.fromEntries(Object.keys(GAS_LABELS).map((key) => [key, 1000]));
    const readme = withGasTable("before\n<!-- gas table: written by npm run bench from bench/results.json -->\n<!-- end of gas table -->\n", gas);
    expect(withGasTable(readme, { ...gas, "request.klay": 1001 })).to.not.equal(readme);
    expect(gasTable(gas)).to.contain("| request KLAY | 1,000 | 38,608 | 3% |");
  });
});
