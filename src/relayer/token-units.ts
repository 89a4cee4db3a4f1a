/**
 * How the relayer's log lines name an amount: the symbol and decimals of each source token, read once, so that a
 * request reads `250.0 DMT` or `DNFT #2` rather than a raw number.
 */
import { formatUnits } from "ethers";
import type { Provider } from "ethers";

import { KIP7Token__factory } from "../../types/ethers-contracts/index.js";
import { TokenType } from "./types.js";
import type { Side, TransferRequest } from "./types.js";

/** The token of `request` as log lines name it: `KLAY`, `KIP7:0x…`, `KIP17:0x…`. */
export function assetName(request: TransferRequest): string {
  if (request.tokenType === TokenType.KLAY) return "KLAY";
  return `${request.tokenType === TokenType.KIP7 ? "KIP7" : "KIP17"}:${request.sourceToken}`;
}

/** Symbol and decimals of the source tokens, by `side:address` (read once, for the log lines). */
export class TokenUnits {
  readonly #units = new Map<string, { symbol: string; decimals: number }>();

  constructor(readonly providers: Record<Side, Provider>) {}

  /** Reads the symbol and decimals of the tokens of `requests` not read yet (a token that answers neither: none). */
  async load(requests: TransferRequest[]): Promise<void> {
    for (const request of requests) {
      if (request.tokenType === TokenType.KLAY) continue;
      const key = `${request.source}:${request.sourceToken.toLowerCase()}`;
      if (this.#units.has(key)) continue;
      if (this.#units.size >= 10_000) this.#units.clear();
      const token = KIP7Token__factory.connect(request.sourceToken, this.providers[request.source]);
      const symbol = await token.symbol().catch(() => (request.tokenType === TokenType.KIP7 ? "KIP7" : "KIP17"));
      const decimals = request.tokenType === TokenType.KIP7 ? Number(await token.decimals().catch(() => 18n)) : 0;
      // a token's symbol is its own data: printable characters only, bounded
      this.#units.set(key, { symbol: symbol.replace(/[^\x20-\x7e]/g, "?").slice(0, 32), decimals });
    }
  }

  /** The amount of `request` as people read it (`250.0 DMT`, `DNFT #2`), when its token's units are known. */
  amount(request: TransferRequest): string | undefined {
    if (request.tokenType === TokenType.KLAY) return `${formatUnits(request.valueOrTokenId, 18)} KLAY`;
    const units = this.#units.get(`${request.source}:${request.sourceToken.toLowerCase()}`);
    if (units === undefined) return undefined;
    if (request.tokenType === TokenType.KIP17) return `${units.symbol} #${request.valueOrTokenId}`;
    return `${formatUnits(request.valueOrTokenId, units.decimals)} ${units.symbol}`;
  }
}
