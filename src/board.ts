/**
 * The pair's signature board (contracts/exchange/SignatureBoard.sol) on the child chain: deployed with the pair by
 * `bridge deploy`, or added to a recorded pair by `bridge board deploy`, recorded in deployments/PAIR.json, and
 * checked by `bridge check`.
 */
import type { ChainSide, Log } from "./connect.js";
import { sendTx } from "./connect.js";
import { SignatureBoard__factory } from "./contracts.js";
import { writeDeployment } from "./deployments.js";
import type { PairDeployment, SideDeployment } from "./deployments.js";
import { BridgeTaskError } from "./errors.js";

/** Where a board was deployed: the fields of the child side's record. */
export type BoardRecord = Required<Pick<SideDeployment, "signatureBoard" | "signatureBoardDeployedBlock" | "signatureBoardDeployTx">>;

/** Deploys a signature board for the child bridge `bridge` from `child`'s signer. */
export async function deploySignatureBoard(child: ChainSide, bridge: string, log: Log): Promise<BoardRecord> {
  const factory = new SignatureBoard__factory(child.signer);
  const receipt = await sendTx(child, "deploy SignatureBoard", log, async () => {
    const contract = await factory.deploy(bridge);
    return contract.deploymentTransaction()!;
  });
  log(`[child] SignatureBoard at ${receipt.contractAddress}`);
  return {
    signatureBoard: receipt.contractAddress!,
    signatureBoardDeployedBlock: receipt.blockNumber,
    signatureBoardDeployTx: receipt.hash,
  };
}

/**
 * Adds a signature board to the recorded pair `deployment` and rewrites its record; refuses when the pair has one
 * whose contract is still there, unless `force`.
 */
export async function addSignatureBoard(
  deployment: PairDeployment,
  child: ChainSide,
  options: { force?: boolean; dir?: string },
  log: Log,
): Promise<PairDeployment> {
  const existing = deployment.child.signatureBoard;
  if (existing !== undefined && options.force !== true && (await child.provider.getCode(existing)) !== "0x") {
    throw new BridgeTaskError(`pair "${deployment.name}" has a signature board already at ${existing}; pass --force to deploy another`);
  }
  if ((await child.provider.getCode(deployment.child.bridge)) === "0x") {
    throw new BridgeTaskError(`pair "${deployment.name}": no child bridge at ${deployment.child.bridge} on network "${child.network}"`);
  }
  const board = await deploySignatureBoard(child, deployment.child.bridge, log);
  const updated: PairDeployment = {
    ...deployment,
    child: { ...deployment.child, ...board },
    updatedAt: new Date().toISOString(),
  };
  log(`Wrote ${await writeDeployment(updated, options.dir)}`);
  return updated;
}

/** What differs between the recorded board of `deployment` and the child chain (none without a board). */
export async function checkSignatureBoard(
  deployment: { child: Pick<PairDeployment["child"], "bridge" | "signatureBoard"> },
  child: Pick<ChainSide, "provider">,
): Promise<string[]> {
  const address = deployment.child.signatureBoard;
  if (address === undefined) return [];
  if ((await child.provider.getCode(address)) === "0x") return [`child: no contract at the recorded signature board ${address}`];
  const bridge = await SignatureBoard__factory.connect(address, child.provider).bridge();
  if (bridge.toLowerCase() !== deployment.child.bridge.toLowerCase()) {
    return [`signature board: serves the bridge ${bridge}, the file says the child bridge is ${deployment.child.bridge}`];
  }
  return [];
}
