// Handles on a recorded pair's contracts, and the role checks every task makes before sending anything.
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { connectPair, type ChainSide, type PairSides } from "./connect.js";
import { AnchoringReceiver__factory, Bridge__factory, type AnchoringReceiver, type Bridge } from "./contracts.js";
import { readDeployment, type PairDeployment } from "./deployments.js";
import { BridgeTaskError, explain } from "./errors.js";
import { parsePairName, sameAddress, type Side } from "./validate.js";

/** A recorded pair, connected: both chains, both bridges and the anchoring receiver, bound to each side's signer. */
export interface ConnectedPair extends PairSides {
  deployment: PairDeployment;
  bridges: Record<Side, Bridge>;
  anchoringReceiver: AnchoringReceiver;
}

export function bindPair(deployment: PairDeployment, sides: PairSides): ConnectedPair {
  const anchoringReceiverAddress = deployment.parent.anchoringReceiver;
  if (anchoringReceiverAddress === undefined) throw new BridgeTaskError(`pair "${deployment.name}" records no anchoring receiver`);
  return {
    ...sides,
    deployment,
    bridges: {
      parent: Bridge__factory.connect(deployment.parent.bridge, sides.parent.signer),
      child: Bridge__factory.connect(deployment.child.bridge, sides.child.signer),
    },
    anchoringReceiver: AnchoringReceiver__factory.connect(anchoringReceiverAddress, sides.parent.signer),
  };
}

/**
 * Reads deployments/PAIR.json and connects both of its networks. `signer` picks the sending account (address or
 * index among the network's accounts; default the first).
 */
export async function openPair(
  hre: HardhatRuntimeEnvironment,
  pairName: string | undefined,
  options: { dir?: string; signer?: string; requireCode?: boolean } = {},
): Promise<ConnectedPair> {
  const name = parsePairName(pairName, "pair");
  const deployment = await readDeployment(name, options.dir);
  const sides = await connectPair(hre, deployment, options.signer);
  if (options.requireCode !== false) {
    const contracts: [Side, string, string][] = [
      ["parent", "bridge", deployment.parent.bridge],
      ["child", "bridge", deployment.child.bridge],
      ["parent", "anchoring receiver", deployment.parent.anchoringReceiver ?? deployment.parent.bridge],
    ];
    for (const [side, what, address] of contracts) {
      if ((await sides[side].provider.getCode(address)) !== "0x") continue;
      const network = deployment[side].network;
      const inProcess = hre.config.networks[network]?.type === "edr-simulated";
      throw new BridgeTaskError(
        `pair "${name}": no ${what} at ${address} on ${side} (network "${network}")` +
          (inProcess ? `; "${network}" is an in-process chain that ended with the command that deployed it (use localParent/localChild)` : "; was the chain reset?"),
      );
    }
  }
  return bindPair(deployment, sides);
}

/** Refuses unless the side's signer owns `contract`. */
export async function requireOwner(side: ChainSide, contract: { owner(): Promise<string> }, what: string): Promise<void> {
  let owner: string;
  try {
    owner = await contract.owner();
  } catch (error) {
    throw explain(error, `${what}: cannot read its owner on ${side.side}`);
  }
  if (!sameAddress(owner, side.signer.address)) {
    throw new BridgeTaskError(`${what}: the signer ${side.signer.address} is not the owner (${owner}) on ${side.side}`);
  }
}

/** Refuses unless the side's signer is an operator of `contract`. */
export async function requireOperator(side: ChainSide, contract: { operators(account: string): Promise<boolean> }, what: string): Promise<void> {
  if (!(await contract.operators(side.signer.address))) {
    throw new BridgeTaskError(`${what}: the signer ${side.signer.address} is not an operator on ${side.side}`);
  }
}
