import { isError } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { Result } from "hardhat/types/utils";
import { errorResult } from "hardhat/utils/result";

import { BridgeTaskError, explain } from "../src/errors.js";
import { openPair } from "../src/hardhat/open-pair.js";
import type { ConnectedPair } from "../src/pair.js";
import { parseInteger, parsePairName, parseSide } from "../src/validate.js";
import type { Side } from "../src/validate.js";

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

/** The options every task on one pair takes. */
export interface PairTaskArgs {
  pair?: string;
  signer?: string;
}

/**
 * A task on one pair, as its action: `--pair` and the task's own arguments (`check`, which throws a BridgeTaskError
 * on bad input) are checked before anything connects, then the pair is opened with `--signer` and `body` runs with
 * what `check` returned.
 */
export function pairTask<A extends PairTaskArgs, C, T>(
  label: string,
  check: (args: A) => C,
  body: (pair: ConnectedPair, checked: C) => Promise<T>,
): (args: A, hre: HardhatRuntimeEnvironment) => Promise<Result<T, BridgeTaskError>> {
  return (args, hre) =>
    runTask(label, hre, async () => {
      parsePairName(args.pair, "pair");
      const checked = check(args);
      const pair = await openPair(hre, args.pair, { signer: args.signer });
      return body(pair, checked);
    });
}

/** `--from` and `--nonce`: a transfer named by the side it was requested on and its request nonce. */
export function parseTransferName(args: PairTaskArgs & { from?: string; nonce?: string }): { from: Side; nonce: bigint } {
  return { from: parseSide(args.from, "from"), nonce: parseInteger(args.nonce, "nonce", { max: 2n ** 64n - 1n }) };
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
