// The metrics of a relayer driven step by step on two in-process chains: the gauges read from the store and the
// chains (pending count and age, value in flight per asset in units, scan lag and readiness, last anchor) and the
// counters fed by its log (handled, batch and anchor signatures).
import { expect } from "chai";

import { BridgeMetrics } from "../../src/ops/metrics.js";
import { RelayerObserver } from "../../src/ops/metrics-observer.js";
import { silentLogger } from "../../src/relayer/index.js";
import { deployPair, fundBridge, mine, ONE, relayerFor, requestEachKind, useTwoChains } from "../relayer/helpers.js";

async function value(metrics: BridgeMetrics, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const metric = metrics.registry.getSingleMetric(name);
  const data = await metric?.get();
  const found = data?.values.find((entry) =>
    Object.entries(labels).every(([key, expected]) => String((entry.labels as Record<string, unknown>)[key]) === expected),
  );
  return found?.value;
}

describe("relayer metrics read from the store and the chains", function () {
  const frame = useTwoChains("bridge-metrics-");

  it("follows transfers of each asset kind from pending to handled, the scan's lag and the anchors", async function () {
    const pair = await deployPair(frame.parent, frame.child, { operators: 1, threshold: 1 });
    await fundBridge(pair, "child", 100n * ONE);
    const metrics = new BridgeMetrics({ processMetrics: false });
    const relayer = await relayerFor(pair, 0, frame.directory.path, {
      anchorEvery: 10,
      signatureDir: `${frame.directory.path}/signatures`,
      logger: metrics.logger(silentLogger),
    });
    frame.relayers.push(relayer);
    // the observer's clock, set from the chain's: a chain reverted to a snapshot keeps the time of the snapshot, so
    // its blocks' times run behind the wall clock by how long the suite ran before
    let clock = Date.now();
    const observer = new RelayerObserver({
      metrics,
      store: relayer.store,
      operator: relayer.operator,
      chains: {
        parent: { provider: pair.parent.connection.ethers.provider, confirmations: 0, deployedBlock: pair.parent.deployedBlock },
        child: { provider: pair.child.connection.ethers.provider, confirmations: 0, deployedBlock: pair.child.deployedBlock },
      },
      anchoringReceiver: await pair.parent.anchoringReceiver.getAddress(),
      now: () => clock,
    });
    const direction = { direction: "parent->child" };
    const kip7 = `${await pair.parent.kip7.symbol()}:${await pair.parent.kip7.getAddress()}`;
    const kip17 = `${await pair.parent.kip17.symbol()}:${await pair.parent.kip17.getAddress()}`;

    // three requests read, none handled: pending, two minutes old by the observer's clock, their value in flight
    await requestEachKind(pair, "parent", 1n, 5n * ONE);
    clock = ((await pair.parent.connection.ethers.provider.getBlock("latest"))!.timestamp + 120) * 1000;
    await relayer.poll();
    expect(await observer.refresh()).to.deep.equal({ ready: true, reasons: [] });
    expect(await value(metrics, "bridge_pending_transfers", direction)).to.equal(3);
    expect(await value(metrics, "bridge_oldest_pending_seconds", direction)).to.be.within(120, 125);
    expect(await value(metrics, "bridge_value_in_flight", { asset: "KLAY", ...direction })).to.equal(5);
    expect(await value(metrics, "bridge_value_in_flight", { asset: kip7, ...direction })).to.equal(5);
    expect(await value(metrics, "bridge_value_in_flight", { asset: kip17, ...direction })).to.equal(1);
    const parentHead = await pair.parent.connection.ethers.provider.getBlockNumber();
    expect(await value(metrics, "bridge_scanned_block", { side: "parent" })).to.equal(parentHead);
    expect(await value(metrics, "bridge_head_lag_blocks", { side: "parent" })).to.equal(0);
    expect(await value(metrics, "bridge_operator_balance", { side: "child", address: relayer.operator })).to.be.greaterThan(0);

    // the child chain 30 blocks ahead of the scan: more than the bound (20), not ready until the relayer reads them
    await mine(frame.child, 30);
    const behind = await observer.refresh();
    expect(behind.ready).to.equal(false);
    expect(behind.reasons).to.have.length(1);
    expect(behind.reasons[0]).to.match(/^child scan: block \d+ is 3\d blocks behind the head \d+ \(bound 20\)$/);
    expect(await value(metrics, "bridge_head_lag_blocks", { side: "child" })).to.be.at.least(30);
    await relayer.poll();
    expect((await observer.refresh()).ready).to.equal(true);

    // handled by one signed batch: counted, nothing pending, nothing in flight
    await relayer.processPending();
    await relayer.processPending();
    await observer.refresh();
    expect(await value(metrics, "bridge_transfers_total", { ...direction, outcome: "handled" })).to.equal(3);
    expect(await value(metrics, "bridge_signatures_total", { kind: "batch", operator: relayer.operator })).to.equal(1);
    expect(await value(metrics, "bridge_pending_transfers", direction)).to.equal(0);
    expect(await value(metrics, "bridge_oldest_pending_seconds", direction)).to.equal(0);
    for (const asset of ["KLAY", kip7, kip17]) {
      expect(await value(metrics, "bridge_value_in_flight", { asset, ...direction }), asset).to.equal(0);
    }

    // anchors: the latest anchored block as the receiver says, and this operator's anchor signatures
    expect(await value(metrics, "bridge_last_anchored_block")).to.equal(0);
    const anchored = await relayer.anchor();
    expect(anchored.length).to.be.greaterThan(0);
    await observer.refresh();
    expect(await value(metrics, "bridge_last_anchored_block")).to.equal(Number(await pair.parent.anchoringReceiver.latestAnchoredBlock()));
    expect(await value(metrics, "bridge_last_anchored_block")).to.be.greaterThan(0);
    expect(await value(metrics, "bridge_signatures_total", { kind: "anchor", operator: relayer.operator })).to.equal(anchored.length);
  });
});
