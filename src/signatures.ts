import { Signature, TypedDataEncoder, concat } from "ethers";
import type { Signer, TypedDataDomain, TypedDataField } from "ethers";

/** One transfer of a signed batch, as `Bridge.handleSignedTransfers` takes it. */
export interface SignedTransfer {
  requestTxHash: string;
  tokenType: number;
  from: string;
  to: string;
  tokenAddress: string;
  valueOrTokenId: bigint;
  requestNonce: bigint;
  requestBlockNumber: bigint;
  tokenURI: string;
  extraData: string;
}

/** EIP-712 types of a handle batch (domain name "ServiceChainBridge", version "1"). */
export const HANDLE_BATCH_TYPES: Record<string, TypedDataField[]> = {
  HandleBatch: [{ name: "transfers", type: "Transfer[]" }],
  Transfer: [
    { name: "requestTxHash", type: "bytes32" },
    { name: "tokenType", type: "uint8" },
    { name: "from", type: "address" },
    { name: "to", type: "address" },
    { name: "tokenAddress", type: "address" },
    { name: "valueOrTokenId", type: "uint256" },
    { name: "requestNonce", type: "uint64" },
    { name: "requestBlockNumber", type: "uint64" },
    { name: "tokenURI", type: "string" },
    { name: "extraData", type: "bytes" },
  ],
};

/** The EIP-712 domain of the bridge at `bridgeAddress` on chain `chainId`. */
export function bridgeDomain(chainId: bigint, bridgeAddress: string): TypedDataDomain {
  return { name: "ServiceChainBridge", version: "1", chainId, verifyingContract: bridgeAddress };
}

/** The digest operators sign for `transfers` (equals `Bridge.batchDigest`). */
export function batchDigest(domain: TypedDataDomain, transfers: SignedTransfer[]): string {
  return TypedDataEncoder.hash(domain, HANDLE_BATCH_TYPES, { transfers });
}

/** One operator's 65-byte signature over a batch. */
export async function signBatch(signer: Signer, domain: TypedDataDomain, transfers: SignedTransfer[]): Promise<string> {
  return Signature.from(await signer.signTypedData(domain, HANDLE_BATCH_TYPES, { transfers })).serialized;
}

/** A signature with the address that made it. */
export interface OperatorSignature {
  signer: string;
  signature: string;
}

/**
 * Packs signatures the way the contracts take them: sorted by signer address ascending, one per signer,
 * concatenated 65-byte `r ‖ s ‖ v`.
 */
export function packSignatures(signatures: OperatorSignature[]): string {
  const bySigner = new Map<string, string>();
  for (const { signer, signature } of signatures) bySigner.set(signer.toLowerCase(), signature);
  const sorted = [...bySigner.entries()].sort(([a], [b]) => (BigInt(a) < BigInt(b) ? -1 : 1));
  return concat(sorted.map(([, signature]) => signature));
}

/** A child block's anchor, as `AnchoringReceiver` takes it. */
export interface Anchor {
  blockHash: string;
  parentHash: string;
  transactionsRoot: string;
  receiptsRoot: string;
  stateRoot: string;
  blockNumber: bigint;
  blockCount: bigint;
  txCount: bigint;
}

/** EIP-712 types of an anchor (domain name "AnchoringReceiver", version "1"). */
export const ANCHOR_TYPES: Record<string, TypedDataField[]> = {
  Anchor: [
    { name: "blockHash", type: "bytes32" },
    { name: "parentHash", type: "bytes32" },
    { name: "transactionsRoot", type: "bytes32" },
    { name: "receiptsRoot", type: "bytes32" },
    { name: "stateRoot", type: "bytes32" },
    { name: "blockNumber", type: "uint64" },
    { name: "blockCount", type: "uint64" },
    { name: "txCount", type: "uint64" },
  ],
};

/** The EIP-712 domain of the anchoring receiver at `receiverAddress` on chain `chainId`. */
export function anchoringDomain(chainId: bigint, receiverAddress: string): TypedDataDomain {
  return { name: "AnchoringReceiver", version: "1", chainId, verifyingContract: receiverAddress };
}

/** One operator's 65-byte signature over an anchor. */
export async function signAnchor(signer: Signer, domain: TypedDataDomain, anchor: Anchor): Promise<string> {
  return Signature.from(await signer.signTypedData(domain, ANCHOR_TYPES, anchor)).serialized;
}
