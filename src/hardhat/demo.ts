/**
 * `bridge demo`: the whole story on the two in-process chains. A pair with three operators and threshold 2, a KIP7
 * and a KIP17 token pair, three relayers (one per operator) exchanging signatures, KLAY / KIP7 / KIP17 sent from the
 * parent to the child and back, a child block anchored on the parent, and the balances before and after.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { formatEther } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import type { Log } from "../connect.js";
import { KIP17Token__factory, KIP7Token__factory } from "../../types/ethers-contracts/index.js";
import type { ConnectedPair } from "../pair.js";
import { lineLogger } from "../relayer/index.js";
import type { Relayer } from "../relayer/index.js";
import { requestTransfer } from "../transfer.js";
import { DEMO_ANCHOR_EVERY, anchorDemoBlock, deployDemoPair, startDemoRelayers } from "./demo-pair.js";

interface Holdings {
  klay: bigint;
  kip7: bigint;
  kip17: bigint;
}

/** What `holder` has on `side`: KLAY, the demo KIP7 and the number of demo NFTs. */
async function holdings(pair: ConnectedPair, side: "parent" | "child", holder: string, kip7: string, kip17: string) {
  const runner = pair[side].provider;
  return {
    klay: await runner.getBalance(holder),
    kip7: await KIP7Token__factory.connect(kip7, runner).balanceOf(holder),
    kip17: await KIP17Token__factory.connect(kip17, runner).balanceOf(holder),
  } satisfies Holdings;
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row: string[]) =>
    `| ${row.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(" | ")} |`;
  return [line(rows[0]), `|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`, ...rows.slice(1).map(line)];
}

/** Relay rounds until neither side has anything pending for any relayer (at most `rounds`). */
async function relayUntilDone(relayers: Relayer[], rounds = 5): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (const relayer of relayers) {
      await relayer.poll();
      await relayer.processPending();
    }
    const pending = relayers.map((relayer) => relayer.pendingCount()).some((count) => count.parent + count.child > 0);
    if (!pending) return;
  }
}

/** Runs the demo on the in-process networks `parent` and `child`, printing each step through `log`. */
export async function runDemo(hre: HardhatRuntimeEnvironment, log: Log): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "bridge-demo-"));
  const relayers: Relayer[] = [];
  try {
    const demo = await deployDemoPair(hre, dir, log);
    const { deployment, pair, kip7, kip17 } = demo;
    const user = demo.parent.signer.address;

    // the account and the bridge of each chain
    const rowsOf = [
      ["you", "parent", user],
      ["bridge", "parent", deployment.parent.bridge],
      ["you", "child", user],
      ["bridge", "child", deployment.child.bridge],
    ] as const;
    const snapshot = async () => {
      const result: Holdings[] = [];
      for (const [, side, address] of rowsOf) {
        const tokens = side === "parent" ? [kip7.parent, kip17.parent] : [kip7.child, kip17.child];
        result.push(await holdings(pair, side, address, tokens[0], tokens[1]));
      }
      return result;
    };
    const before = await snapshot();

    log("");
    log("== 3. Three relayers, one per operator, exchanging signatures through a shared directory");
    await startDemoRelayers(demo, dir, relayers, (index, operator) => ({
      logger: lineLogger({ label: `relayer ${index + 1} ${operator.slice(0, 8)}`, write: log }),
    }));

    for (const [step, from, klay, amount, heading] of [
      [4, "parent", "10", "100", "Parent -> child: 10 KLAY, 100 DEMO, DNFT #1"],
      [5, "child", "4", "40", "Child -> parent: 4 KLAY, 40 DEMO, DNFT #1 back"],
    ] as const) {
      log("");
      log(`== ${step}. ${heading}`);
      await requestTransfer(pair, { from, asset: "klay", amount: klay }, log);
      await requestTransfer(pair, { from, asset: kip7[from], amount }, log);
      await requestTransfer(pair, { from, asset: kip17[from], tokenId: "1" }, log);
      await relayUntilDone(relayers);
    }

    log("");
    log(`== 6. Anchoring: every ${DEMO_ANCHOR_EVERY} child blocks, the operators sign the block's header on the parent`);
    await anchorDemoBlock(hre, demo, relayers);
    const latest = await pair.anchoringReceiver.latestAnchoredBlock();
    log(`child block ${latest} is anchored on the parent (AnchoringReceiver ${deployment.parent.anchoringReceiver})`);

    const after = await snapshot();
    log("");
    log("== Balances before -> after (your KLAY also paid gas)");
    const klay = (value: bigint) => Number(formatEther(value)).toFixed(4);
    const rows = [["chain", "account", "KLAY", "DEMO", "DNFT"]];
    for (const [index, [who, side, address]] of rowsOf.entries()) {
      const was = before[index];
      const now = after[index];
      rows.push([
        side,
        `${who} ${address.slice(0, 10)}…`,
        `${klay(was.klay)} -> ${klay(now.klay)}`,
        `${formatEther(was.kip7)} -> ${formatEther(now.kip7)}`,
        `${was.kip17} -> ${now.kip17}`,
      ]);
    }
    for (const line of table(rows)) log(line);
    const lower = {
      child: await pair.bridges.child.lowerHandleNonce(),
      parent: await pair.bridges.parent.lowerHandleNonce(),
    };
    log("");
    log(`Handled: ${lower.child} of ${await pair.bridges.parent.requestNonce()} parent -> child, ${lower.parent} of ${await pair.bridges.child.requestNonce()} child -> parent. Done.`);
  } finally {
    for (const relayer of relayers) relayer.close();
    await rm(dir, { recursive: true, force: true });
  }
}
