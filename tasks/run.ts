import { isError } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { Result } from "hardhat/types/utils";
import { errorResult } from "hardhat/utils/result";

import { BridgeTaskError, explain } from "../src/errors.js";

/**
 * Runs a task body. `--network` is refused first: a bridge task works on both chains of a pair, named by its record.
 * A BridgeTaskError (or a provider/contract error, made into one) prints one line on stderr and
 * makes the task return a failed Result, so the CLI exits with code 1 without a stack trace. Other errors are bugs
 * and propagate.
 */
export async function runTask<T>(
  label: string,
  hre: HardhatRuntimeEnvironment,
  body: () => Promise<T> | T,
): Promise<Result<T, BridgeTaskError>> {
  try {
    refuseNetworkOption(hre, label);
    const value = await body();
    return { success: true, value };
  } catch (error) {
    const failure = error instanceof BridgeTaskError ? error : isEthersError(error) ? explain(error, label) : undefined;
    if (failure === undefined) throw error;
    console.error(`Error: ${failure.message}`);
    return errorResult(failure);
  }
}

/**
 * The pair's record names both of its networks, and each task says which side it works on (`--from`, `--side`):
 * Hardhat's `--network` (or HARDHAT_NETWORK) would be silently ignored, so it is refused.
 */
function refuseNetworkOption(hre: HardhatRuntimeEnvironment, label: string): void {
  const network = hre.globalOptions.network;
  if (network === undefined || network === "") return;
  const which = /transfer|retry|release/.test(label)
    ? "--from parent|child"
    : /fund|fee|limits/.test(label)
      ? "--side parent|child"
      : /deploy$/.test(label) && !/token/.test(label)
        ? "--parent and --child"
        : "";
  throw new BridgeTaskError(
    `--network ${network}: bridge tasks do not use --network; the pair's record (--pair) names both chains` +
      (which === "" ? "" : `: use ${which} to choose`),
  );
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
