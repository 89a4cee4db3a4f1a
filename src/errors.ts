import { Interface, isError } from "ethers";

import { AnchoringReceiver__factory, Bridge__factory, KIP17Token__factory, KIP7Token__factory, TransferLimits__factory, TransferRecovery__factory } from "./contracts.js";
import { findRevertData } from "./protocol/revert.js";

/**
 * A failure the user can fix: bad input, an unknown pair, a signer without the right role, a reverted transaction.
 * Its message is one line, printed as is by the tasks (no stack).
 */
export class BridgeTaskError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "BridgeTaskError";
  }
}

let knownInterfaces: Interface[] | undefined;

function interfaces(): Interface[] {
  knownInterfaces ??= [
    Bridge__factory.createInterface(),
    TransferRecovery__factory.createInterface(),
    TransferLimits__factory.createInterface(),
    AnchoringReceiver__factory.createInterface(),
    KIP7Token__factory.createInterface(),
    KIP17Token__factory.createInterface(),
  ];
  return knownInterfaces;
}

/**
 * Decodes a custom error or `Error(string)` revert into `Name(arg, arg)`; undefined when it cannot. A `bytes` argument
 * that carries a callee's own revert (`PayoutFailed(nonce, reason)`, `RefundFailed(nonce, reason)`) is decoded too,
 * one level down, so the same failure reads the same in every task: `PayoutFailed(10, ReentrancyGuardReentrantCall())`.
 */
export function decodeRevert(data: string, depth = 0): string | undefined {
  for (const contractInterface of interfaces()) {
    try {
      const parsed = contractInterface.parseError(data);
      if (parsed === null) continue;
      if (parsed.name === "Error") return `reverted: ${String(parsed.args[0])}`;
      const args = parsed.fragment.inputs.map((input, index) => {
        const value = String(parsed.args[index]);
        if (input.type !== "bytes" || depth > 0) return value;
        if (value === "0x") return "no reason";
        return decodeRevert(value, depth + 1) ?? value;
      });
      return `${parsed.name}(${args.join(", ")})`;
    } catch {
      // not this interface
    }
  }
  return undefined;
}

/**
 * Turns whatever a contract call or transaction threw into a BridgeTaskError with one line: `what failed: Reason`.
 * BridgeTaskErrors pass through unchanged.
 */
export function explain(error: unknown, what: string): BridgeTaskError {
  if (error instanceof BridgeTaskError) return error;
  const data = findRevertData(error);
  const decoded = data === undefined ? undefined : decodeRevert(data);
  if (decoded !== undefined) return new BridgeTaskError(`${what}: ${decoded}`, { cause: error });
  if (isError(error, "CALL_EXCEPTION")) {
    const reason = error.reason ?? error.shortMessage;
    return new BridgeTaskError(`${what}: ${reason}`, { cause: error });
  }
  if (isError(error, "INSUFFICIENT_FUNDS")) {
    return new BridgeTaskError(`${what}: the signer cannot pay for the transaction (insufficient funds)`, { cause: error });
  }
  const message = error instanceof Error ? firstLine(error.message) : String(error);
  return new BridgeTaskError(`${what}: ${message}`, { cause: error });
}

function firstLine(text: string): string {
  const line = text.split("\n")[0] ?? text;
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
