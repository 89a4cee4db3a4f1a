/**
 * The operators whose signatures a signed batch carried: read from the calldata of the destination's
 * `handleSignedTransfers` transaction and recovered against the batch's EIP-712 digest.
 */
import { dataSlice, getBytes, recoverAddress } from "ethers";

import type { ConnectedPair } from "../../pair.js";
import type { Side } from "../../protocol/transfer.js";
import { batchDigest, bridgeDomain, type SignedTransfer } from "../../signatures.js";

const SIGNATURE_BYTES = 65;

/**
 * Who sent transaction `txHash` on `side`, and the signers of the batch it handled (none when it was a vote or is
 * not known).
 */
export async function batchSigners(pair: ConnectedPair, side: Side, txHash: string): Promise<{ sender?: string; signers: string[] }> {
  const tx = await pair[side].provider.getTransaction(txHash);
  if (tx === null) return { signers: [] };
  const bridge = pair.bridges[side];
  const call = bridge.interface.parseTransaction({ data: tx.data });
  if (call === null || call.name !== "handleSignedTransfers") return { sender: tx.from, signers: [] };
  const transfers: SignedTransfer[] = (call.args[0] as SignedTransfer[]).map((t) => ({
    requestTxHash: t.requestTxHash,
    tokenType: Number(t.tokenType),
    from: t.from,
    to: t.to,
    tokenAddress: t.tokenAddress,
    valueOrTokenId: BigInt(t.valueOrTokenId),
    requestNonce: BigInt(t.requestNonce),
    requestBlockNumber: BigInt(t.requestBlockNumber),
    tokenURI: t.tokenURI,
    extraData: t.extraData,
  }));
  const digest = batchDigest(bridgeDomain(BigInt(pair[side].chainId), pair.deployment[side].bridge), transfers);
  const signatures = String(call.args[1]);
  const count = getBytes(signatures).length / SIGNATURE_BYTES;
  const signers: string[] = [];
  for (let i = 0; i < count; i++) {
    signers.push(recoverAddress(digest, dataSlice(signatures, i * SIGNATURE_BYTES, (i + 1) * SIGNATURE_BYTES)));
  }
  return { sender: tx.from, signers };
}
