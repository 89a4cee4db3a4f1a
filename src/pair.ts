// Handles on a recorded pair's contracts, and the role checks every task makes before sending anything.
import type { ChainSide, PairSides } from "./connect.js";
import { AnchoringReceiver__factory, Bridge__factory, type AnchoringReceiver, type Bridge } from "./contracts.js";
import type { PairDeployment } from "./deployments.js";
import { BridgeTaskError, explain } from "./errors.js";
import { sameAddress, type Side } from "./validate.js";

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
