/**
 * An operator's vote for a transfer on its destination bridge, through Klaytn's per-operator handle entry points
 * (`handleKLAYTransfer`, `handleERC20Transfer`, `handleERC721Transfer`): the one that fits the transfer's token type,
 * with exactly the transfer's fields.
 */
import type { ContractTransactionResponse } from "ethers";

import type { Bridge } from "../../types/ethers-contracts/index.js";
import { TokenType } from "./transfer.js";
import type { SignedTransfer } from "./transfer.js";

/** Sends the Klaytn-compatible handle call of `transfer` to `bridge` (bound to the voting operator). */
export function sendHandleVote(bridge: Bridge, transfer: SignedTransfer): Promise<ContractTransactionResponse> {
  const { requestTxHash, from, to, tokenAddress, valueOrTokenId, requestNonce, requestBlockNumber, extraData } = transfer;
  const at = [requestNonce, requestBlockNumber] as const;
  if (transfer.tokenType === TokenType.KLAY) {
    return bridge.handleKLAYTransfer(requestTxHash, from, to, valueOrTokenId, ...at, extraData);
  }
  if (transfer.tokenType === TokenType.KIP7) {
    return bridge.handleERC20Transfer(requestTxHash, from, to, tokenAddress, valueOrTokenId, ...at, extraData);
  }
  return bridge.handleERC721Transfer(requestTxHash, from, to, tokenAddress, valueOrTokenId, ...at, transfer.tokenURI, extraData);
}
