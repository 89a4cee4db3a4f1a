/**
 * The relayer's first rule: it signs, votes or proposes only what it has just read from the current source bridge's
 * confirmed logs. Its store is a cache; before a signature or a vote leaves the relayer, the transfers it is about to
 * approve are read again from the source bridge, at the blocks they name, and compared field by field. A transfer
 * that the logs no longer show (a reorg dropped or moved it) or show differently is stale: it is not approved, and
 * the caller forgets it so that the scan reads it again, or never, if it is gone.
 */
import type { Provider } from "ethers";

import type { Bridge } from "../../types/ethers-contracts/index.js";
import { readRequests, readRequestsOfTx } from "../protocol/requests.js";
import type { CounterpartTokens, OnRequestProblem } from "../protocol/requests.js";
import { sameTransfer, toSignedTransfer } from "./types.js";
import type { Side, SignedTransfer, TransferRequest } from "./types.js";

/** The source bridge, as the check reads it. */
export interface SourceReader {
  side: Side;
  bridge: Bridge;
  tokens: CounterpartTokens;
  provider: Provider;
  confirmations: number;
  maxBlockRange: number;
  rpc: <T>(operation: () => Promise<T>) => Promise<T>;
  onProblem?: OnRequestProblem;
  /**
   * The reads of block ranges already made in the current round (one signed step), by range: the windows of one
   * step that name the same blocks are checked against one read of them, made moments before.
   */
  reads?: Map<string, Promise<TransferRequest[]>>;
}

/** What the source chain says of transfers about to be approved. */
export interface SourceCheck {
  /** Exactly as the source bridge emitted them, with the source's confirmations. */
  confirmed: SignedTransfer[];
  /** Not (or no longer) in the source's logs as given: never to be approved as they are. */
  stale: { nonce: bigint; reason: string }[];
  /** In the logs, but not confirmed yet. */
  unconfirmed: bigint[];
}

/**
 * Reads the requests of `transfers` again from the source bridge: one `eth_getLogs` over the blocks they name when
 * those are close together (the usual batch), else the receipts of their transactions.
 */
export async function checkAtSource(reader: SourceReader, transfers: SignedTransfer[]): Promise<SourceCheck> {
  const result: SourceCheck = { confirmed: [], stale: [], unconfirmed: [] };
  if (transfers.length === 0) return result;
  const head = await reader.rpc(() => reader.provider.getBlockNumber());
  const blocks = transfers.map((transfer) => Number(transfer.requestBlockNumber));
  const low = Math.min(...blocks);
  const high = Math.min(Math.max(...blocks), head);
  const chunks = Math.ceil((high - low + 1) / reader.maxBlockRange);
  const found = new Map<bigint, TransferRequest>();
  const keep = (requests: TransferRequest[]) => {
    for (const request of requests) found.set(request.requestNonce, request);
  };
  if (high >= low && chunks <= Math.max(1, transfers.length)) {
    const key = `${low}-${high}`;
    let read = reader.reads?.get(key);
    if (read === undefined) {
      read = reader.rpc(() =>
        readRequests(reader.side, reader.bridge, reader.tokens, reader.provider, low, high, reader.maxBlockRange, reader.onProblem),
      );
      reader.reads?.set(key, read);
      // a failed read is not kept: the next check reads again
      read.catch(() => reader.reads?.delete(key));
    }
    keep(await read);
  } else {
    for (const txHash of new Set(transfers.map((transfer) => transfer.requestTxHash.toLowerCase()))) {
      keep(
        await reader.rpc(() =>
          readRequestsOfTx(reader.side, reader.bridge, reader.tokens, reader.provider, txHash, reader.onProblem),
        ),
      );
    }
  }
  for (const transfer of transfers) {
    const nonce = transfer.requestNonce;
    const request = found.get(nonce);
    if (request === undefined) {
      result.stale.push({ nonce, reason: `no request ${nonce} in block ${transfer.requestBlockNumber} of the ${reader.side} bridge` });
    } else if (!sameTransfer(toSignedTransfer(request), transfer)) {
      result.stale.push({ nonce, reason: `request ${nonce} on the ${reader.side} bridge differs from what was stored` });
    } else if (Number(request.requestBlockNumber) + reader.confirmations > head) {
      result.unconfirmed.push(nonce);
    } else {
      result.confirmed.push(transfer);
    }
  }
  return result;
}
