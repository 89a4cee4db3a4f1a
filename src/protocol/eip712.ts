/**
 * The EIP-712 typed data operators sign, defined once: the domains of the bridge, the anchoring receiver and the
 * transfer recovery ledger, and the types of a handle batch, an anchor, a cancellation and a refund. The digests
 * equal the contracts' own (`TransferRecovery.cancelDigest` / `refundDigest` here, `Bridge.batchDigest` in
 * `batch.ts`); the tests check them against the contracts.
 */
import { TypedDataEncoder, getAddress } from "ethers";
import type { TypedDataDomain, TypedDataField } from "ethers";

import { TRANSFER_FIELDS, structFields } from "./transfer.js";
import type { SignedTransfer } from "./transfer.js";

/** EIP-712 types of a handle batch (domain: `bridgeDomain`). */
export const HANDLE_BATCH_TYPES: Record<string, TypedDataField[]> = {
  HandleBatch: [{ name: "transfers", type: "Transfer[]" }],
  Transfer: TRANSFER_FIELDS,
};

/** The EIP-712 domain of the bridge at `bridgeAddress` on chain `chainId`. */
export function bridgeDomain(chainId: bigint, bridgeAddress: string): TypedDataDomain {
  return { name: "ServiceChainBridge", version: "1", chainId, verifyingContract: bridgeAddress };
}

/** EIP-712 types of an anchor (domain: `anchoringDomain`; the fields of `Anchor` in anchor.ts). */
export const ANCHOR_TYPES: Record<string, TypedDataField[]> = {
  Anchor: structFields(
    "bytes32 blockHash, bytes32 parentHash, bytes32 transactionsRoot, bytes32 receiptsRoot, bytes32 stateRoot, " +
      "bytes32 blocksRoot, uint64 blockNumber, uint64 blockCount, uint64 txCount",
  ),
};

/** The EIP-712 domain of the anchoring receiver at `receiverAddress` on chain `chainId`. */
export function anchoringDomain(chainId: bigint, receiverAddress: string): TypedDataDomain {
  return { name: "AnchoringReceiver", version: "1", chainId, verifyingContract: getAddress(receiverAddress) };
}

/** EIP-712 types of an operators' cancellation of a failed or held transfer (domain: `recoveryDomain`). */
export const CANCEL_TRANSFER_TYPES: Record<string, TypedDataField[]> = {
  CancelTransfer: [{ name: "transfer", type: "Transfer" }],
  Transfer: TRANSFER_FIELDS,
};

/** EIP-712 types of an operators' refund of a cancelled request to its requester (domain: `recoveryDomain`). */
export const REFUND_TRANSFER_TYPES: Record<string, TypedDataField[]> = {
  RefundTransfer: [{ name: "transfer", type: "Transfer" }],
  Transfer: TRANSFER_FIELDS,
};

/** What the operators approve on a `TransferRecovery`: a cancellation (destination) or a refund (source). */
export type RecoveryKind = "cancel" | "refund";

/** The EIP-712 domain of the `TransferRecovery` at `recoveryAddress` (a bridge's `transferRecovery()`) on chain `chainId`. */
export function recoveryDomain(chainId: bigint, recoveryAddress: string): TypedDataDomain {
  return { name: "ServiceChainBridgeRecovery", version: "1", chainId, verifyingContract: getAddress(recoveryAddress) };
}

/** The types of an approval of `kind`. */
export function recoveryTypes(kind: RecoveryKind): Record<string, TypedDataField[]> {
  return kind === "cancel" ? CANCEL_TRANSFER_TYPES : REFUND_TRANSFER_TYPES;
}

/** The digest operators sign to cancel (`TransferRecovery.cancelDigest`) or refund (`refundDigest`) `transfer`. */
export function recoveryDigest(domain: TypedDataDomain, kind: RecoveryKind, transfer: SignedTransfer): string {
  return TypedDataEncoder.hash(domain, recoveryTypes(kind), { transfer });
}

/** The digest operators sign to cancel `transfer` on the destination (equals `TransferRecovery.cancelDigest`). */
export function cancelDigest(domain: TypedDataDomain, transfer: SignedTransfer): string {
  return recoveryDigest(domain, "cancel", transfer);
}

/** The digest operators sign to refund `transfer` on the source (equals `TransferRecovery.refundDigest`). */
export function refundDigest(domain: TypedDataDomain, transfer: SignedTransfer): string {
  return recoveryDigest(domain, "refund", transfer);
}
