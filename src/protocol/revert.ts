/**
 * Revert decoding, one definition for the library and the relayer: where an ethers or provider error carries the
 * revert data, however deeply nested, and that data read with the contracts' interfaces (custom errors,
 * `Error(string)`, panics).
 */
import type { Interface } from "ethers";

/** A revert, decoded: the custom error's name and arguments, or what little is known. */
export interface DecodedRevert {
  name: string;
  args: string[];
  /** `Name(arg, arg)` for logs. */
  text: string;
}

/** Reverts meaning that the request nonce is handled already: the work is done, by someone. */
const ALREADY_HANDLED = new Set(["VoteClosed", "NonceAlreadyPassed"]);

/** The revert data in an ethers or provider error, however deeply nested; undefined when it carries none. */
export function findRevertData(error: unknown, depth = 0): string | undefined {
  if (depth > 6 || error === null || typeof error !== "object") return undefined;
  const record = error as Record<string, unknown>;
  const data = record.data;
  if (typeof data === "string" && /^0x[0-9a-fA-F]*$/.test(data) && data.length >= 10) return data;
  for (const key of ["data", "error", "info", "cause", "revert"]) {
    const nested = findRevertData(record[key], depth + 1);
    if (nested !== undefined) return nested;
  }
  return undefined;
}

/** Revert `data` read with `iface`: undefined when it is not one of its errors. */
export function parseRevertData(data: string, iface: Interface): DecodedRevert | undefined {
  try {
    const parsed = iface.parseError(data);
    if (parsed === null) return undefined;
    const args = parsed.args.map(String);
    return { name: parsed.name, args, text: `${parsed.name}(${args.join(", ")})` };
  } catch {
    return undefined;
  }
}

/** Decodes the revert in `error` with `iface` (custom errors, `Error(string)`, panics); undefined when none. */
export function decodeRevert(error: unknown, iface: Interface): DecodedRevert | undefined {
  const data = findRevertData(error);
  if (data === undefined) {
    const revert = (error as { revert?: { name: string; args: unknown[] } } | null)?.revert;
    if (revert?.name !== undefined) {
      const args = revert.args.map(String);
      return { name: revert.name, args, text: `${revert.name}(${args.join(", ")})` };
    }
    return undefined;
  }
  return parseRevertData(data, iface) ?? { name: data.slice(0, 10), args: [], text: `unknown revert ${data.slice(0, 10)}` };
}

/** Whether the revert says the nonce was handled already. */
export function isAlreadyHandled(revert: DecodedRevert | undefined): boolean {
  return revert !== undefined && ALREADY_HANDLED.has(revert.name);
}
