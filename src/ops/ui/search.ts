/**
 * What the status page's search box takes: a transaction hash (the request's, or any of its timeline's), a request
 * as `parent:NONCE` / `child:NONCE`, or an address (the requester or the recipient).
 */
import { BridgeTaskError } from "../../errors.js";
import type { TransferView } from "./history.js";

export type QueryKind = "tx" | "nonce" | "address";

export interface SearchResult {
  query: string;
  kind: QueryKind;
  /** Matching transfers, newest request first. */
  transfers: TransferView[];
}

const TX_HASH = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const NONCE = /^(parent|child):(\d+)$/i;

export const SEARCH_HINT = "enter a request tx hash, parent:NONCE or child:NONCE, or an address";

/** The kind of `query`, or a BridgeTaskError naming what it takes. */
export function queryKind(query: string): QueryKind {
  const text = query.trim();
  if (TX_HASH.test(text)) return "tx";
  if (ADDRESS.test(text)) return "address";
  if (NONCE.test(text)) return "nonce";
  throw new BridgeTaskError(`"${text}" is not something to look up: ${SEARCH_HINT}`);
}

/** The transfers of `views` that `query` names. */
export function searchTransfers(views: TransferView[], query: string): SearchResult {
  const text = query.trim();
  const kind = queryKind(text);
  const lower = text.toLowerCase();
  let transfers: TransferView[];
  if (kind === "nonce") {
    const [, side, nonce] = NONCE.exec(text)!;
    transfers = views.filter((view) => view.id === `${side.toLowerCase()}:${BigInt(nonce)}`);
  } else if (kind === "tx") {
    transfers = views.filter(
      (view) =>
        view.requestTx.toLowerCase() === lower ||
        view.steps.some((step) => step.txHash?.toLowerCase() === lower || step.signatures?.some((s) => s.txHash.toLowerCase() === lower)),
    );
  } else {
    transfers = views.filter((view) => view.requester.toLowerCase() === lower || view.recipient.toLowerCase() === lower);
  }
  return { query: text, kind, transfers: [...transfers].sort((a, b) => b.requestedAt - a.requestedAt) };
}
