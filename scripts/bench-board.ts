/**
 * The relayers' throughput through the signature board, for `npm run bench` (scripts/bench.ts): two in-process
 * chains, 3 operators at 2 of 3, each operator's relayer with its own store and its own reader of the board (nothing
 * shared but the chains), 1,000 KIP7 transfers requested at once on the parent and relayed to the child in signed
 * batches of 200 whose signatures are posted on the child chain's SignatureBoard. Measured: transfers per second from
 * the first request to the last handle, the 95th percentile of each transfer's latency from the mining of its
 * request's block to its handle, and the child-chain gas one operator pays to post its signature of one batch.
 */
import { MaxUint256 } from "ethers";
import type { Signer } from "ethers";
import { network } from "hardhat";

import { SignatureBoard__factory } from "../types/ethers-contracts/index.js";
import { BoardFeed, boardWiring, silentLogger } from "../src/relayer/index.js";
import type { Relayer } from "../src/relayer/index.js";
import { BoardKind } from "../src/protocol/board.js";
import { deployPair, relayerFor, temporaryDirectory, ONE } from "../test/relayer/helpers.js";
import { RELAYER_BATCH_SIZE, RELAYER_TRANSFERS } from "./bench-relayer.js";

/** One run's board figures (`scripts/bench.ts` takes the median of several). */
export interface BoardRun {
  transfersPerSecond: number;
  p95LatencyMs: number;
  boardGasPerOperatorPerBatch: number;
  relayedMs: number;
  transfers: number;
  batchSize: number;
}

const hex = (n: number | bigint) => `0x${n.toString(16)}`;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export async function measureBoard(): Promise<BoardRun> {
  const parent = await network.create("parent");
  const child = await network.create("child");
  const dir = temporaryDirectory("bench-board-");
  const relayers: Relayer[] = [];
  const controller = new AbortController();
  try {
    const pair = await deployPair(parent, child);
    const user = pair.parent.signers.find((s) => s.address === pair.user)!;
    const bridgeAddress = await pair.parent.bridge.getAddress();
    const token = await pair.parent.kip7.getAddress();
    await (await pair.parent.kip7.connect(user).approve(bridgeAddress, MaxUint256)).wait();
    const board = await new SignatureBoard__factory(pair.child.signers[0]).deploy(await pair.child.bridge.getAddress());
    const boardBlock = (await board.deploymentTransaction()!.wait())!.blockNumber;
    for (const index of [0, 1, 2]) {
      const signer: Signer = pair.child.signers.find((s) => s.address === pair.operators[index])!;
      const feed = await BoardFeed.open({ board: await board.getAddress(), signer, deployedBlock: boardBlock, minSyncIntervalMs: 50, log: silentLogger });
      relayers.push(
        await relayerFor(pair, index, dir.path, {
          exchange: boardWiring(feed),
          signatureWaitMs: 30_000,
          submitGraceMs: 5_000,
          batchSize: RELAYER_BATCH_SIZE,
          pollIntervalMs: 10,
          logger: silentLogger,
        }),
      );
    }

    const amount = ONE / 1000n;
    const data = pair.parent.bridge.interface.encodeFunctionData("requestERC20Transfer", [token, pair.user, amount, 0, "0x"]);
    const firstNonce = await user.getNonce();
    const gasPrice = hex((await parent.ethers.provider.getFeeData()).maxFeePerGas ?? 10n ** 10n);
    await parent.provider.request({ method: "evm_setAutomine", params: [false] });
    const running = relayers.map((relayer) => relayer.run(controller.signal));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const t0 = performance.now();
    const sent: Promise<unknown>[] = [];
    for (let i = 0; i < RELAYER_TRANSFERS; i++) {
      sent.push(
        parent.provider.request({
          method: "eth_sendTransaction",
          params: [{ from: pair.user, to: bridgeAddress, data, nonce: hex(firstNonce + i), gas: hex(150_000), gasPrice }],
        }),
      );
    }
    await Promise.all(sent);
    // when each block of requests was mined, and when each request nonce was seen handled
    const minedAt = new Map<number, number>();
    const lastNonce = hex(firstNonce + RELAYER_TRANSFERS);
    while ((await parent.provider.request({ method: "eth_getTransactionCount", params: [pair.user, "latest"] })) !== lastNonce) {
      await parent.provider.request({ method: "evm_mine", params: [] });
      minedAt.set(await parent.ethers.provider.getBlockNumber(), performance.now());
    }
    await parent.provider.request({ method: "evm_setAutomine", params: [true] });
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
  } finally {
    controller.abort();
    for (const relayer of relayers) relayer.close();
    await parent.close();
    await child.close();
    dir.cleanup();
  }
}

if (process.env.BENCH_BOARD_ONLY === "1") console.log(await measureBoard());
