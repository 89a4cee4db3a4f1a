/**
 * The relayer's throughput, for `npm run bench` (scripts/bench.ts): two in-process chains, 3 operators at 2 of 3,
 * 1,000 KIP7 transfers requested at once on the parent and relayed to the child by the three operators' relayers
 * (signed path, signatures exchanged through a shared directory), timed from the first request to the last handle;
 * then the same handles signed by two operators and submitted directly, in the same batches, on a fresh child bridge.
 */
import { join } from "node:path";

import { MaxUint256 } from "ethers";
import { network } from "hardhat";

import { Bridge__factory, ServiceChainKIP7__factory } from "../types/ethers-contracts/index.js";
import { silentLogger, toSignedTransfer } from "../src/relayer/index.js";
import type { Relayer, RelayerLogger } from "../src/relayer/index.js";
import { bridgeDomain, packSignatures, signBatch, type SignedTransfer } from "../src/signatures.js";
import { deployPair, relayerFor, temporaryDirectory, ONE } from "../test/relayer/helpers.js";

export const RELAYER_TRANSFERS = 1000;
/** Transfers per signed batch, for the relayers and the direct baseline alike. */
export const RELAYER_BATCH_SIZE = 200;


const hex = (n: number | bigint) => `0x${n.toString(16)}`;

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
  const parent = await network.create("parent");
  const child = await network.create("child");
  const dir = temporaryDirectory("bench-relayer-");
  const relayers: Relayer[] = [];
  const controller = new AbortController();
  let t0 = 0;
  try {
    const pair = await deployPair(parent, child);
    const user = pair.parent.signers.find((s) => s.address === pair.user)!;
    const bridgeAddress = await pair.parent.bridge.getAddress();
    const token = await pair.parent.kip7.getAddress();
    await (await pair.parent.kip7.connect(user).approve(bridgeAddress, MaxUint256)).wait();
    const signatureDir = join(dir.path, "signatures");
    for (const index of [0, 1, 2]) {
      relayers.push(
        await relayerFor(pair, index, dir.path, {
          signatureDir,
          signatureWaitMs: 30_000,
          submitGraceMs: 5_000,
          batchSize: RELAYER_BATCH_SIZE,
          pollIntervalMs: 10,
          logger: process.env.BENCH_RELAYER_LOG === "1" ? timedLogger(index, () => t0) : silentLogger,
        }),
      );
    }

    // the requests: 1,000 transactions handed to the node at once (explicit nonces and gas), mined as they come
    const amount = ONE / 1000n;
    const data = pair.parent.bridge.interface.encodeFunctionData("requestERC20Transfer", [token, pair.user, amount, 0, "0x"]);
    const firstNonce = await user.getNonce();
    const gasPrice = hex((await parent.ethers.provider.getFeeData()).maxFeePerGas ?? 10n ** 10n);
    await parent.provider.request({ method: "evm_setAutomine", params: [false] });
    // the relayers run from before the first request (their first step done, as a relayer that has been running):
    // they read the requests as they are mined
    const running = relayers.map((relayer) => relayer.run(controller.signal));
    await new Promise((resolve) => setTimeout(resolve, 500));
    t0 = performance.now();
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
    const lastNonce = hex(firstNonce + RELAYER_TRANSFERS);
    while ((await parent.provider.request({ method: "eth_getTransactionCount", params: [pair.user, "latest"] })) !== lastNonce) {
      await parent.provider.request({ method: "evm_mine", params: [] });
    }
    const requestMs = performance.now() - t0;
    if (process.env.BENCH_RELAYER_LOG === "1") console.log(Math.round(requestMs), "requests mined");
    await parent.provider.request({ method: "evm_setAutomine", params: [true] });
    while ((await pair.child.bridge.lowerHandleNonce()) < BigInt(RELAYER_TRANSFERS)) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (performance.now() - t0 > 30_000) throw new Error(`relaying timed out at ${await pair.child.bridge.lowerHandleNonce()}`);
    }
    const relayedMs = performance.now() - t0;
    controller.abort();
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
      overheadRatio: Math.round((relayedMs / directMs) * 100) / 100,
      relayedMs: Math.round(relayedMs),
      requestMs: Math.round(requestMs),
      directMs: Math.round(directMs),
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

if (process.env.BENCH_RELAYER_ONLY === "1") console.log(await measureRelayer());
