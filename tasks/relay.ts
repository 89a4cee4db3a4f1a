import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { connectNetwork } from "../src/hardhat/network.js";
import { anchorPeriodOf, readDeployment } from "../src/deployments.js";
import { BridgeTaskError } from "../src/errors.js";
import { startPairRelayer } from "../src/relay.js";
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
    const parent = await connectNetwork(hre, deployment.parent.network, "parent", operator);
    const child = await connectNetwork(hre, deployment.child.network, "child", parent.signer.address);
    const relayer = await startPairRelayer(deployment, { parent, child }, {
      // a network's confirmations count the mined block as the first; the relayer counts the blocks after it
      confirmations: { parent: confirmations ?? parent.confirmations - 1, child: confirmations ?? child.confirmations - 1 },
      anchorEvery,
      signatures: !args.votes,
      exchange,
      signatureWaitMs: signatureWait * 1000,
      failedRetries,
      cancelHeld: args.cancelHeld,
      logger: lineLogger({ json: args.json }),
    });
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
      relayer.close();
    }
  });
}
