// The library under the tasks, called directly as the relayer and scripts call it.
import { readdir, readFile } from "node:fs/promises";

import { expect } from "chai";
import hre from "hardhat";

import { sendTx, silent } from "../../src/connect.js";
import { connectNetwork } from "../../src/hardhat/network.js";
import { deploymentPath, readDeployment, validateDeployment, writeDeployment, type PairDeployment } from "../../src/deployments.js";
import { BridgeTaskError, decodeRevert } from "../../src/errors.js";
import { parseAddress, parseAmount } from "../../src/validate.js";
import { Bridge__factory, TransferRecovery__factory } from "../../types/ethers-contracts/index.js";
import { useTemporaryDeployments } from "./helpers.js";

const ADDRESS = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const HASH = `0x${"ab".repeat(32)}`;

function sample(name: string): PairDeployment {
  const side = { network: "parent", chainId: 31337, bridge: ADDRESS, modeMintBurn: false, owner: ADDRESS, deployedBlock: 1, deployTx: HASH };
  return {
    format: 1,
    name,
    mode: "mintburn",
    operators: [ADDRESS],
    thresholds: { transfer: 1, configuration: 1, anchoring: 1 },
    parent: { ...side, anchoringReceiver: ADDRESS, anchoringReceiverDeployedBlock: 2, anchoringReceiverDeployTx: HASH },
    child: { ...side, network: "child", chainId: 31338, modeMintBurn: true },
    tokens: [{ type: "kip7", parent: ADDRESS, child: ADDRESS, symbol: "T" }],
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
  };
}

describe("bridge library", function () {
  let dir: string;
  let restore: () => Promise<void>;
  before(async function () {
    ({ dir, restore } = await useTemporaryDeployments());
  });
  after(async function () {
    await restore();
  });

  it("writes deployments atomically and reads back what it wrote", async function () {
    const deployment = sample("roundtrip");
    await writeDeployment(deployment);
    await writeDeployment({ ...deployment, mode: "lock" });
    expect(await readdir(dir)).to.deep.equal(["roundtrip.json"]);
    const read = await readDeployment("roundtrip");
    expect(read.mode).to.equal("lock");
    expect(read.tokens).to.deep.equal(deployment.tokens);
    expect((JSON.parse(await readFile(deploymentPath("roundtrip"), "utf8")) as { format: unknown }).format).to.equal(1);
  });

  it("names the field that is wrong in a deployments file", function () {
    const bad = { ...sample("bad"), child: { ...sample("bad").child, bridge: "0x12" } };
    expect(() => validateDeployment(bad, "bad.json")).to.throw(BridgeTaskError, "bad.json: child.bridge must be an address");
    const noBlock = JSON.parse(JSON.stringify(sample("x"))) as Record<string, Record<string, unknown>>;
    delete noBlock.parent.deployedBlock;
    expect(() => validateDeployment(noBlock)).to.throw(BridgeTaskError, "parent.deployedBlock must be a non-negative integer");
  });

  it("parses amounts and addresses strictly", function () {
    expect(parseAmount("1.5", 18, "amount")).to.equal(1_500_000_000_000_000_000n);
    expect(parseAmount("0.000001", 6, "amount")).to.equal(1n);
    expect(() => parseAmount("0.0000001", 6, "amount")).to.throw(BridgeTaskError, "has more than 6 decimals");
    expect(() => parseAmount("1e18", 18, "amount")).to.throw(BridgeTaskError, "is not a positive decimal number");
    expect(parseAddress(ADDRESS.toLowerCase(), "to")).to.equal(ADDRESS);
    expect(() => parseAddress("0x0000000000000000000000000000000000000000", "to")).to.throw(BridgeTaskError, "the zero address");
  });

  it("turns a contract's custom error into one line naming it", async function () {
    const side = await connectNetwork(hre, "parent", "parent");
    const bridge = await new Bridge__factory(side.signer).deploy(false);
    await bridge.waitForDeployment();
    const error = await sendTx(side, "registerOperator", silent, () => bridge.registerOperator(side.signer.address)).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(BridgeTaskError);
    expect((error as Error).message).to.equal(`[parent] registerOperator failed: OperatorAlreadyRegistered(${side.signer.address})`);
  });

  it("decodes a callee's revert inside PayoutFailed the same way everywhere", function () {
    const ledger = TransferRecovery__factory.createInterface();
    const bridge = Bridge__factory.createInterface();
    const inner = bridge.encodeErrorResult("ReentrancyGuardReentrantCall", []);
    expect(decodeRevert(ledger.encodeErrorResult("PayoutFailed", [10n, inner]))).to.equal("PayoutFailed(10, ReentrancyGuardReentrantCall())");
    expect(decodeRevert(ledger.encodeErrorResult("PayoutFailed", [1n, "0x"]))).to.equal("PayoutFailed(1, no reason)");
    expect(decodeRevert(ledger.encodeErrorResult("PayoutFailed", [2n, "0x12345678"]))).to.equal("PayoutFailed(2, 0x12345678)");
  });
});
