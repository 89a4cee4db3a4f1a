/**
 * The relayers' throughput through the signature board, for `npm run bench` (scripts/bench.ts): two in-process
 * chains, 3 operators at 2 of 3, each operator's relayer with its own store and its own reader of the board (nothing
 * shared but the chains), 1,000 KIP7 transfers requested at once on the parent and relayed to the child in signed
 * batches of 200 whose signatures are posted on the child chain's SignatureBoard. Measured: transfers per second from
 * the first request to the last handle, the 95th percentile of each transfer's latency from the mining of its
 * request's block to its handle, and the child-chain gas one operator pays to post its signature of one batch.
 */
import type { Signer } from "ethers";

import { SignatureBoard__factory } from "../types/ethers-contracts/index.js";
import { BoardFeed, boardWiring, silentLogger } from "../src/relayer/index.js";
import { BoardKind } from "../src/protocol/board.js";
import { relayerFor } from "../test/relayer/helpers.js";
import { BENCH_RELAYER_OPTIONS, RELAYER_BATCH_SIZE, RELAYER_TRANSFERS, requestTransfers, withBenchPair } from "./bench-pair.js";

/** One run's board figures (`scripts/bench.ts` takes the median of several). */
export interface BoardRun {
  transfersPerSecond: number;
  p95LatencyMs: number;
  boardGasPerOperatorPerBatch: number;
  relayedMs: number;
  transfers: number;
  batchSize: number;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export async function measureBoard(): Promise<BoardRun> {
  return withBenchPair("bench-board-", async (bench) => {
    const { child, pair, relayers, controller } = bench;
    const board = await new SignatureBoard__factory(pair.child.signers[0]).deploy(await pair.child.bridge.getAddress());
    const boardBlock = (await board.deploymentTransaction()!.wait())!.blockNumber;
    for (const index of [0, 1, 2]) {
      const signer: Signer = pair.child.signers.find((s) => s.address === pair.operators[index])!;
      const feed = await BoardFeed.open({ board: await board.getAddress(), signer, deployedBlock: boardBlock, minSyncIntervalMs: 50, log: silentLogger });
      relayers.push(
        await relayerFor(pair, index, bench.dir, { ...BENCH_RELAYER_OPTIONS, exchange: boardWiring(feed), logger: silentLogger }),
      );
    }

    // when each block of requests was mined, and when each request nonce was seen handled
    const minedAt = new Map<number, number>();
    const { running, t0 } = await requestTransfers(bench, { mined: (block) => minedAt.set(block, performance.now()) });
    const handledAt: number[] = [];
    for (;;) {
      const lower = Number(await pair.child.bridge.lowerHandleNonce());
      const now = performance.now();
      while (handledAt.length < lower) handledAt.push(now);
      if (lower >= RELAYER_TRANSFERS) break;
      if (now - t0 > 60_000) throw new Error(`relaying through the board timed out at ${lower}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const relayedMs = performance.now() - t0;
    controller.abort();
    await Promise.all(running);

    const latencies = relayers[0].store.allTransfers("parent").map((transfer) => {
      const nonce = Number(transfer.request.requestNonce);
      const mined = minedAt.get(Number(transfer.request.requestBlockNumber)) ?? t0;
      return handledAt[nonce] - mined;
    });
    // the gas of each batch post, shared among the posts of its transaction
    const posts = (await board.queryFilter(board.filters.Posted())).filter((event) => Number(event.args.kind) === BoardKind.Batch);
    const perTx = new Map<string, number>();
    for (const post of posts) perTx.set(post.transactionHash, (perTx.get(post.transactionHash) ?? 0) + 1);
    const gasPerPost: number[] = [];
    for (const [hash, count] of perTx) {
      const receipt = await child.ethers.provider.getTransactionReceipt(hash);
      for (let i = 0; i < count; i++) gasPerPost.push(Number(receipt!.gasUsed) / count);
    }
    if ((await pair.child.bridge.queryFilter(pair.child.bridge.filters.VoteCast())).length > 0) {
      throw new Error("a transfer went by votes: the board run is not a signed-path figure");
    }
    return {
      transfersPerSecond: Math.round(RELAYER_TRANSFERS / (relayedMs / 1000)),
      p95LatencyMs: Math.round(percentile(latencies, 95)),
      boardGasPerOperatorPerBatch: Math.round(percentile(gasPerPost, 50)),
      relayedMs: Math.round(relayedMs),
      transfers: RELAYER_TRANSFERS,
      batchSize: RELAYER_BATCH_SIZE,
    };
  });
}

if (process.env.BENCH_BOARD_ONLY === "1") console.log(await measureBoard());
