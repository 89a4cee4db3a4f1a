// `bridge relay --metrics-port` against two `npx hardhat node` processes: every metric is served with its HELP text;
// the counters move when a transfer is handled, when one fails on the destination (a recipient that refuses KLAY) and
// when it is cancelled and refunded; the value in flight drains back to 0; `/ready` answers 503 while the child node
// is paused (SIGSTOP) and 200 again once it runs (SIGCONT). The nodes are the ones the command-line suites share
// (test/helpers/local-nodes.ts), let go on whatever happens; the relayer is stopped whatever happens.
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { readFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider, parseEther } from "ethers";

import type { PairDeployment } from "../../src/deployments.js";
import { Bridge__factory, KLAYRejecter__factory } from "../../types/ethers-contracts/index.js";
import { freePort, runBridge, startDetached, stop, stopAll, until } from "../helpers/local-nodes.js";
import { useSharedLocalPair } from "../helpers/shared-nodes.js";

const NAMES = [
  "bridge_pending_transfers",
  "bridge_oldest_pending_seconds",
  "bridge_transfers_total",
  "bridge_scanned_block",
  "bridge_head_lag_blocks",
  "bridge_operator_balance",
  "bridge_signatures_total",
  "bridge_value_in_flight",
  "bridge_last_anchored_block",
  "bridge_rpc_errors_total",
];

/** The value of the sample `name` whose labels include `labels` (undefined: no such sample). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) continue;
    return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

describe("bridge relay --metrics-port against two `npx hardhat node` processes", function () {
  this.timeout(120_000);

  let relayer: ChildProcess | undefined;
  let childNode: ChildProcess;
  let relayerOutput = "";
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let parentUrl: string;
  let childUrl: string;

  before(async function () {
    ({ dir, env, parentUrl, childUrl, childNode } = await useSharedLocalPair("bridge-metrics-"));
  });

  after(async function () {
    // a paused node (shared with the other command-line suites) is let go on
    if (childNode?.pid !== undefined) {
      try {
        process.kill(-childNode.pid, "SIGCONT");
      } catch {
        // gone already
      }
    }
    await stopAll([relayer], dir);
    if (this.currentTest?.state === "failed") console.log(relayerOutput);
  });

  it("serves every metric; counts handled, failed, cancelled and refunded transfers; /ready follows the chains", async function () {
    const deployed = await runBridge(env, "deploy", "--parent", "localParent", "--child", "localChild", "--name", "watch");
    expect(deployed.code, deployed.stderr).to.equal(0);
    const deployment = JSON.parse(await readFile(path.join(dir, "deployments", "watch.json"), "utf8")) as PairDeployment;
    const parent = new JsonRpcProvider(parentUrl, undefined, { staticNetwork: true });
    const child = new JsonRpcProvider(childUrl, undefined, { staticNetwork: true });
    // the user is the nodes' second account: the relayer's operator (the first) keeps its nonces to itself
    const user = await parent.getSigner(1);
    const rejecter = await (await new KLAYRejecter__factory(await child.getSigner(1)).deploy()).waitForDeployment();
    const parentBridge = Bridge__factory.connect(deployment.parent.bridge, user);
    // KLAY for the child bridge to pay out (what `bridge fund` sends)
    await (await Bridge__factory.connect(deployment.child.bridge, await child.getSigner(1)).chargeWithoutEvent({ value: parseEther("10") })).wait();

    // a port in use and a port that is no port: one line each, and no relayer started (checked while the relayer starts)
    const refused = async () => {
      const busy = createServer();
      await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
      const busyPort = (busy.address() as AddressInfo).port;
      try {
        const [inUse, noPort] = await Promise.all([
          runBridge(env, "relay", "--pair", "watch", "--metrics-port", String(busyPort), "--once"),
          runBridge(env, "relay", "--pair", "watch", "--metrics-port", "99999", "--once"),
        ]);
        for (const [result, pattern] of [
          [inUse, new RegExp(`^Error: metrics-port: 127\\.0\\.0\\.1:${busyPort} is in use; hint: `)],
          [noPort, /^Error: metrics-port: must be a port from 1 to 65535 \(got 99999\)$/],
        ] as const) {
          expect(result.code, result.stderr).to.equal(1);
          expect(result.stderr.trim().split("\n"), result.stderr).to.have.length(1);
          expect(result.stderr.trim()).to.match(pattern);
          expect(result.stdout, "no relayer line").not.to.match(/\bstart\b/);
        }
      } finally {
        await new Promise((resolve) => busy.close(resolve));
      }
    };
    const metricsPort = await freePort();
    const metricsUrl = `http://127.0.0.1:${metricsPort}`;
    relayer = startDetached(
      ["hardhat", "bridge", "relay", "--pair", "watch", "--metrics-port", String(metricsPort), "--failed-retries", "0", "--signature-wait", "1"],
      env,
      "pipe",
    );
    relayer.stdout?.on("data", (chunk: Buffer) => (relayerOutput += chunk.toString()));
    relayer.stderr?.on("data", (chunk: Buffer) => (relayerOutput += chunk.toString()));
    const status = async (route: string) => (await fetch(`${metricsUrl}${route}`).catch(() => undefined))?.status;
    const scrape = async () => (await fetch(`${metricsUrl}/metrics`)).text();
    await Promise.all([refused(), until(async () => (await status("/ready")) === 200, "the relayer to be ready", 45_000)]);
    expect(await status("/live")).to.equal(200);

    // every name, with its HELP text
    let text = await scrape();
    for (const name of NAMES) {
      expect(text, name).to.match(new RegExp(`^# HELP ${name} \\S.+$`, "m"));
      expect(text, name).to.match(new RegExp(`^${name}[{ ]`, "m"));
    }
    const operator = (await parent.getSigner(0)).address;
    expect(sample(text, "bridge_operator_balance", { side: "child", address: operator })).to.be.greaterThan(0);
    expect(sample(text, "bridge_scanned_block", { side: "parent" })).to.be.at.least(deployment.parent.deployedBlock);
    expect(sample(text, "bridge_transfers_total", { direction: "parent->child", outcome: "handled" })).to.equal(0);

    // a transfer relayed: handled, signed as a batch, nothing left pending
    await (await parentBridge.requestKLAYTransfer(user.address, parseEther("1"), "0x", { value: parseEther("1") })).wait();
    await until(
      async () => sample(await scrape(), "bridge_transfers_total", { direction: "parent->child", outcome: "handled" }) === 1,
      "the transfer to be handled",
    );
    text = await scrape();
    expect(sample(text, "bridge_signatures_total", { kind: "batch", operator })).to.be.at.least(1);
    expect(sample(text, "bridge_pending_transfers", { direction: "parent->child" })).to.equal(0);

    // a transfer to a recipient that refuses KLAY: handled, failed, then cancelled and refunded; while unpaid its
    // value is in flight, and it drains once refunded
    const rejected = { direction: "parent->child" };
    await (await parentBridge.requestKLAYTransfer(await rejecter.getAddress(), parseEther("2"), "0x", { value: parseEther("2") })).wait();
    let inFlight = 0;
    await until(async () => {
      text = await scrape();
      const now = sample(text, "bridge_value_in_flight", { asset: "KLAY", ...rejected }) ?? 0;
      inFlight = Math.max(inFlight, now);
      // one scrape reads the gauges before the counters: a refund can land between the two
      return sample(text, "bridge_transfers_total", { ...rejected, outcome: "refunded" }) === 1 && now === 0;
    }, "the failed transfer to be refunded and its value drained");
    expect(inFlight).to.equal(2);
    expect(sample(text, "bridge_transfers_total", { ...rejected, outcome: "handled" })).to.equal(2);
    expect(sample(text, "bridge_transfers_total", { ...rejected, outcome: "failed" })).to.equal(1);
    expect(sample(text, "bridge_transfers_total", { ...rejected, outcome: "cancelled" })).to.equal(1);
    expect(sample(text, "bridge_signatures_total", { kind: "cancel", operator })).to.equal(1);
    expect(sample(text, "bridge_signatures_total", { kind: "refund", operator })).to.equal(1);

    // the child node paused: not ready, and its reads count as RPC errors; running again: ready again
    const errorsBefore = sample(text, "bridge_rpc_errors_total", { side: "child" }) ?? 0;
    process.kill(-(childNode.pid as number), "SIGSTOP");
    await until(async () => (await status("/ready")) === 503, "/ready to answer 503", 15_000);
    const notReady = await (await fetch(`${metricsUrl}/ready`)).text();
    expect(notReady).to.match(/^not ready: child chain: no answer within/);
    text = await scrape();
    expect(sample(text, "bridge_rpc_errors_total", { side: "child" })).to.be.greaterThan(errorsBefore);
    expect(await status("/live")).to.equal(200);
    process.kill(-(childNode.pid as number), "SIGCONT");
    await until(async () => (await status("/ready")) === 200, "/ready to answer 200 again", 15_000);

    await stop(relayer);
    expect(relayer.exitCode ?? relayer.signalCode).to.not.equal(null);
  });
});
