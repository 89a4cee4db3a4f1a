/**
 * What `bridge status` shows of the signature board: per pending transfer, the operators who posted a signature of a
 * batch holding it. A post counts here when its signature recovers to the operator who posted it and that operator is
 * a current operator of the destination bridge; the relayers check more (they rebuild the batch and compare digests).
 */
import { getAddress, recoverAddress } from "ethers";

import { queryInChunks } from "./anchoring.js";
import { SignatureBoard__factory } from "./contracts.js";
import type { ConnectedPair } from "./pair.js";
import { BoardKind, parseBatchName } from "./protocol/board.js";
import type { Side } from "./validate.js";

/** How far back from the child head `bridge status` reads the board. */
export const STATUS_BOARD_LOOKBACK = 20_000;

/** The operators who signed each pending transfer on the board, by `source:nonce` (none without a board). */
export async function boardSigners(pair: ConnectedPair): Promise<Map<string, string[]>> {
  const signers = new Map<string, string[]>();
  const address = pair.deployment.child.signatureBoard;
  if (address === undefined || (await pair.child.provider.getCode(address)) === "0x") return signers;
  const board = SignatureBoard__factory.connect(address, pair.child.provider);
  const head = await pair.child.provider.getBlockNumber();
  const from = Math.max(pair.deployment.child.signatureBoardDeployedBlock ?? 0, head - STATUS_BOARD_LOOKBACK);
  const events = await queryInChunks(pair.child.provider, from, (start, end) => board.queryFilter(board.filters.Posted(), start, end));
  const current = new Map<string, boolean>();
  const isOperator = async (destination: Side, operator: string) => {
    const key = `${destination}:${operator}`;
    if (!current.has(key)) current.set(key, await pair.bridges[destination].operators(operator));
    return current.get(key) === true;
  };
  for (const event of events) {
    const [operator, kind, name, digest, signature] = event.args;
    if (Number(kind) !== BoardKind.Batch) continue;
    const batch = parseBatchName(name);
    if (typeof batch === "string") continue;
    try {
      if (getAddress(recoverAddress(digest, signature)) !== getAddress(operator)) continue;
    } catch {
      continue; // not a signature
    }
    if (!(await isOperator(batch.source === "parent" ? "child" : "parent", operator))) continue;
    for (let nonce = batch.first; nonce <= batch.last; nonce += 1n) {
      const key = `${batch.source}:${nonce}`;
      const list = signers.get(key) ?? [];
      if (!list.includes(getAddress(operator))) list.push(getAddress(operator));
      signers.set(key, list);
    }
  }
  return signers;
}
