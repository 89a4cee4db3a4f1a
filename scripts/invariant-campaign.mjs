// Runs an invariant campaign (`hardhat test solidity` with the arguments given) and then prints how often each
// action and each notable branch of the handler ran, summed over every sequence of every invariant: a branch at 0
// is one the campaign never reached. `npm run test:invariants` runs the long campaign through it.
//
// The Solidity side (test/invariants/CampaignStats.sol) appends one record `{name=count;...}` per sequence to the
// file named by BRIDGE_INVARIANT_STATS, which hardhat.config.ts lets the tests write. Campaigns of several
// invariants run in parallel and may interleave their lines, so records are read by their braces, not by lines.
// Give the handler's file (test/invariants/BridgeHandler.sol) among the files: the fuzzer calls only contracts whose
// code it knows from the test sources given, and without it finds "No contracts to fuzz".
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";

const STATS_VARIABLE = "BRIDGE_INVARIANT_STATS";

/** Sums the records of a stats file: name => count, in the order the names first appear, and the records read. */
export function sumStats(text) {
  const totals = new Map();
  let sequences = 0;
  for (const [, body] of text.matchAll(/\{([^{}]*)\}/g)) {
    sequences += 1;
    for (const entry of body.split(";")) {
      const at = entry.lastIndexOf("=");
      if (at <= 0) continue;
      const name = entry.slice(0, at);
      totals.set(name, (totals.get(name) ?? 0) + Number(entry.slice(at + 1)));
    }
  }
  return { totals, sequences };
}

/** The table printed after a campaign: actions first, then outcomes and branches, each with its count. */
export function formatStats({ totals, sequences }) {
  const actions = [...totals].filter(([name]) => name.startsWith("action: "));
  const branches = [...totals].filter(([name]) => !name.startsWith("action: "));
  const width = Math.max(...[...totals.keys()].map((name) => name.length), 10);
  const row = ([name, count]) => `    ${name.padEnd(width)}  ${String(count).padStart(9)}${count === 0 ? "  (never reached)" : ""}`;
  return [
    `Invariant campaign stats: ${sequences} sequences (every invariant's runs), counts summed over all of them`,
    "  Actions called:",
    ...actions.map(([name, count]) => row([name.slice("action: ".length), count])),
    "  Outcomes and branches:",
    ...branches.map(row),
  ].join("\n");
}

function main() {
  const dir = mkdtempSync(path.join(tmpdir(), "invariant-stats-"));
  const statsFile = path.join(dir, "stats.txt");
  try {
    const hardhatPackage = createRequire(import.meta.url).resolve("hardhat/package.json");
    const { bin } = JSON.parse(readFileSync(hardhatPackage, "utf8"));
    const hardhat = path.join(path.dirname(hardhatPackage), bin.hardhat);
    const run = spawnSync(process.execPath, [hardhat, "test", "solidity", ...process.argv.slice(2)], {
      stdio: "inherit",
      env: { ...process.env, [STATS_VARIABLE]: statsFile },
    });
    let text = "";
    try {
      text = readFileSync(statsFile, "utf8");
    } catch {
      console.log("No invariant campaign stats were written (no invariant test ran).");
    }
    if (text !== "") console.log(`\n${formatStats(sumStats(text))}`);
    process.exitCode = run.status ?? 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
