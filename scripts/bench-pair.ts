/**
 * What the relayer benchmarks share (scripts/bench-relayer.ts, scripts/bench-board.ts): two in-process chains with a
 * deployed pair (3 operators at 2 of 3) and its user's KIP7 approved, the relayers' settings, the 1,000 requests
 * handed to the parent node at once and mined as they come, and the wait for their last handle on the child.
 * Everything a run starts is closed whatever happens.
 */
import { MaxUint256 } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { network } from "hardhat";

import type { Relayer } from "../src/relayer/index.js";
import { deployPair, temporaryDirectory, ONE, type Connection, type Pair } from "../test/relayer/helpers.js";

export const RELAYER_TRANSFERS = 1000;
/** Transfers per signed batch, for the relayers and the direct baseline alike. */
export const RELAYER_BATCH_SIZE = 200;

/** The relayers' settings in every bench run (each adds its exchange and logger). */
export const BENCH_RELAYER_OPTIONS = {
  signatureWaitMs: 30_000,
  submitGraceMs: 5_000,
  batchSize: RELAYER_BATCH_SIZE,
  pollIntervalMs: 10,
};

export const hex = (n: number | bigint) => `0x${n.toString(16)}`;

/** One bench run's chains and pair; `relayers` and `controller` are stopped when the run ends. */
export interface BenchPair {
  parent: Connection;
  child: Connection;
  pair: Pair;
  user: HardhatEthersSigner;
  bridgeAddress: string;
  token: string;
  /** A scratch directory for the relayers' stores, removed when the run ends. */
  dir: string;
  relayers: Relayer[];
  controller: AbortController;
}

/** Runs `measure` on a fresh pair; closes its relayers, chains and directory afterwards, whatever happens. */
export async function withBenchPair<T>(prefix: string, measure: (bench: BenchPair) => Promise<T>): Promise<T> {
  const parent = await network.create("parent");
  const child = await network.create("child");
  const dir = temporaryDirectory(prefix);
  const relayers: Relayer[] = [];
  const controller = new AbortController();
  try {
    const pair = await deployPair(parent, child);
    const user = pair.parent.signers.find((s) => s.address === pair.user)!;
    const bridgeAddress = await pair.parent.bridge.getAddress();
    const token = await pair.parent.kip7.getAddress();
    await (await pair.parent.kip7.connect(user).approve(bridgeAddress, MaxUint256)).wait();
    return await measure({ parent, child, pair, user, bridgeAddress, token, dir: dir.path, relayers, controller });
  } finally {
    controller.abort();
    for (const relayer of relayers) relayer.close();
    await parent.close();
    await child.close();
    dir.cleanup();
  }
}

/**
 * The requests: RELAYER_TRANSFERS KIP7 transfers handed to the parent node at once (explicit nonces and gas), mined
 * as they come. The relayers run from before the first request (their first step done, as relayers that have been
 * running) and read the requests as they are mined. `started` is told the time of the first request, `mined` each
 * block mined. Returns the running relayers' promises, the time of the first request and when the last was mined.
 */
export async function requestTransfers(
  bench: BenchPair,
  hooks: { started?: (t0: number) => void; mined?: (block: number) => void } = {},
): Promise<{ running: Promise<void>[]; t0: number; requestMs: number }> {
  const { parent, pair, user, bridgeAddress, token, relayers, controller } = bench;
  const amount = ONE / 1000n;
  const data = pair.parent.bridge.interface.encodeFunctionData("requestERC20Transfer", [token, pair.user, amount, 0, "0x"]);
  const firstNonce = await user.getNonce();
  const gasPrice = hex((await parent.ethers.provider.getFeeData()).maxFeePerGas ?? 10n ** 10n);
  await parent.provider.request({ method: "evm_setAutomine", params: [false] });
  const running = relayers.map((relayer) => relayer.run(controller.signal));
  await new Promise((resolve) => setTimeout(resolve, 500));
  const t0 = performance.now();
  hooks.started?.(t0);
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
    if (hooks.mined !== undefined) hooks.mined(await parent.ethers.provider.getBlockNumber());
  }
  const requestMs = performance.now() - t0;
  await parent.provider.request({ method: "evm_setAutomine", params: [true] });
  return { running, t0, requestMs };
}
