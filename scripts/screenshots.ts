/**
 * Screenshots of the status page (`bridge ui`) from a real run: `npm run screenshots`.
 *
 * On the two in-process chains: a pair with three operators and three relayers, transfers both ways (handled), one
 * the child bridge cannot pay (failed, then cancelled and refunded), another failed one, one held above the limits,
 * one pending, and an anchor. Then the page in headless Chromium: docs/status-page.png (the overview, with a failed
 * transfer looked up by its tx hash) and docs/status-page-refunded.png (a refunded transfer's timeline).
 */
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import hre from "hardhat";

import { silent } from "../src/connect.js";
import { anchorDemoBlock, deployDemoPair, startDemoRelayers } from "../src/hardhat/demo-pair.js";
import { setLimits } from "../src/limits.js";
import { startStatusPage } from "../src/ops/ui/server.js";
import type { ConnectedPair } from "../src/pair.js";
import { recoveryTransfers } from "../src/recovery.js";
import type { Relayer } from "../src/relayer/index.js";
import { requestTransfer } from "../src/transfer.js";
import { findChromium, launchChromium, NO_CHROMIUM } from "../test/helpers/browser.js";

const DOCS = path.resolve(import.meta.dirname, "..", "docs");

async function rounds(relayers: Relayer[], count: number, tick: () => void): Promise<void> {
  for (let round = 0; round < count; round++) {
    tick();
    for (const relayer of relayers) {
      await relayer.poll();
      await relayer.processPending();
    }
  }
}

/** Builds a pair with transfers in every state; returns it with the tx hashes worth a screenshot. */
async function realRun(dir: string, relayers: Relayer[]): Promise<{ pair: ConnectedPair; failedTx: string; refunded: string }> {
  const demo = await deployDemoPair(hre, dir, silent);
  const { pair, kip7, kip17 } = demo;
  let clock = Date.now();
  const tick = () => (clock += 2000);
  await startDemoRelayers(demo, dir, relayers, () => ({ failedRetries: 1, payoutRetryBackoffMs: 1000, now: () => clock }));
  // handled, both ways
  await requestTransfer(pair, { from: "parent", asset: "klay", amount: "10" }, silent);
  await requestTransfer(pair, { from: "parent", asset: kip7.parent, amount: "250" }, silent);
  await requestTransfer(pair, { from: "parent", asset: kip17.parent, tokenId: "1" }, silent);
  await rounds(relayers, 2, tick);
  await requestTransfer(pair, { from: "child", asset: "klay", amount: "4" }, silent);
  await requestTransfer(pair, { from: "child", asset: kip7.child, amount: "40" }, silent);
  await rounds(relayers, 2, tick);
  // more KLAY than the child bridge holds: failed, retried once, cancelled and refunded
  const refunded = await requestTransfer(pair, { from: "parent", asset: "klay", amount: "150" }, silent);
  for (let round = 0; round < 8; round++) {
    await rounds(relayers, 1, tick);
    const entry = (await recoveryTransfers(pair, "parent")).find((candidate) => candidate.requestNonce === refunded.requestNonce);
    if (entry?.status === "refunded") break;
  }
  // failed, waiting for its retry (the clock stands still)
  const failed = await requestTransfer(pair, { from: "parent", asset: "klay", amount: "120" }, silent);
  await rounds(relayers, 2, () => {});
  // held above the child's limit of 50 KLAY per transfer
  await setLimits(pair, "child", "klay", { max: "50" }, silent);
  await requestTransfer(pair, { from: "parent", asset: "klay", amount: "60" }, silent);
  await rounds(relayers, 2, () => {});
  // an anchor, then a transfer nobody relayed yet
  await anchorDemoBlock(hre, demo, relayers);
  await requestTransfer(pair, { from: "parent", asset: "klay", amount: "2" }, silent);
  await requestTransfer(pair, { from: "child", asset: kip7.child, amount: "5" }, silent);
  return { pair, failedTx: failed.txHash, refunded: `parent:${refunded.requestNonce}` };
}

async function main(): Promise<void> {
  const executable = findChromium();
  if (executable === undefined) throw new Error(`screenshots: ${NO_CHROMIUM}`);
  const dir = await mkdtemp(path.join(tmpdir(), "bridge-screenshots-"));
  const relayers: Relayer[] = [];
  const browser = await launchChromium(executable);
  try {
    const { pair, failedTx, refunded } = await realRun(dir, relayers);
    const page = await startStatusPage(pair, { port: 0 });
    try {
      const started = performance.now();
      const overview = (await (await fetch(`${page.url}api/overview`)).json()) as { pending: unknown[]; failed: unknown[]; held: unknown[] };
      console.log(
        `/api/overview read from the chains in ${Math.round(performance.now() - started)} ms: ` +
          `${overview.pending.length} pending, ${overview.failed.length} failed, ${overview.held.length} held`,
      );
      const tab = await browser.newPage({ viewport: { width: 1180, height: 900 } });
      for (const [file, query, fullPage] of [
        ["status-page.png", failedTx, true],
        ["status-page-refunded.png", refunded, false],
      ] as const) {
        await tab.goto(`${page.url}?q=${query}`);
        await tab.locator("article[data-transfer]").first().waitFor();
        const target = path.join(DOCS, file);
        if (fullPage) await tab.screenshot({ path: target, fullPage: true });
        else await tab.locator("#result").screenshot({ path: target });
        console.log(`${path.relative(process.cwd(), target)} (${Math.round((await stat(target)).size / 1024)} KiB)`);
      }
    } finally {
      await page.close();
    }
  } finally {
    await browser.close();
    for (const relayer of relayers) relayer.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
