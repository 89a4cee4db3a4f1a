/**
 * The values the relayer passes around: one side of a pair, one value transfer request, and its states.
 */
import { getAddress } from "ethers";
import type { Signer } from "ethers";

import type { SignedTransfer } from "../signatures.js";

export type { SignedTransfer };

/** The two chains of a pair. A transfer is named by its source side. */
export type Side = "parent" | "child";

/** The other side of `side`. */
export function otherSide(side: Side): Side {
  return side === "parent" ? "child" : "parent";
}

/** Klaytn's token types, as the bridge numbers them. */
export const TokenType = { KLAY: 0, KIP7: 1, KIP17: 2 } as const;
export type TokenTypeValue = (typeof TokenType)[keyof typeof TokenType];

/** One side of a deployed pair, as the relayer needs it: plain addresses and the operator's signer on that chain. */
export interface ChainEndpoint {
  /** The signer of this relayer's operator on this chain, connected to the chain's provider. */
  signer: Signer;
  /** The Bridge on this chain. */
  bridge: string;
  /** The block the Bridge was deployed in: where scanning starts when there is no saved cursor. */
  deployedBlock: number;
  /** Blocks to wait after a request before handling it (0 on instant-finality chains such as Kaia). */
  confirmations?: number;
  /** Parent only: the AnchoringReceiver that records the child chain's blocks. */
  anchoringReceiver?: string;
}

/**
 * One value transfer request read from a source bridge, with exactly the fields the destination bridge's handle
 * takes. `tokenAddress` is the destination token (`sourceBridge.registeredTokens(sourceToken)`), zero for KLAY.
 */
export interface TransferRequest {
  source: Side;
  requestTxHash: string;
  tokenType: TokenTypeValue;
  from: string;
  to: string;
  sourceToken: string;
  tokenAddress: string;
  valueOrTokenId: bigint;
  requestNonce: bigint;
  requestBlockNumber: bigint;
  tokenURI: string;
  extraData: string;
}

/**
 * Where a transfer stands for this operator.
 * - `seen`: read from the source chain, nothing sent yet;
 * - `signed`: this operator signed a batch holding it (the signed path) and waits for the others' signatures;
 * - `voting`: this operator is about to send (or has sent) its vote; on restart the chain says which;
 * - `voted`: this operator's vote is mined; the others' votes are awaited;
 * - `submitted`: a signed batch holding it was sent by this relayer;
 * - `done`: the destination bridge handled it (by any path, any relayer);
 * - `failed`: the last attempt reverted for a reason the relayer cannot explain; it is retried.
 */
export type TransferState = "seen" | "signed" | "voting" | "voted" | "submitted" | "done" | "failed";

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
