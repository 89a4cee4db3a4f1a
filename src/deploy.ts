import { access, constants, mkdir } from "node:fs/promises";

import type { ChainSide, Log, PairSides } from "./connect.js";
import { sendTx } from "./connect.js";
import { deploySignatureBoard } from "./board.js";
import { AnchoringReceiver__factory, Bridge__factory } from "./contracts.js";
import { deploymentExists, deploymentPath, deploymentsDir, writeDeployment, type PairDeployment, type Thresholds } from "./deployments.js";
import { BridgeTaskError } from "./errors.js";
import { DEFAULT_ANCHOR_PERIOD } from "./protocol/anchor.js";
import { setAsideRelayerState } from "./state-paths.js";
import { applyOperatorSet } from "./operators.js";
import { checkThreshold, MAX_OPERATORS, type PairMode } from "./validate.js";

export interface DeployPairOptions {
  name: string;
  /** Default: the parent signer alone. */
  operators?: string[];
  /** Default: a majority of the operators (1 for one operator). Applies to every vote type. */
  threshold?: number;
  /** Default "mintburn": the parent bridge locks, the child bridge mints and burns. */
  mode?: PairMode;
  /** Overwrite an existing deployments/NAME.json. */
  force?: boolean;
  /** Deployments directory (default $BRIDGE_DEPLOYMENTS_DIR or ./deployments). */
  dir?: string;
  /** Child blocks per anchor (default `DEFAULT_ANCHOR_PERIOD`): every operator's anchor counts this period. */
  anchorPeriod?: number;
  /** false: no signature board (the operators' relayers then share a directory, or vote). Default true. */
  board?: boolean;
  /** Root of the relayers' state (default $BRIDGE_RELAYER_DIR or ./.relayer), set aside when a pair is replaced. */
  relayerRoot?: string;
}

/** The default threshold: a majority of the operators. */
export function majority(operatorCount: number): number {
  return Math.floor(operatorCount / 2) + 1;
}

async function requireFunds(side: ChainSide): Promise<void> {
  const balance = await side.provider.getBalance(side.signer.address);
  if (balance === 0n) throw new BridgeTaskError(`the signer ${side.signer.address} has no funds on ${side.side} (${side.network}) to pay for gas`);
}

/**
 * Deploys a pair: a Bridge on each side, an AnchoringReceiver on the parent and a SignatureBoard on the child, links the counterparts, registers
 * the operators and thresholds on all three contracts and writes deployments/NAME.json. Everything is checked before
 * the first transaction.
 */
export async function deployPair(sides: PairSides, options: DeployPairOptions, log: Log): Promise<PairDeployment> {
  const { parent, child } = sides;
  const mode = options.mode ?? "mintburn";
  const operators = options.operators ?? [parent.signer.address];
  if (operators.length === 0) throw new BridgeTaskError("operators: at least one is needed");
  if (operators.length > MAX_OPERATORS) throw new BridgeTaskError(`operators: ${operators.length} given, at most ${MAX_OPERATORS} allowed`);
  const threshold = options.threshold ?? majority(operators.length);
  checkThreshold(threshold, operators.length);
  if (parent.chainId === child.chainId) {
    throw new BridgeTaskError(`parent (${parent.network}) and child (${child.network}) have the same chain id ${parent.chainId}: they must be two chains`);
  }
  if (parent.signer.address !== child.signer.address) {
    log(`note: the parent signer ${parent.signer.address} and the child signer ${child.signer.address} differ; each owns its side`);
  }
  const replacing = await deploymentExists(options.name, options.dir);
  if (replacing && options.force !== true) {
    throw new BridgeTaskError(`pair "${options.name}" exists already (${deploymentPath(options.name, options.dir)}); pass --force to replace it`);
  }
  const dir = deploymentsDir(options.dir);
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (error) {
    throw new BridgeTaskError(`cannot write the deployments directory ${dir}`, { cause: error });
  }
  await requireFunds(parent);
  await requireFunds(child);

  log(`Deploying pair "${options.name}": parent on network "${parent.network}" (chain ${parent.chainId}), child on network "${child.network}" (chain ${child.chainId}), mode ${mode}`);
  const parentBridgeFactory = new Bridge__factory(parent.signer);
  const childBridgeFactory = new Bridge__factory(child.signer);
  const anchoringFactory = new AnchoringReceiver__factory(parent.signer);

  const parentDeploy = await sendTx(parent, "deploy Bridge (lock/unlock)", log, async () => {
    const contract = await parentBridgeFactory.deploy(false);
    return contract.deploymentTransaction()!;
  });
  const childModeMintBurn = mode === "mintburn";
  const childDeploy = await sendTx(child, `deploy Bridge (${childModeMintBurn ? "mint/burn" : "lock/unlock"})`, log, async () => {
    const contract = await childBridgeFactory.deploy(childModeMintBurn);
    return contract.deploymentTransaction()!;
  });
  const anchoringDeploy = await sendTx(parent, "deploy AnchoringReceiver", log, async () => {
    const contract = await anchoringFactory.deploy();
    return contract.deploymentTransaction()!;
  });
  const parentBridgeAddress = parentDeploy.contractAddress!;
  const childBridgeAddress = childDeploy.contractAddress!;
  const anchoringAddress = anchoringDeploy.contractAddress!;
  log(`[parent] Bridge at ${parentBridgeAddress}`);
  log(`[child] Bridge at ${childBridgeAddress}`);
  log(`[parent] AnchoringReceiver at ${anchoringAddress}`);
  const board = options.board === false ? undefined : await deploySignatureBoard(child, childDeploy.contractAddress!, log);

  const parentBridge = Bridge__factory.connect(parentBridgeAddress, parent.signer);
  const childBridge = Bridge__factory.connect(childBridgeAddress, child.signer);
  const anchoringReceiver = AnchoringReceiver__factory.connect(anchoringAddress, parent.signer);
  await sendTx(parent, `setCounterPartBridge(${childBridgeAddress})`, log, () => parentBridge.setCounterPartBridge(childBridgeAddress));
  await sendTx(child, `setCounterPartBridge(${parentBridgeAddress})`, log, () => childBridge.setCounterPartBridge(parentBridgeAddress));

  const thresholds: Thresholds = { transfer: threshold, configuration: threshold, anchoring: threshold };
  await applyOperatorSet(parent, parentBridge, "Bridge", operators, [thresholds.transfer, thresholds.configuration], log);
  await applyOperatorSet(child, childBridge, "Bridge", operators, [thresholds.transfer, thresholds.configuration], log);
  await applyOperatorSet(parent, anchoringReceiver, "AnchoringReceiver", operators, [thresholds.anchoring], log);

  const now = new Date().toISOString();
  const deployment: PairDeployment = {
    format: 1,
    name: options.name,
    mode,
    operators,
    thresholds,
    parent: {
      network: parent.network,
      chainId: parent.chainId,
      bridge: parentBridgeAddress,
      modeMintBurn: false,
      owner: parent.signer.address,
      deployedBlock: parentDeploy.blockNumber,
      deployTx: parentDeploy.hash,
      anchoringReceiver: anchoringAddress,
      anchoringReceiverDeployedBlock: anchoringDeploy.blockNumber,
      anchoringReceiverDeployTx: anchoringDeploy.hash,
    },
    child: {
      network: child.network,
      chainId: child.chainId,
      bridge: childBridgeAddress,
      modeMintBurn: childModeMintBurn,
      owner: child.signer.address,
      deployedBlock: childDeploy.blockNumber,
      deployTx: childDeploy.hash,
      ...board,
    },
    tokens: [],
    anchorPeriod: options.anchorPeriod ?? DEFAULT_ANCHOR_PERIOD,
    createdAt: now,
    updatedAt: now,
  };
  const file = await writeDeployment(deployment, options.dir);
  log(`Wrote ${file}`);
  if (replacing) {
    // the relayers' stores and signatures belong to the replaced deployment: never to be reused for this one
    const movedTo = await setAsideRelayerState(options.name, options.relayerRoot);
    if (movedTo !== undefined) log(`Set aside the relayer state of the replaced pair: ${movedTo} (relayers start anew)`);
  }
  return deployment;
}
