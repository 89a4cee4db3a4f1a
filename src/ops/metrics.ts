/**
 * The relayer's Prometheus metrics (`prom-client`): their names, labels and HELP text, and the logger that feeds the
 * counters. The relayer reports every step through its `RelayerLogger`; `BridgeMetrics.logger` passes each record on
 * to the logger it wraps and counts the ones that matter here, so the relayer is observed from outside and knows
 * nothing of metrics. The gauges are set by `RelayerObserver` (`metrics-observer.ts`) from the chains and the store.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";

import type { LogFields, RelayerLogger } from "../relayer/log.js";
import { otherSide } from "../relayer/types.js";
import type { Side } from "../relayer/types.js";

export const SIDES: readonly Side[] = ["parent", "child"];

/** A direction as the relayer's log lines and these labels write it: `parent->child`, `child->parent`. */
export function directionOf(source: Side): string {
  return `${source}->${otherSide(source)}`;
}
export const DIRECTIONS = SIDES.map(directionOf);

/** The outcomes `bridge_transfers_total` counts, by the relayer's log action that reports each. */
const OUTCOME_OF_ACTION: Record<string, string> = {
  handled: "handled",
  "payout-failed": "failed",
  held: "held",
  cancelled: "cancelled",
  refunded: "refunded",
};
export const OUTCOMES = Object.values(OUTCOME_OF_ACTION);

/** The signatures `bridge_signatures_total` counts, by the relayer's log action that reports each. */
const SIGNATURE_OF_ACTION: Record<string, string> = {
  sign: "batch",
  cosign: "batch",
  "sign-anchor": "anchor",
  "cancel-signed": "cancel",
  "refund-signed": "refund",
};
export const SIGNATURE_KINDS = [...new Set(Object.values(SIGNATURE_OF_ACTION))];

/** Every metric of one relayer, in a registry of its own (a process may run several relayers). */
export class BridgeMetrics {
  readonly registry = new Registry();
  /** The operator whose signatures are counted (known from the relayer's `start` line, or set once it exists). */
  operator?: string;

  readonly pendingTransfers: Gauge<"direction">;
  readonly oldestPendingSeconds: Gauge<"direction">;
  readonly transfersTotal: Counter<"direction" | "outcome">;
  readonly scannedBlock: Gauge<"side">;
  readonly headLagBlocks: Gauge<"side">;
  readonly operatorBalance: Gauge<"side" | "address">;
  readonly signaturesTotal: Counter<"kind" | "operator">;
  readonly valueInFlight: Gauge<"asset" | "direction">;
  readonly lastAnchoredBlock: Gauge;
  readonly rpcErrorsTotal: Counter<"side">;
  readonly chainUp: Gauge<"side">;

  constructor(options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
      new Gauge<L>({ name, help, labelNames, registers });
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new Counter<L>({ name, help, labelNames, registers });
    this.pendingTransfers = gauge("bridge_pending_transfers", "Transfers requested on the source chain and not handled on the destination yet, by this relayer's store", ["direction"]);
    this.oldestPendingSeconds = gauge("bridge_oldest_pending_seconds", "Age of the oldest pending transfer (seconds since its request block); 0 when none is pending", ["direction"]);
    this.transfersTotal = counter("bridge_transfers_total", "Transfers by what became of them on the destination since the relayer started: handled (paid, failed or held there), failed (payout failed), held (above the limits), cancelled, refunded (on the source)", ["direction", "outcome"]);
    this.scannedBlock = gauge("bridge_scanned_block", "Last block of the chain whose requests the relayer has read", ["side"]);
    this.headLagBlocks = gauge("bridge_head_lag_blocks", "Blocks between the chain's head and the relayer's last scanned block", ["side"]);
    this.operatorBalance = gauge("bridge_operator_balance", "The operator's balance on the chain, in KLAY (it pays for votes, batches, anchors, cancels and refunds)", ["side", "address"]);
    this.signaturesTotal = counter("bridge_signatures_total", "Signatures this operator made since the relayer started: batch, anchor, cancel, refund", ["kind", "operator"]);
    this.valueInFlight = gauge("bridge_value_in_flight", "Value requested on the source and not yet paid out on the destination or refunded, in units (KLAY, token units, NFT count): pending, failed, held and cancelled transfers", ["asset", "direction"]);
    this.lastAnchoredBlock = gauge("bridge_last_anchored_block", "Latest child block anchored on the parent's anchoring receiver (0: none yet or no receiver)");
    this.rpcErrorsTotal = counter("bridge_rpc_errors_total", "Reads of the chain's node for these metrics (at each scrape) that failed or did not answer in time", ["side"]);
    this.chainUp = gauge("bridge_chain_up", "1 when the chain's node answered the last read, 0 when not", ["side"]);
    for (const direction of DIRECTIONS) {
      for (const outcome of OUTCOMES) this.transfersTotal.inc({ direction, outcome }, 0);
    }
    for (const side of SIDES) this.rpcErrorsTotal.inc({ side }, 0);
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** Sets the operator whose signatures are counted, with every kind at 0. */
  setOperator(operator: string): void {
    this.operator = operator;
    for (const kind of SIGNATURE_KINDS) this.signaturesTotal.inc({ kind, operator }, 0);
  }

  /** Counts one record of the relayer's log. */
  record(action: string, fields: LogFields): void {
    if (action === "start" && typeof fields.operator === "string" && this.operator === undefined) {
      this.setOperator(fields.operator);
      return;
    }
    const outcome = OUTCOME_OF_ACTION[action];
    if (outcome !== undefined && typeof fields.direction === "string") {
      this.transfersTotal.inc({ direction: fields.direction, outcome });
      return;
    }
    const kind = SIGNATURE_OF_ACTION[action];
    if (kind !== undefined) this.signaturesTotal.inc({ kind, operator: this.operator ?? "unknown" });
  }

  /** A logger that passes every record on to `inner` and counts it. */
  logger(inner: RelayerLogger): RelayerLogger {
    return {
      log: (level, action, fields = {}) => {
        this.record(action, fields);
        inner.log(level, action, fields);
      },
    };
  }
}
