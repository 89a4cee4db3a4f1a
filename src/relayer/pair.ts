/**
 * A relayer for a recorded pair (deployments/PAIR.json): where its store and the shared signature directory live,
 * and the endpoints built from the record's addresses and deployed blocks.
 */
import type { Signer } from "ethers";

import { DEFAULT_ANCHOR_PERIOD } from "../protocol/anchor.js";
import { relayerStorePath, signatureDirectory } from "../state-paths.js";
import { Relayer } from "./relayer.js";
import type { RelayerOptions } from "./relayer.js";

/** The part of a deployments record the relayer reads. */
export interface PairRecord {
  name: string;
  parent: { bridge: string; deployedBlock: number; anchoringReceiver?: string };
  child: { bridge: string; deployedBlock: number };
  /** Child blocks per anchor (default `DEFAULT_ANCHOR_PERIOD`). */
  anchorPeriod?: number;
}

export { relayerDirectory, relayerStorePath, signatureDirectory } from "../state-paths.js";

export interface PairRelayerOptions
  extends Omit<RelayerOptions, "parent" | "child" | "store" | "signatureDir"> {
  /** The operator's signer on each chain. */
  signers: { parent: Signer; child: Signer };
  confirmations?: { parent?: number; child?: number };
  /** Root of the relayer state (default `.relayer/`). */
  root?: string;
  /** false: per-operator votes only, no signature exchange. */
  signatures?: boolean;
}

/** Creates the relayer of one operator for the recorded pair `record`. */
export async function createPairRelayer(record: PairRecord, options: PairRelayerOptions): Promise<Relayer> {
  const { signers, confirmations, root, signatures, ...rest } = options;
  const operator = await signers.parent.getAddress();
  return Relayer.create({
    ...rest,
    parent: {
      signer: signers.parent,
      bridge: record.parent.bridge,
      deployedBlock: record.parent.deployedBlock,
      confirmations: confirmations?.parent,
      anchoringReceiver: record.parent.anchoringReceiver,
    },
    child: {
      signer: signers.child,
      bridge: record.child.bridge,
      deployedBlock: record.child.deployedBlock,
      confirmations: confirmations?.child,
    },
    anchorPeriod: record.anchorPeriod ?? DEFAULT_ANCHOR_PERIOD,
    store: relayerStorePath(record.name, operator, root),
    signatureDir: signatures === false ? undefined : signatureDirectory(record.name, root),
  });
}
