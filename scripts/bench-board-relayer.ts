/**
 * One operator's relayer for the board benchmark (scripts/bench-board.ts starts three of these, each in its own
 * process): `bridge relay`'s own start-up (`startPairRelayer`: the setup checked, the pair's signature board read from
 * the child chain, a store in BRIDGE_RELAYER_DIR) with the bench's settings, which the task does not expose: batches
 * of 200, a step every 10 ms, one designated submitter, the board read every 50 ms. JSON log lines on stdout; stops on
 * SIGTERM or SIGINT.
 *
 *   BENCH_PAIR=name BENCH_OPERATOR=index BRIDGE_DEPLOYMENTS_DIR=… BRIDGE_RELAYER_DIR=… npx hardhat run scripts/bench-board-relayer.ts
 */
import hre from "hardhat";

import { readDeployment } from "../src/deployments.js";
import { connectNetwork } from "../src/hardhat/network.js";
import { startPairRelayer } from "../src/relay.js";
import { lineLogger } from "../src/relayer/index.js";
import { BENCH_RELAYER_OPTIONS } from "./bench-pair.js";

const name = process.env.BENCH_PAIR;
const operator = process.env.BENCH_OPERATOR;
if (name === undefined || operator === undefined) throw new Error("BENCH_PAIR and BENCH_OPERATOR must be set");
const deployment = await readDeployment(name);
const parent = await connectNetwork(hre, deployment.parent.network, "parent", operator);
const child = await connectNetwork(hre, deployment.child.network, "child", parent.signer.address);
const relayer = await startPairRelayer(deployment, { parent, child }, {
  ...BENCH_RELAYER_OPTIONS,
  confirmations: { parent: 0, child: 0 },
  exchange: "board",
  boardSyncIntervalMs: 50,
  logger: lineLogger({ json: true }),
});
const controller = new AbortController();
process.once("SIGINT", () => controller.abort());
process.once("SIGTERM", () => controller.abort());
try {
  await relayer.run(controller.signal);
} finally {
  relayer.close();
}
