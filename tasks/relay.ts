import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { connectNetwork } from "../src/hardhat/network.js";
import { anchorPeriodOf, readDeployment } from "../src/deployments.js";
import { BridgeTaskError } from "../src/errors.js";
import { startPairRelayer } from "../src/relay.js";
import { BridgeMetrics } from "../src/ops/metrics.js";
import { observePairRelayer } from "../src/ops/metrics-observer.js";
import { DEFAULT_METRICS_HOST, startMetricsServer } from "../src/ops/metrics-server.js";
import type { MetricsServer } from "../src/ops/metrics-server.js";
import { lineLogger } from "../src/relayer/index.js";
import { parseAddress, parsePairName } from "../src/validate.js";
import { print, runTask } from "./run.js";

interface Args {
  pair?: string;
  operator?: string;
  once: boolean;
  confirmations?: string;
  anchorEvery?: string;
  signatureWait?: string;
  votes: boolean;
  exchange?: string;
  json: boolean;
  failedRetries?: string;
  cancelHeld: boolean;
  metricsPort?: string;
  metricsHost?: string;
  readyLag?: string;
}

function wholeNumber(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) throw new BridgeTaskError(`${option}: must be a whole number >= 0 (got "${value}")`);
  return Number(value.trim());
}

export default async function (args: Args, hre: HardhatRuntimeEnvironment) {
  return runTask("bridge relay", hre, async () => {
    const name = parsePairName(args.pair, "pair");
    // an address, or an index among the networks' accounts
    const operator =
      args.operator === undefined || /^\d+$/.test(args.operator.trim()) ? args.operator : parseAddress(args.operator, "operator");
    const confirmations = wholeNumber(args.confirmations, "confirmations");
    const anchorEvery = wholeNumber(args.anchorEvery, "anchor-every") ?? 0;
    const signatureWait = wholeNumber(args.signatureWait, "signature-wait") ?? (args.once ? 5 : 30);
    const failedRetries = wholeNumber(args.failedRetries, "failed-retries") ?? 3;
    const metricsPort = wholeNumber(args.metricsPort, "metrics-port");
    if (metricsPort !== undefined && (metricsPort < 1 || metricsPort > 65_535)) {
      throw new BridgeTaskError(`metrics-port: must be a port from 1 to 65535 (got ${metricsPort})`);
    }
    const readyLag = wholeNumber(args.readyLag, "ready-lag");
    if (metricsPort === undefined && (args.metricsHost !== undefined || readyLag !== undefined)) {
      throw new BridgeTaskError(`${args.metricsHost !== undefined ? "metrics-host" : "ready-lag"}: needs --metrics-port`);
    }
    if (args.metricsHost !== undefined && args.metricsHost.trim() === "") {
      throw new BridgeTaskError(`metrics-host: empty; give an address of this machine (default ${DEFAULT_METRICS_HOST})`);
    }
    const exchange = args.exchange?.trim();
    if (exchange !== undefined && exchange !== "board" && exchange !== "dir") {
      throw new BridgeTaskError(`exchange: must be board or dir (got "${args.exchange}")`);
    }
    if (exchange !== undefined && args.votes) throw new BridgeTaskError("exchange: --votes exchanges no signatures; give one of the two");
    const deployment = await readDeployment(name);
    if (exchange === "board" && deployment.child.signatureBoard === undefined) {
      throw new BridgeTaskError(
        `exchange: pair "${name}" records no signature board; hint: add one with \`npx hardhat bridge board deploy --pair ${name}\`, or relay with --exchange dir (relayers on one machine)`,
      );
    }
    if (anchorEvery > 0 && deployment.parent.anchoringReceiver === undefined) {
      throw new BridgeTaskError(`anchor-every: pair "${name}" records no anchoring receiver`);
    }
    if (anchorEvery > 0 && anchorEvery !== anchorPeriodOf(deployment)) {
      print(`note: anchoring every ${anchorEvery} blocks; pair "${name}" anchors count ${anchorPeriodOf(deployment)} blocks each (--anchor-every ${anchorPeriodOf(deployment)} makes them tile)`);
    }
    // one operator key signs on both chains
    const parent = await connectNetwork(hre, deployment.parent.network, "parent", operator, "operator");
    const child = await connectNetwork(hre, deployment.child.network, "child", parent.signer.address, "operator");
    // the port is taken (or refused) before the relayer starts
    const metrics = metricsPort === undefined ? undefined : new BridgeMetrics();
    const server: MetricsServer | undefined =
      metrics === undefined ? undefined : await startMetricsServer(metrics, metricsPort as number, args.metricsHost?.trim() ?? DEFAULT_METRICS_HOST);
    // a network's confirmations count the mined block as the first; the relayer counts the blocks after it
    const scanBehind = { parent: confirmations ?? parent.confirmations - 1, child: confirmations ?? child.confirmations - 1 };
    const logger = lineLogger({ json: args.json });
    const relayer = await startPairRelayer(deployment, { parent, child }, {
      confirmations: scanBehind,
      anchorEvery,
      signatures: !args.votes,
      exchange,
      signatureWaitMs: signatureWait * 1000,
      failedRetries,
      cancelHeld: args.cancelHeld,
      logger: metrics?.logger(logger) ?? logger,
    }).catch(async (error: unknown) => {
      await server?.close();
      throw error;
    });
    if (server !== undefined && metrics !== undefined) {
      server.observe(observePairRelayer(metrics, relayer, deployment, { parent, child }, scanBehind, readyLag));
      print(`metrics: ${server.url}/metrics (also /live and /ready)`);
    }
    // a reader that stops reading (`bridge relay … | head`) ends the relayer quietly, not with a stack trace
    process.stdout.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
      relayer.close();
      process.exit(0);
    });
    try {
      if (args.once) {
        await relayer.runOnce();
        return;
      }
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      await relayer.run(controller.signal);
    } finally {
      // the endpoints go first: a scrape reads the store
      await server?.close();
      relayer.close();
    }
  });
}
