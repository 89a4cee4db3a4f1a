/**
 * "Insufficient funds", said once per chain: the relayer reports it the first time a transaction cannot be paid
 * for, and again only after a transaction on that chain went through in between.
 */
import type { RelayerLogger } from "./log.js";
import type { Side } from "./types.js";

export class InsufficientFundsAlarm {
  readonly #reported = new Set<Side>();

  constructor(
    readonly operator: string,
    readonly log: RelayerLogger,
  ) {}

  /** Logs, once, that the operator cannot pay for `what` on `side`. */
  report(side: Side, what: string): void {
    if (this.#reported.has(side)) return;
    this.#reported.add(side);
    this.log.log("error", "insufficient-funds", {
      side,
      operator: this.operator,
      message: `operator ${this.operator} cannot pay for ${what} on the ${side} chain: fund it`,
    });
  }

  /** A transaction on `side` went through: a later shortage is reported again. */
  clear(side: Side): void {
    this.#reported.delete(side);
  }
}
