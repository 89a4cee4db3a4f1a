/**
 * The relayers' throughput through the signature board, for `npm run bench` (scripts/bench.ts), with nothing shared
 * but the chains: two `hardhat node` processes on 127.0.0.1, a pair of 3 operators at 2 of 3 deployed with its board
 * by `bridge deploy` and a KIP7 token by `bridge token deploy`, and each operator's relayer in a process of its own
 * (scripts/bench-board-relayer.ts, each with its own BRIDGE_RELAYER_DIR). Once the three relayers have started,
 * 1,000 KIP7 transfers are handed to the parent node at once and mined as they come, in blocks of about one batch
 * (the parent's block gas limit set to REQUEST_BLOCK_GAS), and relayed to the child in signed batches of 200 whose
 * signatures go through the child chain's SignatureBoard.
 *
 * Measured: transfers per second from the first request to the last handle, the 95th percentile of each transfer's
 * latency from the mining of its request's block to the child block that handles it (announced over the node's
 * WebSocket), and the child-chain gas one operator pays to post its signature of one batch. Every process a run starts
 * is stopped when it ends, whatever happens.
 */
import type { ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";

import { JsonRpcProvider, MaxUint256, WebSocketProvider } from "ethers";

import type { PairDeployment } from "../src/deployments.js";
import { BoardKind } from "../src/protocol/board.js";
import { type Bridge, Bridge__factory, KIP7Token__factory, SignatureBoard__factory } from "../types/ethers-contracts/index.js";
import { runBridge, startDetached, startLocalPair, stopAll, until } from "../test/helpers/local-nodes.js";
import { RELAYER_BATCH_SIZE, RELAYER_TRANSFERS, hex } from "./bench-pair.js";

/** One run's board figures (`scripts/bench.ts` takes the median of several). */
export interface BoardRun {
  transfersPerSecond: number;
  p95LatencyMs: number;
  boardGasPerOperatorPerBatch: number;
  relayedMs: number;
  requestMs: number;
  transfers: number;
  batchSize: number;
}

const PAIR = "bench";
/**
 * The parent's block gas limit during the requests: about one batch of KIP7 requests (57,735 gas each) per block, as
 * a chain with a block gas limit mines a burst. Without it the node packs all 1,000 into one 58M-gas block, which
 * EDR takes about twice as long to mine as five of 12M, and no relayer can start before that one block is mined.
 */
const REQUEST_BLOCK_GAS = BigInt(RELAYER_BATCH_SIZE) * 60_000n;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** A relayer process and the lines it printed. */
interface RelayerProcess {
  process: ChildProcess;
  lines: string[];
  errors: string[];
}

function startRelayer(env: NodeJS.ProcessEnv, dir: string, operator: number): RelayerProcess {
  const child = startDetached(
    // the bench compiled the project already: three processes compiling at once would race on its cache
    ["hardhat", "run", "--no-compile", "scripts/bench-board-relayer.ts"],
    { ...env, BENCH_PAIR: PAIR, BENCH_OPERATOR: String(operator), BRIDGE_RELAYER_DIR: path.join(dir, `operator-${operator}`) },
    "pipe",
  );
  const relayer: RelayerProcess = { process: child, lines: [], errors: [] };
  const collect = (into: string[]) => {
    let rest = "";
    return (chunk: Buffer) => {
      const parts = (rest + chunk.toString("utf8")).split("\n");
      rest = parts.pop() ?? "";
      into.push(...parts);
      if (into.length > 10_000) into.splice(0, into.length - 10_000);
    };
  };
  child.stdout?.on("data", collect(relayer.lines));
  child.stderr?.on("data", collect(relayer.errors));
  return relayer;
}

/** Whether the relayer has started both directions; throws when its process is gone. */
function started(relayer: RelayerProcess): boolean {
  if (relayer.process.exitCode !== null || relayer.process.signalCode !== null) {
    throw new Error(`a bench relayer exited (${relayer.process.exitCode ?? relayer.process.signalCode}): ${relayer.errors.slice(-5).join(" | ")}`);
  }
  return relayer.lines.filter((line) => line.includes('"action":"start"')).length >= 2;
}

/**
 * Stops `processes` (process groups) if this process exits or is interrupted before its own `finally` runs; returns
 * the function that stops watching.
 */
function stopOnExit(processes: ChildProcess[]): () => void {
  const kill = () => {
    for (const child of processes) {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) continue;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // gone already
      }
    }
  };
  const interrupted = () => {
    kill();
    process.exit(130);
  };
  process.on("exit", kill);
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  return () => {
    process.off("exit", kill);
    process.off("SIGINT", interrupted);
    process.off("SIGTERM", interrupted);
  };
}

/** With BENCH_RELAYER_LOG=1: the relayers' lines (but each request and handle) with the ms since the first request. */
function printTimeline(relayers: RelayerProcess[], wallT0: number, requestMs: number): void {
  console.log(Math.round(requestMs), "requests mined");
  const lines = relayers.flatMap((relayer, index) =>
    relayer.lines
      .filter((line) => line.startsWith("{") && !/"action":"(request|handled)"/.test(line))
      .map((line) => {
        const { time, ...rest } = JSON.parse(line) as { time: string };
        return { at: Date.parse(time) - wallT0, text: `${index} ${JSON.stringify(rest).slice(0, 160)}` };
      }),
  );
  for (const line of lines.filter((entry) => entry.at >= -1000).sort((a, b) => a.at - b.at)) console.log(line.at, line.text);
}

/**
 * Records when the child bridge's `lowerHandleNonce` passes each request from `first` on: read at each new child
 * block, which the node pushes over its WebSocket (`eth_subscribe` newHeads), so the bench adds no polling load to the
 * chain the relayers write to; a transfer's time is when its block was announced.
 */
function watchHandles(httpUrl: string, bridge: Bridge, first: bigint): { at: number[]; close: () => void } {
  const socket = new WebSocketProvider(httpUrl.replace(/^http/, "ws"), undefined, { staticNetwork: true });
  const at: number[] = [];
  let reading = Promise.resolve();
  void socket.on("block", (block: number) => {
    const announced = performance.now();
    reading = reading.then(async () => {
      const handled = Number((await bridge.lowerHandleNonce({ blockTag: block })) - first);
      while (at.length < handled) at.push(announced);
    });
  });
  return { at, close: () => void socket.destroy() };
}

export async function measureBoard(): Promise<BoardRun> {
  const local = await startLocalPair("bench-board-", "deployer");
  const processes: ChildProcess[] = [local.parentNode, local.childNode];
  const unwatch = stopOnExit(processes);
  const parent = new JsonRpcProvider(local.parentUrl, undefined, { staticNetwork: true, batchMaxCount: 1 });
  const child = new JsonRpcProvider(local.childUrl, undefined, { staticNetwork: true, batchMaxCount: 1 });
  let handles: ReturnType<typeof watchHandles> | undefined;
  try {
    // the nodes' output goes nowhere: their per-call console log (each call decoded against the build info) only
    // takes CPU from the relayers on these two cores
    await Promise.all([parent.send("hardhat_setLoggingEnabled", [false]), child.send("hardhat_setLoggingEnabled", [false])]);
    const bridge = async (...args: string[]) => {
      const result = await runBridge(local.env, ...args);
      if (result.code !== 0) throw new Error(`bridge ${args.join(" ")}: ${result.stderr.trim()}`);
    };
    const accounts = (await parent.listAccounts()).map((account) => account.address);
    const [user, ...operators] = accounts.slice(0, 4);
    await bridge("deploy", "--parent", "localParent", "--child", "localChild", "--name", PAIR, "--operators", operators.join(","), "--threshold", "2");
    await bridge("token", "deploy", "--pair", PAIR, "--type", "kip7", "--name", "Gold", "--symbol", "GLD");
    const deployment = JSON.parse(await readFile(path.join(local.dir, "deployments", `${PAIR}.json`), "utf8")) as PairDeployment;
    if (deployment.child.signatureBoard === undefined) throw new Error("bridge deploy recorded no signature board");
    const [token] = deployment.tokens;
    const parentBridge = Bridge__factory.connect(deployment.parent.bridge, parent);
    const childBridge = Bridge__factory.connect(deployment.child.bridge, child);
    await (await KIP7Token__factory.connect(token.parent, await parent.getSigner(user)).approve(deployment.parent.bridge, MaxUint256)).wait();

    const firstRequestNonce = await parentBridge.requestNonce();
    const relayers = [1, 2, 3].map((operator) => startRelayer(local.env, local.dir, operator));
    processes.push(...relayers.map((relayer) => relayer.process));
    await until(() => Promise.resolve(relayers.every(started)), "the three bench relayers to start", 180_000);
    await new Promise((resolve) => setTimeout(resolve, 500));

    handles = watchHandles(local.childUrl, childBridge, firstRequestNonce);
    // the requests: handed to the parent node at once (one JSON-RPC batch, explicit nonces and gas), mined as they come
    const firstNonce = await parent.getTransactionCount(user);
    const data = parentBridge.interface.encodeFunctionData("requestERC20Transfer", [token.parent, user, 10n ** 15n, 0, "0x"]);
    const gasPrice = hex((await parent.getFeeData()).maxFeePerGas ?? 10n ** 10n);
    await parent.send("evm_setBlockGasLimit", [hex(REQUEST_BLOCK_GAS)]);
    await parent.send("evm_setAutomine", [false]);
    const t0 = performance.now();
    const wallT0 = Date.now();
    const calls = Array.from({ length: RELAYER_TRANSFERS }, (_, i) => ({
      jsonrpc: "2.0",
      id: i,
      method: "eth_sendTransaction",
      params: [{ from: user, to: deployment.parent.bridge, data, nonce: hex(firstNonce + i), gas: hex(150_000), gasPrice }],
    }));
    const response = await fetch(local.parentUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(calls) });
    const answers = (await response.json()) as { error?: { message: string } }[];
    const refused = answers.find((answer) => answer.error !== undefined);
    if (refused !== undefined) throw new Error(`a request was refused: ${refused.error?.message}`);
    // when the block holding each request was mined, by the position of its transaction
    const minedAt: number[] = [];
    while (minedAt.length < RELAYER_TRANSFERS) {
      await parent.send("evm_mine", []);
      const mined = (await parent.getTransactionCount(user, "latest")) - firstNonce;
      const now = performance.now();
      while (minedAt.length < mined) minedAt.push(now);
    }
    await parent.send("evm_setAutomine", [true]);
    const requestMs = performance.now() - t0;

    // when each request was seen handled on the child (pushed by the watcher started before the requests)
    while (handles.at.length < RELAYER_TRANSFERS) {
      if (performance.now() - t0 > 120_000) throw new Error(`relaying through the board timed out at ${handles.at.length}`);
      relayers.forEach(started);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const handledAt = handles.at;
    const relayedMs = handledAt[RELAYER_TRANSFERS - 1] - t0;
    if (process.env.BENCH_RELAYER_LOG === "1") printTimeline(relayers, wallT0, requestMs);
    const latencies = handledAt.map((at, i) => at - minedAt[i]);

    // the gas of each batch post, shared among the posts of its transaction
    const board = SignatureBoard__factory.connect(deployment.child.signatureBoard, child);
    const posts = (await board.queryFilter(board.filters.Posted())).filter((event) => Number(event.args.kind) === BoardKind.Batch);
    const perTx = new Map<string, number>();
    for (const post of posts) perTx.set(post.transactionHash, (perTx.get(post.transactionHash) ?? 0) + 1);
    const gasPerPost: number[] = [];
    for (const [hash, count] of perTx) {
      const receipt = await child.getTransactionReceipt(hash);
      for (let i = 0; i < count; i++) gasPerPost.push(Number(receipt!.gasUsed) / count);
    }
    if ((await childBridge.queryFilter(childBridge.filters.VoteCast())).length > 0) {
      throw new Error("a transfer went by votes: the board run is not a signed-path figure");
    }
    return {
      transfersPerSecond: Math.round(RELAYER_TRANSFERS / (relayedMs / 1000)),
      p95LatencyMs: Math.round(percentile(latencies, 95)),
      boardGasPerOperatorPerBatch: Math.round(percentile(gasPerPost, 50)),
      relayedMs: Math.round(relayedMs),
      requestMs: Math.round(requestMs),
      transfers: RELAYER_TRANSFERS,
      batchSize: RELAYER_BATCH_SIZE,
    };
  } finally {
    handles?.close();
    parent.destroy();
    child.destroy();
    await stopAll(processes, local.dir);
    unwatch();
  }
}

if (process.env.BENCH_BOARD_ONLY === "1") console.log(await measureBoard());
