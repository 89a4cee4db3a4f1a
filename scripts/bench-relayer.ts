/**
 * The relayer's throughput, for `npm run bench` (scripts/bench.ts): two in-process chains, 3 operators at 2 of 3,
 * 1,000 KIP7 transfers requested at once on the parent and relayed to the child by the three operators' relayers
 * (signed path, signatures exchanged through a shared directory), timed from the first request to the last handle;
 * then the same handles signed by two operators and submitted directly, in the same batches, on a fresh child bridge.
 */
import { join } from "node:path";

import { Bridge__factory, ServiceChainKIP7__factory } from "../types/ethers-contracts/index.js";
import { silentLogger, toSignedTransfer } from "../src/relayer/index.js";
import type { RelayerLogger } from "../src/relayer/index.js";
import { bridgeDomain, packSignatures, signBatch, type SignedTransfer } from "../src/signatures.js";
import { relayerFor } from "../test/relayer/helpers.js";
import { BENCH_RELAYER_OPTIONS, RELAYER_BATCH_SIZE, RELAYER_TRANSFERS, requestTransfers, withBenchPair } from "./bench-pair.js";

export { RELAYER_BATCH_SIZE, RELAYER_TRANSFERS } from "./bench-pair.js";

/** With BENCH_RELAYER_LOG=1: the relayers' actions (but each request and handle) with the ms since the first request. */
function timedLogger(index: number, start: () => number): RelayerLogger {
  return {
    log(level, action, fields) {
      if (level === "info" && ["request", "handled"].includes(action)) return;
      const text = JSON.stringify(fields, (_key, value: unknown) => (typeof value === "bigint" ? String(value) : value));
      console.log(Math.round(performance.now() - start()), index, level, action, text.slice(0, 160));
    },
  };
}

/**
 * When each transfer was first logged `handled` by a relayer: the submitter logs it as it reads its batch's receipt.
 * The bench reads the last handle from these lines instead of polling the child bridge, which in one process would
 * take the relayers' own thread from them; the child bridge is asked once the last is logged.
 */
function handleWatch(): { wrap: (logger: RelayerLogger) => RelayerLogger; count: () => number; lastAt: () => number } {
  const firstSeen = new Map<string, number>();
  let lastAt = 0;
  return {
    wrap: (logger) => ({
      log(level, action, fields) {
        if (action === "handled" && fields?.direction === "parent->child" && !firstSeen.has(String(fields.nonce))) {
          lastAt = performance.now();
          firstSeen.set(String(fields.nonce), lastAt);
        }
        logger.log(level, action, fields);
      },
    }),
    count: () => firstSeen.size,
    lastAt: () => lastAt,
  };
}

/** One run's figures (`scripts/bench.ts` takes the median of several). */
export interface RelayerRun {
  transfersPerSecond: number;
  overheadRatio: number;
  relayedMs: number;
  requestMs: number;
  directMs: number;
  transfers: number;
  batchSize: number;
}

export async function measureRelayer(): Promise<RelayerRun> {
  return withBenchPair("bench-relayer-", async (bench) => {
    const { child, pair, token, relayers } = bench;
    let t0 = 0;
    const signatureDir = join(bench.dir, "signatures");
    const handles = handleWatch();
    for (const index of [0, 1, 2]) {
      relayers.push(
        await relayerFor(pair, index, bench.dir, {
          ...BENCH_RELAYER_OPTIONS,
          signatureDir,
          logger: handles.wrap(process.env.BENCH_RELAYER_LOG === "1" ? timedLogger(index, () => t0) : silentLogger),
        }),
      );
    }

    const { running, requestMs } = await requestTransfers(bench, { started: (start) => (t0 = start) });
    if (process.env.BENCH_RELAYER_LOG === "1") console.log(Math.round(requestMs), "requests mined");
    while (handles.count() < RELAYER_TRANSFERS) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (performance.now() - t0 > 30_000) throw new Error(`relaying timed out at ${handles.count()}`);
    }
    const relayedMs = handles.lastAt() - t0;
    if ((await pair.child.bridge.lowerHandleNonce()) < BigInt(RELAYER_TRANSFERS)) throw new Error("a transfer logged handled is not handled");
    bench.controller.abort();
    await Promise.all(running);

    // the same transfers, batches and signatures, submitted directly on a fresh child bridge
    const stored = relayers[0].store.allTransfers("parent");
    if (stored.length !== RELAYER_TRANSFERS) throw new Error(`the relayer saw ${stored.length} transfers`);
    const signers = pair.child.signers;
    const bridge = await new Bridge__factory(signers[0]).deploy(true);
    for (const operator of pair.operators) await (await bridge.registerOperator(operator)).wait();
    await (await bridge.setOperatorThreshold(0, 2)).wait();
    const childToken = await new ServiceChainKIP7__factory(signers[0]).deploy("D", "D", await bridge.getAddress());
    await (await bridge.registerToken(await childToken.getAddress(), token)).wait();
    const childTokenAddress = await childToken.getAddress();
    const transfers: SignedTransfer[] = stored.map((t) => ({ ...toSignedTransfer(t.request), tokenAddress: childTokenAddress }));
    const { chainId } = await child.ethers.provider.getNetwork();
    const domain = bridgeDomain(chainId, await bridge.getAddress());
    const operators = pair.operators.slice(0, 2).map((a) => signers.find((s) => s.address === a)!);
    const submitter = bridge.connect(signers[15]);
    // The baseline at its fastest: a fixed gas limit that covers any of these batches, so no estimate is run (an
    // estimate of a handle searches for the least gas that keeps the payout budget free, several executions per batch).
    const gasLimit = 15_000_000n;
    const d0 = performance.now();
    for (let i = 0; i < transfers.length; i += RELAYER_BATCH_SIZE) {
      const batch = transfers.slice(i, i + RELAYER_BATCH_SIZE);
      const signatures = packSignatures(
        await Promise.all(operators.map(async (s) => ({ signer: s.address, signature: await signBatch(s, domain, batch) }))),
      );
      await (await submitter.handleSignedTransfers(batch, signatures, { gasLimit })).wait();
    }
    const directMs = performance.now() - d0;
    if ((await bridge.lowerHandleNonce()) !== BigInt(RELAYER_TRANSFERS)) throw new Error("the direct handles fell short");

    return {
      transfersPerSecond: Math.round(RELAYER_TRANSFERS / (relayedMs / 1000)),
      // the relayers' own time: from the block that holds the requests being mined to the last handle
      overheadRatio: Math.round(((relayedMs - requestMs) / directMs) * 100) / 100,
      relayedMs: Math.round(relayedMs),
      requestMs: Math.round(requestMs),
      directMs: Math.round(directMs),
      transfers: RELAYER_TRANSFERS,
      batchSize: RELAYER_BATCH_SIZE,
    };
  });
}

if (process.env.BENCH_RELAYER_ONLY === "1") console.log(await measureRelayer());
