/**
 * The transfer, as the protocol defines it: the two sides of a pair, Klaytn's token types, a request as the source
 * bridge emitted it, the Transfer the destination executes for it (and the one a refund names), its JSON form, and
 * the content hash a parked record holds. The library, the relayer, the tasks and the tests take it from here.
 */
import { AbiCoder, getAddress, keccak256 } from "ethers";
import type { TypedDataField } from "ethers";

/** One transfer as the destination executes it: `IBridge.Transfer`, the struct of a signed batch and of a recovery. */
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

/** Typed-data fields from a Solidity-like list: `"bytes32 blockHash, uint64 blockNumber"`. */
export function structFields(declaration: string): TypedDataField[] {
  return declaration.split(",").map((field) => {
    const [type, name] = field.trim().split(/\s+/);
    return { name, type };
  });
}

/** The fields of `IBridge.Transfer` with their Solidity types, in the order of the struct. */
export const TRANSFER_FIELDS: TypedDataField[] = structFields(
  "bytes32 requestTxHash, uint8 tokenType, address from, address to, address tokenAddress, uint256 valueOrTokenId, " +
    "uint64 requestNonce, uint64 requestBlockNumber, string tokenURI, bytes extraData",
);

/** The struct as an ABI tuple, `(bytes32,uint8,…,bytes)`: how selectors and the ABI encoder name it. */
export const TRANSFER_ABI_TUPLE = `(${TRANSFER_FIELDS.map((field) => field.type).join(",")})`;

/** The struct's EIP-712 type, `Transfer(bytes32 requestTxHash,…,bytes extraData)`. */
export const TRANSFER_ENCODE_TYPE = `Transfer(${TRANSFER_FIELDS.map((field) => `${field.type} ${field.name}`).join(",")})`;

/** The two chains of a pair. A transfer is named by its source side. */
export type Side = "parent" | "child";

/** The other side of `side`. */
export function otherSide(side: Side): Side {
  return side === "parent" ? "child" : "parent";
}

/** The direction of a transfer from `source`, as log lines name it: `parent->child`. */
export function directionOf(source: Side): string {
  return `${source}->${otherSide(source)}`;
}

/** Klaytn's token types, as the bridge numbers them. */
export const TokenType = { KLAY: 0, KIP7: 1, KIP17: 2 } as const;
export type TokenTypeValue = (typeof TokenType)[keyof typeof TokenType];

/** The token types as the tasks and `bridge status` name them, by their number. */
export const TOKEN_TYPE_NAMES = ["klay", "kip7", "kip17"] as const;
export type TokenTypeName = (typeof TOKEN_TYPE_NAMES)[number];

/** The name of token type `value` (a number read from an event); `klay` for one the bridge does not define. */
export function tokenTypeName(value: unknown): TokenTypeName {
  return TOKEN_TYPE_NAMES[Number(value)] ?? "klay";
}

/**
 * One value transfer request read from a source bridge, with exactly the fields the destination bridge's handle
 * takes. `tokenAddress` is the destination token (`sourceBridge.registeredTokens(sourceToken)`), zero for KLAY.
 */
export interface TransferRequest extends SignedTransfer {
  source: Side;
  tokenType: TokenTypeValue;
  /** The token on the source side (zero for KLAY); `tokenAddress` is its counterpart on the destination. */
  sourceToken: string;
}

/** The struct of the Transfer the destination bridge executes for `request`. */
export function toSignedTransfer(request: TransferRequest): SignedTransfer {
  return {
    requestTxHash: request.requestTxHash,
    tokenType: request.tokenType,
    from: request.from,
    to: request.to,
    tokenAddress: request.tokenAddress,
    valueOrTokenId: request.valueOrTokenId,
    requestNonce: request.requestNonce,
    requestBlockNumber: request.requestBlockNumber,
    tokenURI: request.tokenURI,
    extraData: request.extraData,
  };
}

/** The lowest request nonce of `transfers` (2^64 for none). */
export function lowestNonce(transfers: SignedTransfer[]): bigint {
  return transfers.reduce((low, transfer) => (transfer.requestNonce < low ? transfer.requestNonce : low), 2n ** 64n);
}

/** Whether two transfers carry identical fields (addresses compared case-insensitively). */
export function sameTransfer(a: SignedTransfer, b: SignedTransfer): boolean {
  return (
    a.requestTxHash.toLowerCase() === b.requestTxHash.toLowerCase() &&
    a.tokenType === b.tokenType &&
    a.from.toLowerCase() === b.from.toLowerCase() &&
    a.to.toLowerCase() === b.to.toLowerCase() &&
    a.tokenAddress.toLowerCase() === b.tokenAddress.toLowerCase() &&
    a.valueOrTokenId === b.valueOrTokenId &&
    a.requestNonce === b.requestNonce &&
    a.requestBlockNumber === b.requestBlockNumber &&
    a.tokenURI === b.tokenURI &&
    a.extraData.toLowerCase() === b.extraData.toLowerCase()
  );
}

/** Checksummed addresses already computed, by the exact text given (a relayer sees the same few addresses again and again). */
const checksums = new Map<string, string>();

/**
 * `getAddress` (the checksummed address, an error for a malformed one or a wrong checksum) remembering its answers:
 * reading a burst of requests or a signature file checksums the same few addresses thousands of times.
 */
export function checksumAddress(address: string): string {
  let checksummed = checksums.get(address);
  if (checksummed === undefined) {
    checksummed = getAddress(address);
    if (checksums.size >= 10_000) checksums.clear();
    checksums.set(address, checksummed);
  }
  return checksummed;
}

/** `ITransferRecovery.ParkedStatus`: where a handled transfer that was not paid stands on its destination. */
export const ParkedStatus = { None: 0, Failed: 1, Held: 2, Cancelled: 3 } as const;


/** `TransferRecovery.contentHash(transfer)`: what a parked record holds. */
export function transferContentHash(t: SignedTransfer): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(
      [`tuple${TRANSFER_ABI_TUPLE}`],
      [[t.requestTxHash, t.tokenType, t.from, t.to, t.tokenAddress, t.valueOrTokenId, t.requestNonce, t.requestBlockNumber, t.tokenURI, t.extraData]],
    ),
  );
}

/** The transfer as requested on the source (the source token): what `refundTransfer` takes. */
export function refundTransferOf(request: TransferRequest): SignedTransfer {
  return { ...toSignedTransfer(request), tokenAddress: request.sourceToken };
}
