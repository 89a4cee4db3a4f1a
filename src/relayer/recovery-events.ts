/**
 * The recovery events the worker reads: the bridge's `HandleValueTransferFailed` and `TransferHeld`, the ledger's
 * `TransferRetried`, `TransferReleased`, `TransferCancelled` (destination) and `ValueTransferRefunded` (source), each
 * recorded in the store as the state of its transfer.
 */
import { formatEther } from "ethers";
import type { Log } from "ethers";

import { KIP17Token__factory, KIP7Token__factory } from "../../types/ethers-contracts/index.js";
import type { Bridge, TransferRecovery } from "../../types/ethers-contracts/index.js";
import { REVERT_PREVIEW_CHARS } from "../protocol/constants.js";
import { recoveryDigest } from "../protocol/eip712.js";
import type { RecoveryKind } from "../protocol/eip712.js";
import { decodeRevert } from "../protocol/revert.js";
import { TokenType, directionOf, otherSide } from "../protocol/transfer.js";
import type { Side } from "../protocol/transfer.js";
import { KLAY_UNITS, bridgeShortfall } from "../units.js";
import { approvedTransfer, ledgerOf } from "./recovery-context.js";
import type { Ledger, RecoveryContext, RecoveryReport } from "./recovery-context.js";

/** Reads the recovery events of `side` (its bridge and ledger) up to its confirmed head. */
export async function scanRecoveryEvents(context: RecoveryContext, side: Side, report: RecoveryReport): Promise<void> {
  const ledger = context.ledgers[side];
  const { chain } = ledger;
  const key = `recovery-${side}`;
  const head = (await context.rpc(() => chain.provider.getBlockNumber())) - chain.confirmations;
  let from = (context.store.getNamedCursor(key) ?? chain.deployedBlock - 1) + 1;
  const bridgeInterface = chain.bridge.interface;
  const recoveryInterface = ledger.recovery.interface;
  const topics = [
    bridgeInterface.getEvent("HandleValueTransferFailed").topicHash,
    bridgeInterface.getEvent("TransferHeld").topicHash,
    recoveryInterface.getEvent("TransferRetried").topicHash,
    recoveryInterface.getEvent("TransferReleased").topicHash,
    recoveryInterface.getEvent("TransferCancelled").topicHash,
    recoveryInterface.getEvent("ValueTransferRefunded").topicHash,
  ];
  const bridgeAddress = (await chain.bridge.getAddress()).toLowerCase();
  while (from <= head) {
    const to = Math.min(head, from + context.options.maxBlockRange - 1);
    const logs = await context.rpc(() =>
      chain.provider.getLogs({ address: [bridgeAddress, ledger.address], fromBlock: from, toBlock: to, topics: [topics] }),
    );
    for (const log of logs) await apply(context, side, log, log.address.toLowerCase() === bridgeAddress, report);
    context.store.setNamedCursor(key, to);
    from = to + 1;
  }
}

/** Records what one recovery event says of its transfer. */
async function apply(context: RecoveryContext, side: Side, log: Log, fromBridge: boolean, report: RecoveryReport): Promise<void> {
  const ledger = context.ledgers[side];
  const parsed = fromBridge ? ledger.chain.bridge.interface.parseLog(log) : ledger.recovery.interface.parseLog(log);
  if (parsed === null) return;
  const source = otherSide(side);
  // every recovery event names its transfer by a uint64 nonce (handleNonce, or requestNonce for a refund)
  const nonce = BigInt((parsed.args.handleNonce ?? parsed.args.requestNonce ?? 0n) as bigint);
  const current = parsed.name === "ValueTransferRefunded" ? context.store.getRecovery(side, nonce) : context.store.getRecovery(source, nonce);
  const fields = { direction: directionOf(source), nonce, block: log.blockNumber, tx: log.transactionHash };
  if (
    (parsed.name === "HandleValueTransferFailed" || parsed.name === "TransferHeld") &&
    context.store.getTransfer(source, nonce) === undefined
  ) {
    // handled before this relayer read its request (a store started late): the request tx the event names
    await context.readRequestTx?.(source, String(parsed.args.requestTxHash));
  }
  switch (parsed.name) {
    case "HandleValueTransferFailed": {
      if (current !== undefined && current.state !== "held" && current.state !== "failed") return;
      const reason = await describePayoutFailure(context, ledger, source, nonce, String(parsed.args.reason));
      context.store.updateRecovery(source, nonce, {
        state: "failed",
        lastReason: reason,
        block: log.blockNumber,
        attempts: current?.attempts ?? 0,
        retryAt: current?.state === "failed" ? current.retryAt : context.now(),
      });
      report.payoutFailures += 1;
      context.log.log("warn", "payout-failed", { ...fields, reason });
      return;
    }
    case "TransferHeld":
      if (current !== undefined) return;
      context.store.updateRecovery(source, nonce, { state: "held", block: log.blockNumber, retryAt: context.now() });
      report.held += 1;
      context.log.log("warn", "held", {
        ...fields,
        action: context.options.cancelHeld ? "cancel" : "left to the bridge owner (bridge release)",
      });
      return;
    case "TransferRetried":
    case "TransferReleased":
      if (parsed.name === "TransferReleased" && parsed.args.paid !== true) return; // now failed (its own event)
      if (current?.state === "cancelled" || current?.state === "refunded") return;
      context.store.updateRecovery(source, nonce, { state: "paid", block: log.blockNumber, lastReason: null });
      context.log.log("info", parsed.name === "TransferRetried" ? "paid-by-retry" : "paid-by-release", fields);
      return;
    case "TransferCancelled":
      if (current?.state === "refunded") return;
      context.store.updateRecovery(source, nonce, {
        state: "cancelled",
        block: log.blockNumber,
        signedAt: null,
        voted: false,
        retryAt: 0,
      });
      context.log.log("info", "cancelled", fields);
      await removeSignatures(context, source, nonce, "cancel");
      return;
    case "ValueTransferRefunded":
      context.store.updateRecovery(side, nonce, { state: "refunded", block: log.blockNumber, lastReason: null });
      context.log.log("info", "refunded", { direction: directionOf(side), nonce, block: log.blockNumber, tx: log.transactionHash });
      await removeSignatures(context, side, nonce, "refund");
      return;
  }
}

/** Forgets the signatures of an approval of `kind` once it is done. */
async function removeSignatures(context: RecoveryContext, source: Side, nonce: bigint, kind: RecoveryKind): Promise<void> {
  const stored = context.store.getTransfer(source, nonce);
  if (stored === undefined) return;
  const ledger = ledgerOf(context, kind, source);
  await ledger.signatures?.remove(recoveryDigest(ledger.domain, kind, approvedTransfer(kind, stored.request)));
}

/** The tokens' errors (OpenZeppelin's ERC-20 and ERC-721 errors, the KIP receiver checks). */
const tokenInterfaces = { kip7: KIP7Token__factory.createInterface(), kip17: KIP17Token__factory.createInterface() };

/** What a recipient or token returned, for a log line: its custom error when the bridge or ledger knows it. */
export function describeReason(reason: string, bridge: Bridge, recovery: TransferRecovery): string {
  if (reason === "0x" || reason === "") return "reverted without a reason";
  for (const iface of [bridge.interface, recovery.interface, tokenInterfaces.kip7, tokenInterfaces.kip17]) {
    const decoded = decodeRevert({ data: reason }, iface);
    if (decoded !== undefined && !decoded.text.startsWith("unknown revert")) return decoded.text;
  }
  return reason.length > REVERT_PREVIEW_CHARS ? `${reason.slice(0, REVERT_PREVIEW_CHARS)}…` : reason;
}

/**
 * Why the payout of transfer `nonce` (from `source`) on `ledger`'s side failed, from what the recipient or token
 * returned (`describeReason`). A KLAY payout that returned nothing while the bridge holds less than it has to pay
 * (sending more than a balance fails without revert data) is told as that shortfall, with the fix; the balance is
 * read now, so a bridge funded since gets the reason as it is.
 */
export async function describePayoutFailure(
  context: RecoveryContext,
  ledger: Ledger,
  source: Side,
  nonce: bigint,
  reason: string,
): Promise<string> {
  const described = describeReason(reason, ledger.chain.bridge, ledger.recovery);
  if (reason !== "0x" && reason !== "") return described;
  const request = context.store.getTransfer(source, nonce)?.request;
  if (request?.tokenType !== TokenType.KLAY) return described;
  const { provider, bridge, side } = ledger.chain;
  let held: bigint;
  try {
    held = await context.rpc(() => provider.getBalance(bridge.target as string));
  } catch {
    return described;
  }
  const short = bridgeShortfall(side, held, request.valueOrTokenId, KLAY_UNITS);
  if (short === undefined) return described;
  return `${short}; hint: fund it with at least ${formatEther(request.valueOrTokenId - held)} KLAY (\`bridge fund --side ${side}\`)`;
}
