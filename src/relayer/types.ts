/**
 * The values the relayer passes around: one side of a pair, one value transfer request, and its states.
 */
import type { Signer } from "ethers";

export {
  TokenType,
  checksumAddress,
  directionOf,
  lowestNonce,
  otherSide,
  sameTransfer,
  toSignedTransfer,
  type Side,
  type SignedTransfer,
  type TokenTypeValue,
  type TransferRequest,
} from "../protocol/transfer.js";

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

