import { isError } from "ethers";
import type { Result } from "hardhat/types/utils";
import { errorResult } from "hardhat/utils/result";

import { BridgeTaskError, explain } from "../src/errors.js";

/**
 * Runs a task body. A BridgeTaskError (or a provider/contract error, made into one) prints one line on stderr and
 * makes the task return a failed Result, so the CLI exits with code 1 without a stack trace. Other errors are bugs
 * and propagate.
 */
export async function runTask<T>(label: string, body: () => Promise<T>): Promise<Result<T, BridgeTaskError>> {
  try {
    const value = await body();
    return { success: true, value };
  } catch (error) {
    const failure = error instanceof BridgeTaskError ? error : isEthersError(error) ? explain(error, label) : undefined;
    if (failure === undefined) throw error;
    console.error(`Error: ${failure.message}`);
    return errorResult(failure);
  }
}

function isEthersError(error: unknown): boolean {
  return (
    isError(error, "CALL_EXCEPTION") ||
    isError(error, "NETWORK_ERROR") ||
    isError(error, "SERVER_ERROR") ||
    isError(error, "TIMEOUT") ||
    isError(error, "INSUFFICIENT_FUNDS") ||
    isError(error, "NONCE_EXPIRED") ||
    isError(error, "BAD_DATA") ||
    isError(error, "UNKNOWN_ERROR")
  );
}

/** Task output goes through here (stdout, one line per step). */
export function print(line: string): void {
  console.log(line);
}
