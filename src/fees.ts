import { formatUnits } from "ethers";

import type { Log } from "./connect.js";
import { sendTx } from "./connect.js";
import { BridgeTaskError } from "./errors.js";
import { VoteType } from "./protocol/constants.js";
import { requireOperator, requireOwner, type ConnectedPair } from "./pair.js";
import { inspectToken, tokenOnSide } from "./tokens.js";
import { parseAddress, parseAmountOrZero, sameAddress, type Side } from "./validate.js";

const ZERO = "0x0000000000000000000000000000000000000000";

export interface FeeOptions {
  side: Side;
  /** KLAY fee in whole KLAY. */
  klay?: string;
  /** Token (on `side`) whose fee to vote, with `amount` in the token's units. */
  token?: string;
  amount?: string;
  /** New fee receiver (owner only). */
  receiver?: string;
}

export interface FeeResult {
  /** The fee in force after the vote (it changes once the configuration threshold is reached). */
  fee?: bigint;
  /** Whether this vote made the fee take effect. */
  applied?: boolean;
  receiver?: string;
}

/**
 * `bridge fee`: votes the KLAY fee or a token's fee on one bridge (a configuration vote at the current
 * `configurationNonce`; the signer must be an operator) and/or sets the fee receiver (owner only).
 */
export async function setFees(pair: ConnectedPair, options: FeeOptions, log: Log): Promise<FeeResult> {
  const { side } = options;
  const chain = pair[side];
  const bridge = pair.bridges[side];
  const hasKlay = options.klay !== undefined && options.klay !== "";
  const hasToken = options.token !== undefined && options.token !== "";
  const hasReceiver = options.receiver !== undefined && options.receiver !== "";
  if (hasKlay && hasToken) throw new BridgeTaskError("pass either --klay or --token with --amount, not both");
  if (!hasKlay && !hasToken && !hasReceiver) throw new BridgeTaskError("nothing to do: pass --klay X, --token A --amount X, or --receiver A");
  if (!hasToken && options.amount !== undefined && options.amount !== "") throw new BridgeTaskError("amount: only with --token (use --klay X for the KLAY fee)");

  // Validate everything before the first transaction.
  const receiver = hasReceiver ? parseAddress(options.receiver, "receiver") : undefined;
  if (receiver !== undefined) await requireOwner(chain, bridge, `${side} Bridge`);
  let vote: { what: string; fee: bigint; unit: string; decimals: number; token?: string } | undefined;
  if (hasKlay) {
    vote = { what: "KLAY fee", fee: parseAmountOrZero(options.klay, 18, "klay"), unit: "KLAY", decimals: 18 };
  } else if (hasToken) {
    const { address: token } = tokenOnSide(pair, side, options.token ?? "", "token");
    if (sameAddress(await bridge.registeredTokens(token), ZERO)) throw new BridgeTaskError(`token: ${token} is not registered on the ${side} bridge`);
    const info = await inspectToken(chain, token, "kip7", "token");
    const decimals = info.decimals ?? 18;
    vote = { what: `${info.symbol} fee`, fee: parseAmountOrZero(options.amount, decimals, "amount"), unit: info.symbol, decimals, token };
  }
  if (vote !== undefined) await requireOperator(chain, bridge, `${side} Bridge`);

  const result: FeeResult = {};
  if (receiver !== undefined) {
    await sendTx(chain, `Bridge.setFeeReceiver(${receiver})`, log, () => bridge.setFeeReceiver(receiver));
    result.receiver = receiver;
  }
  if (vote !== undefined) {
    const nonce = await bridge.configurationNonce();
    const shown = `${formatUnits(vote.fee, vote.decimals)} ${vote.unit}`;
    const token = vote.token;
    if (token === undefined) {
      await sendTx(chain, `Bridge.setKLAYFee(${shown}, configuration nonce ${nonce})`, log, () => bridge.setKLAYFee(vote.fee, nonce));
    } else {
      await sendTx(chain, `Bridge.setERC20Fee(${token}, ${shown}, configuration nonce ${nonce})`, log, () => bridge.setERC20Fee(token, vote.fee, nonce));
    }
    const now = token === undefined ? await bridge.feeOfKLAY() : await bridge.feeOfERC20(token);
    const applied = (await bridge.configurationNonce()) > nonce;
    result.fee = now;
    result.applied = applied;
    if (applied) {
      log(`the ${side} bridge's ${vote.what} is now ${formatUnits(now, vote.decimals)} ${vote.unit}`);
    } else {
      const threshold = await bridge.operatorThresholds(VoteType.Configuration);
      log(`vote recorded; the ${vote.what} changes when ${threshold} operators voted the same at configuration nonce ${nonce}`);
    }
    if (vote.fee > 0n && sameAddress(await bridge.feeReceiver(), ZERO)) {
      log(`note: the ${side} bridge has no fee receiver, so it charges no fee until one is set (--receiver)`);
    }
  }
  return result;
}
