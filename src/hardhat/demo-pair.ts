/**
 * The demo's pair on the two in-process chains, shared by `bridge demo` and the status page screenshots
 * (scripts/screenshots.ts): a pair with three operators and threshold 2, a KIP7 and a KIP17 token pair, KLAY liquidity
 * for the child bridge, and one relayer per operator exchanging signatures through a shared directory.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import type { ChainSide, Log } from "../connect.js";
import { deployPair } from "../deploy.js";
import type { PairDeployment } from "../deployments.js";
import { fundBridge } from "../fund.js";
import { bindPair } from "../pair.js";
import type { ConnectedPair } from "../pair.js";
import { createPairRelayer } from "../relayer/index.js";
import type { PairRelayerOptions, Relayer } from "../relayer/index.js";
import { deployTokenPair } from "../tokens.js";
import type { DeployedTokenPair } from "../tokens.js";
import { connectNetwork } from "./network.js";

/** Child blocks per anchor in the demo. */
export const DEMO_ANCHOR_EVERY = 10;

export interface DemoPair {
  parent: ChainSide;
  child: ChainSide;
  parentSigners: HardhatEthersSigner[];
  childSigners: HardhatEthersSigner[];
  /** The operators: the parent's accounts 1 to 3 (the same addresses on the child). */
  operators: string[];
  deployment: PairDeployment;
  pair: ConnectedPair;
  kip7: DeployedTokenPair;
  kip17: DeployedTokenPair;
}

/** Deploys the demo's pair, its token pairs and the child bridge's liquidity, recorded in `dir`; the steps go to `log`. */
export async function deployDemoPair(hre: HardhatRuntimeEnvironment, dir: string, log: Log): Promise<DemoPair> {
  const parent = await connectNetwork(hre, "parent", "parent");
  const child = await connectNetwork(hre, "child", "child");
  const parentSigners = await (await hre.network.getOrCreate("parent")).ethers.getSigners();
  const childSigners = await (await hre.network.getOrCreate("child")).ethers.getSigners();
  const operators = [1, 2, 3].map((index) => parentSigners[index].address);

  log("");
  log("== 1. A bridge pair: parent (lock/unlock) and child (mint/burn), 3 operators, 2 of them must agree");
  // the demo's record lives in a temporary directory removed at the end: its path is not worth a line
  const withoutRecordPath: Log = (line) => {
    if (!line.startsWith("Wrote ")) log(line);
  };
  const deployment = await deployPair({ parent, child }, { name: "demo", operators, threshold: 2, dir }, withoutRecordPath);
  const pair = bindPair(deployment, { parent, child });

  log("");
  log("== 2. A KIP7 and a KIP17 token pair, and KLAY liquidity for the child bridge");
  const kip7 = await deployTokenPair(pair, { type: "kip7", name: "Demo Token", symbol: "DEMO", supply: "1000000" }, withoutRecordPath, dir);
  const kip17 = await deployTokenPair(pair, { type: "kip17", name: "Demo NFT", symbol: "DNFT", mint: 3, baseUri: "ipfs://demo/" }, withoutRecordPath, dir);
  await fundBridge(pair, "child", "100", log);
  return { parent, child, parentSigners, childSigners, operators, deployment, pair, kip7, kip17 };
}

/**
 * One relayer per operator of `demo`, exchanging signatures through `dir`, each added to `relayers` as soon as it
 * exists (the caller closes them); `optionsOf` adds an operator's own options (a logger, a clock).
 */
export async function startDemoRelayers(
  demo: DemoPair,
  dir: string,
  relayers: Relayer[],
  optionsOf: (index: number, operator: string) => Partial<PairRelayerOptions>,
): Promise<void> {
  for (const [index, operator] of demo.operators.entries()) {
    relayers.push(
      await createPairRelayer(demo.deployment, {
        signers: { parent: demo.parentSigners[index + 1], child: demo.childSigners[index + 1] },
        root: dir,
        anchorEvery: DEMO_ANCHOR_EVERY,
        signatureWaitMs: 5000,
        // the relayers are stepped by their caller, once every request is mined: nothing to wait for
        batchWaitMs: 0,
        ...optionsOf(index, operator),
      }),
    );
  }
}

/** Mines the child up to the next multiple of the anchor period and has every relayer anchor it. */
export async function anchorDemoBlock(hre: HardhatRuntimeEnvironment, demo: DemoPair, relayers: Relayer[]): Promise<void> {
  const childConnection = await hre.network.getOrCreate("child");
  const toMine = DEMO_ANCHOR_EVERY - ((await demo.child.provider.getBlockNumber()) % DEMO_ANCHOR_EVERY);
  await childConnection.provider.request({ method: "hardhat_mine", params: [`0x${toMine.toString(16)}`] });
  for (const relayer of relayers) await relayer.anchor();
}
