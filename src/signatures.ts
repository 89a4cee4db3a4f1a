/**
 * Signing as an operator: a handle batch, an anchor, a cancellation or a refund, each a 65-byte signature over the
 * EIP-712 typed data of `protocol/eip712.ts`. The protocol's definitions (types, domains, digests, the batch's
 * encodings) are re-exported here for the library's users.
 */
import { Signature, getAddress, hexlify, recoverAddress, toQuantity } from "ethers";
import type { Signer, TypedDataDomain, TypedDataField } from "ethers";

import type { Anchor } from "./protocol/anchor.js";
import { batchDigest } from "./protocol/batch.js";
import { ANCHOR_TYPES, CANCEL_TRANSFER_TYPES, HANDLE_BATCH_TYPES, REFUND_TRANSFER_TYPES } from "./protocol/eip712.js";
import type { RecoveryKind } from "./protocol/eip712.js";
import type { SignedTransfer } from "./protocol/transfer.js";

export type { Anchor } from "./protocol/anchor.js";
export { batchDigest, encodeHandleSignedTransfers, packSignatures } from "./protocol/batch.js";
export type { OperatorSignature } from "./protocol/batch.js";
export {
  ANCHOR_TYPES,
  CANCEL_TRANSFER_TYPES,
  HANDLE_BATCH_TYPES,
  REFUND_TRANSFER_TYPES,
  anchoringDomain,
  bridgeDomain,
  cancelDigest,
  recoveryDigest,
  recoveryDomain,
  refundDigest,
} from "./protocol/eip712.js";
export type { RecoveryKind } from "./protocol/eip712.js";
export type { SignedTransfer } from "./protocol/transfer.js";

/**
 * One operator's 65-byte signature over a batch (`digest`: its `batchDigest`, when the caller has it).
 *
 * The same signature as `signer.signTypedData(domain, HANDLE_BATCH_TYPES, { transfers })`, made without ethers'
 * generic typed-data encoder, which walks every field of a batch several times (tens of milliseconds for a batch of
 * 200): a signer holding its key (an ethers Wallet) signs the digest; a signer whose node or provider signs
 * (`eth_signTypedData_v4`: Hardhat's signers, ethers' JsonRpcSigner) is sent the typed data written out directly,
 * and the signature it returns must recover to it over the digest. Any other signer, or one whose answer does not
 * check out, signs through `signTypedData`.
 */
export async function signBatch(
  signer: Pick<Signer, "signTypedData">,
  domain: TypedDataDomain,
  transfers: SignedTransfer[],
  digest?: string,
): Promise<string> {
  const hash = digest ?? batchDigest(domain, transfers);
  const key = (signer as { signingKey?: { sign(digest: string): Signature } }).signingKey;
  if (key !== undefined && typeof key.sign === "function") return Signature.from(key.sign(hash)).serialized;
  const rpc = signer as { address?: unknown; provider?: { send?: unknown } | null };
  if (typeof rpc.address === "string" && typeof rpc.provider?.send === "function") {
    const send = rpc.provider.send as (method: string, params: unknown[]) => Promise<unknown>;
    try {
      const answer = await send.call(rpc.provider, "eth_signTypedData_v4", [
        rpc.address.toLowerCase(),
        JSON.stringify(batchTypedData(domain, transfers)),
      ]);
      const signature = Signature.from(answer as string).serialized;
      if (recoverAddress(hash, signature).toLowerCase() === rpc.address.toLowerCase()) return signature;
    } catch {
      // not a signer its provider signs for: the generic way below
    }
  }
  return Signature.from(await signer.signTypedData(domain, HANDLE_BATCH_TYPES, { transfers })).serialized;
}

/**
 * The `eth_signTypedData_v4` payload of a batch, as `TypedDataEncoder.getPayload` writes it: numbers as decimal
 * strings, addresses and bytes as lowercase hex, the domain's fields in EIP-712 order.
 */
function batchTypedData(domain: TypedDataDomain, transfers: SignedTransfer[]): unknown {
  const domainTypes: TypedDataField[] = [];
  const domainValues: Record<string, unknown> = {};
  if (domain.name != null) {
    domainTypes.push({ name: "name", type: "string" });
    domainValues.name = domain.name;
  }
  if (domain.version != null) {
    domainTypes.push({ name: "version", type: "string" });
    domainValues.version = domain.version;
  }
  if (domain.chainId != null) {
    domainTypes.push({ name: "chainId", type: "uint256" });
    domainValues.chainId = toQuantity(BigInt(domain.chainId));
  }
  if (domain.verifyingContract != null) {
    domainTypes.push({ name: "verifyingContract", type: "address" });
    domainValues.verifyingContract = getAddress(domain.verifyingContract).toLowerCase();
  }
  if (domain.salt != null) {
    domainTypes.push({ name: "salt", type: "bytes32" });
    domainValues.salt = hexlify(domain.salt);
  }
  return {
    types: { ...HANDLE_BATCH_TYPES, EIP712Domain: domainTypes },
    domain: domainValues,
    primaryType: "HandleBatch",
    message: {
      transfers: transfers.map((t) => ({
        requestTxHash: t.requestTxHash.toLowerCase(),
        tokenType: String(t.tokenType),
        from: t.from.toLowerCase(),
        to: t.to.toLowerCase(),
        tokenAddress: t.tokenAddress.toLowerCase(),
        valueOrTokenId: t.valueOrTokenId.toString(),
        requestNonce: t.requestNonce.toString(),
        requestBlockNumber: t.requestBlockNumber.toString(),
        tokenURI: t.tokenURI,
        extraData: t.extraData.toLowerCase(),
      })),
    },
  };
}

/** One operator's 65-byte signature over an anchor. */
export async function signAnchor(signer: Signer, domain: TypedDataDomain, anchor: Anchor): Promise<string> {
  return Signature.from(await signer.signTypedData(domain, ANCHOR_TYPES, anchor)).serialized;
}

/** One operator's 65-byte signature of `cancelDigest(transfer)` on the destination's recovery ledger. */
export async function signCancel(signer: Signer, domain: TypedDataDomain, transfer: SignedTransfer): Promise<string> {
  return Signature.from(await signer.signTypedData(domain, CANCEL_TRANSFER_TYPES, { transfer })).serialized;
}

/** One operator's 65-byte signature of `refundDigest(transfer)` (the transfer as requested on the source). */
export async function signRefund(signer: Signer, domain: TypedDataDomain, transfer: SignedTransfer): Promise<string> {
  return Signature.from(await signer.signTypedData(domain, REFUND_TRANSFER_TYPES, { transfer })).serialized;
}

/** One operator's 65-byte signature of a cancellation or a refund of `transfer` (`signCancel` / `signRefund`). */
export async function signRecovery(
  signer: Signer,
  domain: TypedDataDomain,
  kind: RecoveryKind,
  transfer: SignedTransfer,
): Promise<string> {
  return kind === "cancel" ? signCancel(signer, domain, transfer) : signRefund(signer, domain, transfer);
}
