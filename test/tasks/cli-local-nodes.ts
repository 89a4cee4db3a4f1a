// The user's path end to end: two `npx hardhat node` processes on free loopback ports (the ones the command-line
// suites share, see test/helpers/local-nodes.ts), and `npx hardhat bridge ...` commands run as child processes as
// typed in a terminal.
import { readFile, rm } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider, parseEther } from "ethers";

import type { PairDeployment } from "../../src/deployments.js";
import { Bridge__factory, KIP7Token__factory } from "../../types/ethers-contracts/index.js";
import { runBridge } from "../helpers/local-nodes.js";
import { useSharedLocalPair } from "../helpers/shared-nodes.js";

describe("bridge tasks from the command line against two `npx hardhat node` processes", function () {
  this.timeout(120_000);

  let dir: string;
  let env: NodeJS.ProcessEnv;
  let parentUrl: string;

  const bridge = (...args: string[]) => runBridge(env, ...args);


  before(async function () {
    ({ dir, env, parentUrl } = await useSharedLocalPair("bridge-cli-"));
  });

  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("deploys a pair, deploys a token pair and requests transfers, as a user types them", async function () {
    const deploy = await bridge("deploy", "--parent", "localParent", "--child", "localChild", "--name", "cli");
    expect(deploy.code, deploy.stderr).to.equal(0);
    expect(deploy.stdout).to.match(/\[parent\] deploy Bridge \(lock\/unlock\): tx 0x[0-9a-f]{4}…[0-9a-f]{4}/);
    const deployment = JSON.parse(await readFile(path.join(dir, "deployments", "cli.json"), "utf8")) as PairDeployment;
    expect(deployment.parent.network).to.equal("localParent");

    // the token pair deployed while two transfers are refused (they send nothing)
    const [token, refused, network] = await Promise.all([
      bridge("token", "deploy", "--pair", "cli", "--type", "kip7", "--name", "Gold", "--symbol", "GLD"),
      bridge("transfer", "--pair", "cli", "--from", "parent", "--asset", "klay", "--amount", "0"),
      // Hardhat's --network is not how a bridge task picks its chain
      bridge("transfer", "--network", "localChild", "--pair", "cli", "--asset", "klay", "--amount", "1"),
    ]);
    expect(token.code, token.stderr).to.equal(0);
    expect(token.stdout).to.include("Registered KIP7 pair GLD");
    const errorLines = (stderr: string) => stderr.split("\n").filter((line) => line !== "" && !line.startsWith("npm warn"));
    expect(refused.code).to.equal(1);
    expect(errorLines(refused.stderr)).to.deep.equal(["Error: amount: must be greater than 0"]);
    expect(network.code).to.equal(1);
    expect(errorLines(network.stderr)).to.deep.equal([
      "Error: --network localChild: bridge tasks do not use --network; the pair's record (--pair) names both chains: use --from parent|child to choose",
    ]);

    const klay = await bridge("transfer", "--pair", "cli", "--from", "parent", "--asset", "klay", "--amount", "2");
    expect(klay.code, klay.stderr).to.equal(0);
    expect(klay.stdout).to.match(/request nonce 0 \(parent -> child\), tx 0x[0-9a-f]{4}…[0-9a-f]{4}/);
    const gold = await bridge("transfer", "--pair", "cli", "--from", "parent", "--asset", "GLD", "--amount", "25.5");
    expect(gold.code, gold.stderr).to.equal(0);
    expect(gold.stdout).to.match(/request nonce 1 \(parent -> child\)/);

    const parent = new JsonRpcProvider(parentUrl, undefined, { staticNetwork: true });
    try {
      const recorded = JSON.parse(await readFile(path.join(dir, "deployments", "cli.json"), "utf8")) as PairDeployment;
      const bridgeContract = Bridge__factory.connect(recorded.parent.bridge, parent);
      expect(await bridgeContract.requestNonce()).to.equal(2n);
      expect(await parent.getBalance(recorded.parent.bridge)).to.equal(parseEther("2"));
      const goldToken = KIP7Token__factory.connect(recorded.tokens[0].parent, parent);
      expect(await goldToken.balanceOf(recorded.parent.bridge)).to.equal(parseEther("25.5"));
    } finally {
      parent.destroy();
    }
  });
});
