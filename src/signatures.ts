import { Signature, TypedDataEncoder, concat, getAddress, getBytes, hexlify, keccak256, recoverAddress, toQuantity, toUtf8Bytes } from "ethers";
import type { Signer, TypedDataDomain, TypedDataField } from "ethers";

import { ANCHOR_TYPES, type Anchor } from "./protocol/anchor.js";

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
  // The EIP-712 encoding of HANDLE_BATCH_TYPES written out with byte buffers: the same digest as
  // `TypedDataEncoder.hash(domain, HANDLE_BATCH_TYPES, { transfers })` (test/relayer/digest.ts checks it), with
  // the same range checks, about twenty times faster on a batch of 100 (the relayer hashes every batch it reads).
  const structHashes = new Uint8Array(32 * transfers.length);
  transfers.forEach((transfer, i) => structHashes.set(transferStructHash(transfer), 32 * i));
  const batch = new Uint8Array(64);
  batch.set(HANDLE_BATCH_TYPEHASH, 0);
  batch.set(keccakBytes(structHashes), 32);
  const message = new Uint8Array(66);
  message.set([0x19, 0x01], 0);
  message.set(getBytes(TypedDataEncoder.hashDomain(domain)), 2);
  message.set(keccakBytes(batch), 34);
  return keccak256(message);
}

const keccakBytes = (data: Uint8Array): Uint8Array => getBytes(keccak256(data));
const TRANSFER_TYPE =
  "Transfer(bytes32 requestTxHash,uint8 tokenType,address from,address to,address tokenAddress,uint256 valueOrTokenId," +
  "uint64 requestNonce,uint64 requestBlockNumber,string tokenURI,bytes extraData)";
const TRANSFER_TYPEHASH = keccakBytes(toUtf8Bytes(TRANSFER_TYPE));
const HANDLE_BATCH_TYPEHASH = keccakBytes(toUtf8Bytes(`HandleBatch(Transfer[] transfers)${TRANSFER_TYPE}`));
const HEX = /^0x[0-9a-fA-F]*$/;

function word(value: bigint, bits: number, field: string): Uint8Array {
  if (typeof value !== "bigint" || value < 0n || value >= 1n << BigInt(bits)) {
    throw new RangeError(`${field} out of range for uint${bits}: ${String(value)}`);
  }
  return Buffer.from(value.toString(16).padStart(64, "0"), "hex");
}

function hexBytes(value: string, field: string, length?: number): Buffer {
  if (typeof value !== "string" || !HEX.test(value) || value.length % 2 !== 0) throw new TypeError(`${field} is not hex: ${String(value)}`);
  const bytes = Buffer.from(value.slice(2), "hex");
  if (length !== undefined && bytes.length !== length) throw new RangeError(`${field} is not ${length} bytes`);
  return bytes;
}

function transferStructHash(t: SignedTransfer): Uint8Array {
  const encoded = new Uint8Array(32 * 11);
  encoded.set(TRANSFER_TYPEHASH, 0);
  encoded.set(hexBytes(t.requestTxHash, "requestTxHash", 32), 32);
  encoded.set(word(BigInt(t.tokenType), 8, "tokenType"), 64);
  encoded.set(hexBytes(t.from, "from", 20), 96 + 12);
  encoded.set(hexBytes(t.to, "to", 20), 128 + 12);
  encoded.set(hexBytes(t.tokenAddress, "tokenAddress", 20), 160 + 12);
  encoded.set(word(t.valueOrTokenId, 256, "valueOrTokenId"), 192);
  encoded.set(word(t.requestNonce, 64, "requestNonce"), 224);
  encoded.set(word(t.requestBlockNumber, 64, "requestBlockNumber"), 256);
  encoded.set(hashOfText(t.tokenURI), 288);
  encoded.set(hashOfBytes(t.extraData), 320);
  return keccakBytes(encoded);
}

/** The hashes of the token URIs and extra data met so far (mostly empty, or the same few in a batch). */
const uriHashes = new Map<string, Uint8Array>();
const extraDataHashes = new Map<string, Uint8Array>();

function hashOfText(text: string): Uint8Array {
  let hash = uriHashes.get(text);
  if (hash === undefined) {
    hash = keccakBytes(toUtf8Bytes(text));
    if (uriHashes.size >= 1000) uriHashes.clear();
    uriHashes.set(text, hash);
  }
  return hash;
}

function hashOfBytes(hex: string): Uint8Array {
  let hash = extraDataHashes.get(hex);
  if (hash === undefined) {
    hash = keccakBytes(hexBytes(hex, "extraData"));
    if (extraDataHashes.size >= 1000) extraDataHashes.clear();
    extraDataHashes.set(hex, hash);
  }
  return hash;
}

const HANDLE_SIGNED_TRANSFERS = keccak256(
  toUtf8Bytes(
    "handleSignedTransfers((bytes32,uint8,address,address,address,uint256,uint64,uint64,string,bytes)[],bytes)",
  ),
).slice(2, 10);

/**
 * The calldata of `Bridge.handleSignedTransfers(transfers, signatures)`, ABI-encoded by hand: the same bytes as
 * `bridge.interface.encodeFunctionData("handleSignedTransfers", [transfers, signatures])` (test/relayer/digest.ts
 * checks it), with the same range checks, in a fraction of the time on a batch of hundreds (the generic encoder
 * checksums every address and copies every word several times).
 */
export function encodeHandleSignedTransfers(transfers: SignedTransfer[], signatures: string): string {
  const tuples = transfers.map((t) => {
    const uri = dynamicBytes(Buffer.from(t.tokenURI, "utf8").toString("hex"));
    const extra = dynamicBytes(hexBytes(t.extraData, "extraData").toString("hex"));
    return (
      hexBytes(t.requestTxHash, "requestTxHash", 32).toString("hex") +
      uintHex(BigInt(t.tokenType), 8, "tokenType") +
      addressHex(t.from, "from") +
      addressHex(t.to, "to") +
      addressHex(t.tokenAddress, "tokenAddress") +
      uintHex(t.valueOrTokenId, 256, "valueOrTokenId") +
      uintHex(t.requestNonce, 64, "requestNonce") +
      uintHex(t.requestBlockNumber, 64, "requestBlockNumber") +
      uintHex(10n * 32n, 256, "offset") +
      uintHex(BigInt(10 * 32 + uri.length / 2), 256, "offset") +
      uri +
      extra
    );
  });
  const offsets: string[] = [];
  let offset = 32 * tuples.length;
  for (const tuple of tuples) {
    offsets.push(uintHex(BigInt(offset), 256, "offset"));
    offset += tuple.length / 2;
  }
  const array = uintHex(BigInt(tuples.length), 256, "length") + offsets.join("") + tuples.join("");
  const packed = dynamicBytes(hexBytes(signatures, "signatures").toString("hex"));
  const head = uintHex(64n, 256, "offset") + uintHex(BigInt(64 + array.length / 2), 256, "offset");
  return `0x${HANDLE_SIGNED_TRANSFERS}${head}${array}${packed}`;
}

function uintHex(value: bigint, bits: number, field: string): string {
  if (typeof value !== "bigint" || value < 0n || value >= 1n << BigInt(bits)) {
    throw new RangeError(`${field} out of range for uint${bits}: ${String(value)}`);
  }
  return value.toString(16).padStart(64, "0");
}

function addressHex(value: string, field: string): string {
  return hexBytes(value, field, 20).toString("hex").padStart(64, "0");
}

/** A `bytes` or `string` value (given as hex without 0x): its length, then its bytes padded to whole words. */
function dynamicBytes(hex: string): string {
  const padded = hex.length % 64 === 0 ? hex : hex + "0".repeat(64 - (hex.length % 64));
  return uintHex(BigInt(hex.length / 2), 256, "length") + padded;
}

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
  signer: Signer,
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

export { ANCHOR_TYPES } from "./protocol/anchor.js";
export type { Anchor } from "./protocol/anchor.js";

/** The EIP-712 domain of the anchoring receiver at `receiverAddress` on chain `chainId`. */
export function anchoringDomain(chainId: bigint, receiverAddress: string): TypedDataDomain {
  return { name: "AnchoringReceiver", version: "1", chainId, verifyingContract: getAddress(receiverAddress) };
}

/** One operator's 65-byte signature over an anchor. */
export async function signAnchor(signer: Signer, domain: TypedDataDomain, anchor: Anchor): Promise<string> {
  return Signature.from(await signer.signTypedData(domain, ANCHOR_TYPES, anchor)).serialized;
}

/** EIP-712 types of an operators' cancellation of a failed or held transfer (domain: `recoveryDomain`). */
export const CANCEL_TRANSFER_TYPES: Record<string, TypedDataField[]> = {
  CancelTransfer: [{ name: "transfer", type: "Transfer" }],
  Transfer: HANDLE_BATCH_TYPES.Transfer,
};

/** EIP-712 types of an operators' refund of a cancelled request to its requester (domain: `recoveryDomain`). */
export const REFUND_TRANSFER_TYPES: Record<string, TypedDataField[]> = {
  RefundTransfer: [{ name: "transfer", type: "Transfer" }],
  Transfer: HANDLE_BATCH_TYPES.Transfer,
};

/** What the operators approve on a `TransferRecovery`: a cancellation (destination) or a refund (source). */
export type RecoveryKind = "cancel" | "refund";

/** The EIP-712 domain of the `TransferRecovery` at `recoveryAddress` (a bridge's `transferRecovery()`) on chain `chainId`. */
export function recoveryDomain(chainId: bigint, recoveryAddress: string): TypedDataDomain {
  return { name: "ServiceChainBridgeRecovery", version: "1", chainId, verifyingContract: getAddress(recoveryAddress) };
}

function recoveryTypes(kind: RecoveryKind): Record<string, TypedDataField[]> {
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

/** One operator's 65-byte signature of `cancelDigest(transfer)` on the destination's recovery ledger. */
export async function signCancel(signer: Signer, domain: TypedDataDomain, transfer: SignedTransfer): Promise<string> {
  return Signature.from(await signer.signTypedData(domain, CANCEL_TRANSFER_TYPES, { transfer })).serialized;
}

/** One operator's 65-byte signature of `refundDigest(transfer)` (the transfer as requested on the source). */
export async function signRefund(signer: Signer, domain: TypedDataDomain, transfer: SignedTransfer): Promise<string> {
  return Signature.from(await signer.signTypedData(domain, REFUND_TRANSFER_TYPES, { transfer })).serialized;
}
