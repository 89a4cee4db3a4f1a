import { formatUnits } from "ethers";

import type { Log } from "./connect.js";
import { sendTx } from "./connect.js";
import { BridgeTaskError } from "./errors.js";
import type { ConnectedPair } from "./pair.js";
import { parseAmount, type Side } from "./validate.js";

/** Adds KLAY liquidity to one bridge with `chargeWithoutEvent` (`bridge fund`); returns the bridge's new balance. */
export async function fundBridge(pair: ConnectedPair, side: Side, amountText: string | undefined, log: Log): Promise<bigint> {
  const amount = parseAmount(amountText, 18, "amount");
  const chain = pair[side];
  const balance = await chain.provider.getBalance(chain.signer.address);
  if (balance <= amount) {
    throw new BridgeTaskError(`amount: ${chain.signer.address} has ${formatUnits(balance, 18)} KLAY on ${side}, not enough to send ${formatUnits(amount, 18)} and pay gas`);
  }
  const bridge = pair.bridges[side];
  await sendTx(chain, `Bridge.chargeWithoutEvent ${formatUnits(amount, 18)} KLAY`, log, () => bridge.chargeWithoutEvent({ value: amount }));
  const bridgeBalance = await chain.provider.getBalance(pair.deployment[side].bridge);
  log(`the ${side} bridge holds ${formatUnits(bridgeBalance, 18)} KLAY`);
  return bridgeBalance;
}
