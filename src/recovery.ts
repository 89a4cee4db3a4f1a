// Transfers handled but not paid out (failed, held), their cancellation and refund: `bridge status`, `bridge retry`
// and `bridge release`.

import { queryInChunks } from "./anchoring.js";
import type { Log } from "./connect.js";
import { sendTx } from "./connect.js";
import { KIP17Token__factory, KIP7Token__factory, TransferRecovery__factory } from "./contracts.js";
import type { TransferRecovery } from "./contracts.js";
import { BridgeTaskError, decodeRevert, explain } from "./errors.js";
import { requireOwner } from "./pair.js";
import type { ConnectedPair } from "./pair.js";
import { CounterpartTokens, readRequestsOfTx } from "./protocol/requests.js";
import { ParkedStatus, toSignedTransfer, tokenTypeName, transferContentHash } from "./protocol/transfer.js";
import type { TokenTypeName } from "./protocol/transfer.js";
import type { SignedTransfer } from "./signatures.js";
import { handleLimitProblem } from "./limits.js";
import { assetUnits, bridgeShortfall, formatAsset } from "./units.js";
import type { Side } from "./validate.js";


function other(side: Side): Side {
  return side === "parent" ? "child" : "parent";
}

/** Where a transfer that was handled but not paid out stands. */
export type RecoveryStatus = "failed" | "held" | "cancelled" | "refunded";

export interface RecoveryEntry {
  /** The source side (where the asset left). */
  from: Side;
  requestNonce: bigint;
  status: RecoveryStatus;
  tokenType: TokenTypeName;
  requester: string;
  recipient: string;
  /** The destination token (zero for KLAY). */
  token: string;
  valueOrTokenId: bigint;
  /** The amount as people read it: `250.0 DMT`, `2.0 KLAY`, `ART #7`. */
  amount: string;
  /** Failed: what the recipient or token returned, decoded when known. */
  reason?: string;
  /** The destination tx that handled it. */
  handleTx: string;
  /** The destination tx that cancelled it, and the source tx that refunded it. */
  cancelTx?: string;
  refundTx?: string;
}

/** The recovery ledger of `side`'s bridge, bound to that side's signer. */
export async function recoveryOf(pair: ConnectedPair, side: Side): Promise<TransferRecovery> {
  return TransferRecovery__factory.connect(await pair.bridges[side].transferRecovery(), pair[side].signer);
}

/** What a failed payout returned (`HandleValueTransferFailed`'s `reason`), decoded where the error is known. */
export function describeFailureReason(reason: string): string {
  if (reason === "0x") return "reverted without a reason";
  return decodeRevert(reason) ?? reason;
}

/**
 * The transfers of requests of `from` that the other bridge handled without paying them: failed or held there,
 * cancelled there, refunded here. Read from the destination bridge's `HandleValueTransferFailed` and `TransferHeld`
 * events, and the current state from both recovery ledgers. A transfer paid after all (retry, release) is left out.
 */
export async function recoveryTransfers(pair: ConnectedPair, from: Side): Promise<RecoveryEntry[]> {
  const to = other(from);
  const destination = pair.bridges[to];
  const fromBlock = pair.deployment[to].deployedBlock;
  const provider = pair[to].provider;
  const failed = await queryInChunks(provider, fromBlock, (start, end) =>
    destination.queryFilter(destination.filters.HandleValueTransferFailed(), start, end),
  );
  const held = await queryInChunks(provider, fromBlock, (start, end) =>
    destination.queryFilter(destination.filters.TransferHeld(), start, end),
  );
  const events = new Map<bigint, { event: (typeof failed)[number] | (typeof held)[number]; reason?: string }>();
  for (const event of [...held, ...failed].sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index)) {
    const nonce = BigInt(event.args.handleNonce);
    const reason = event.eventName === "HandleValueTransferFailed" ? describeFailureReason(String(event.args[7])) : undefined;
    events.set(nonce, { event: events.get(nonce)?.event ?? event, ...(reason === undefined ? {} : { reason }) });
  }
  if (events.size === 0) return [];
  const destinationLedger = await recoveryOf(pair, to);
  const sourceLedger = await recoveryOf(pair, from);
  const cancels = await queryInChunks(provider, fromBlock, (start, end) =>
    destinationLedger.queryFilter(destinationLedger.filters.TransferCancelled(), start, end),
  );
  const refunds = await queryInChunks(pair[from].provider, pair.deployment[from].deployedBlock, (start, end) =>
    sourceLedger.queryFilter(sourceLedger.filters.ValueTransferRefunded(), start, end),
  );
  const entries: RecoveryEntry[] = [];
  for (const [nonce, { event, reason }] of [...events.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const [parked] = await destinationLedger.parkedTransfer(nonce);
    const state = Number(parked);
    let status: RecoveryStatus;
    if (state === ParkedStatus.Failed) status = "failed";
    else if (state === ParkedStatus.Held) status = "held";
    else if (state === ParkedStatus.Cancelled) status = (await sourceLedger.isRefunded(nonce)) ? "refunded" : "cancelled";
    else continue; // paid by a retry or a release
    const cancel = cancels.find((candidate) => BigInt(candidate.args.handleNonce) === nonce);
    const tokenType = tokenTypeName(event.args.tokenType);
    const units = await assetUnits(pair, to, tokenType, event.args.tokenAddress);
    const refund = refunds.find((candidate) => BigInt(candidate.args.requestNonce) === nonce);
    entries.push({
      from,
      requestNonce: nonce,
      status,
      tokenType,
      requester: event.args.from,
      recipient: event.args.to,
      token: event.args.tokenAddress,
      valueOrTokenId: BigInt(event.args.valueOrTokenId),
      amount: formatAsset(BigInt(event.args.valueOrTokenId), units),
      ...(status === "failed" && reason !== undefined ? { reason: await withShortfall(pair, to, event.args, reason) } : {}),
      handleTx: event.transactionHash,
      ...(cancel === undefined ? {} : { cancelTx: cancel.transactionHash }),
      ...(refund === undefined ? {} : { refundTx: refund.transactionHash }),
    });
  }
  return entries;
}

/**
 * A failed transfer's reason, with the destination's shortfall when it is short of the asset now (a payout that
 * "reverted without a reason" is most often a bridge without the KLAY to pay): what failed, and how to fix it.
 */
async function withShortfall(
  pair: ConnectedPair,
  to: Side,
  args: { tokenType: bigint; tokenAddress: string; valueOrTokenId: bigint },
  reason: string,
): Promise<string> {
  const shortfall = await payoutShortfall(pair, to, {
    tokenType: Number(args.tokenType),
    tokenAddress: args.tokenAddress,
    valueOrTokenId: BigInt(args.valueOrTokenId),
  });
  return shortfall === undefined ? reason : `${reason}; ${shortfall}`;
}

/** One line of a recovery entry for people. */
export function describeRecoveryEntry(entry: RecoveryEntry): string {
  const what = entry.tokenType === "klay" ? entry.amount : `${entry.amount} (${entry.token})`;
  const extra =
    entry.status === "failed"
      ? `: ${entry.reason ?? "payout failed"}`
      : entry.status === "held"
        ? ": above the limits, waiting for the owner (bridge release)"
        : entry.status === "cancelled"
          ? `, cancelled in tx ${entry.cancelTx ?? "?"}, refund pending`
          : `, refunded to ${entry.requester} in tx ${entry.refundTx ?? "?"}`;
  return `  ${entry.status.toUpperCase()} nonce ${entry.requestNonce}: ${what} from ${entry.requester} to ${entry.recipient}${extra}`;
}

/**
 * The whole transfer of request `nonce` of `from` as the destination parked it: the destination's event names the
 * request tx, whose source request gives the fields the event leaves out; checked against the parked content hash.
 */
export async function findParkedTransfer(
  pair: ConnectedPair,
  from: Side,
  nonce: bigint,
): Promise<{ transfer: SignedTransfer; status: number; ledger: TransferRecovery }> {
  const to = other(from);
  const ledger = await recoveryOf(pair, to);
  const [status, hash] = await ledger.parkedTransfer(nonce);
  const state = Number(status);
  if (state === ParkedStatus.None) {
    const requested = BigInt(await pair.bridges[from].requestNonce());
    if (nonce >= requested) {
      throw new BridgeTaskError(
        `nonce: request ${nonce} was never made on the ${from} bridge (${requested} request${requested === 1n ? "" : "s"} so far)`,
      );
    }
    const handled = await pair.bridges[to].isHandled(nonce);
    throw new BridgeTaskError(
      handled
        ? `nonce: request ${nonce} of the ${from} bridge was paid on ${to} already: nothing to retry or release`
        : `nonce: request ${nonce} of the ${from} bridge is not handled on ${to} yet; hint: the operators' relayers handle it (\`npx hardhat bridge relay --pair ${pair.deployment.name}\`)`,
    );
  }
  const destination = pair.bridges[to];
  const fromBlock = pair.deployment[to].deployedBlock;
  const events = [
    ...(await queryInChunks(pair[to].provider, fromBlock, (start, end) =>
      destination.queryFilter(destination.filters.HandleValueTransferFailed(), start, end),
    )),
    ...(await queryInChunks(pair[to].provider, fromBlock, (start, end) =>
      destination.queryFilter(destination.filters.TransferHeld(), start, end),
    )),
  ].filter((event) => BigInt(event.args.handleNonce) === nonce);
  if (events.length === 0) throw new BridgeTaskError(`nonce: no failed or held transfer of nonce ${nonce} on ${to}`);
  const requestTx = events[0].args.requestTxHash;
  const source = pair.bridges[from];
  const requests = await readRequestsOfTx(from, source, new CounterpartTokens(source), pair[from].provider, requestTx);
  const request = requests.find((candidate) => candidate.requestNonce === nonce);
  if (request === undefined) throw new BridgeTaskError(`nonce: request tx ${requestTx} on ${from} holds no request ${nonce}`);
  const transfer = toSignedTransfer(request);
  if (transferContentHash(transfer) !== hash) {
    throw new BridgeTaskError(`nonce: the transfer parked on ${to} under nonce ${nonce} differs from request tx ${requestTx}`);
  }
  return { transfer, status: state, ledger };
}

/**
 * Why the destination bridge cannot pay `transfer` now, with the fix, when it is short of the asset: KLAY (any mode),
 * a KIP7 or an NFT of a lock-mode bridge. Undefined when it holds enough (the payout may still fail for another
 * reason: the recipient's or the token's).
 */
export async function payoutShortfall(
  pair: ConnectedPair,
  to: Side,
  transfer: Pick<SignedTransfer, "tokenType" | "tokenAddress" | "valueOrTokenId">,
): Promise<string | undefined> {
  const bridgeAddress = pair.deployment[to].bridge;
  const kind = tokenTypeName(transfer.tokenType);
  const units = await assetUnits(pair, to, kind, transfer.tokenAddress);
  if (kind === "klay") {
    const held = await pair[to].provider.getBalance(bridgeAddress);
    const short = bridgeShortfall(to, held, transfer.valueOrTokenId, units);
    if (short === undefined) return undefined;
    return (
      `${short}; ` +
      `hint: \`npx hardhat bridge fund --pair ${pair.deployment.name} --side ${to} --amount ${formatAsset(transfer.valueOrTokenId - held, units).split(" ")[0]}\``
    );
  }
  if (pair.deployment[to].modeMintBurn) return undefined; // minted: nothing to hold
  if (kind === "kip7") {
    const held = BigInt(await KIP7Token__factory.connect(transfer.tokenAddress, pair[to].provider).balanceOf(bridgeAddress));
    const short = bridgeShortfall(to, held, transfer.valueOrTokenId, units);
    return short === undefined ? undefined : `${short}; hint: send it ${units.symbol} first`;
  }
  const owner = await KIP17Token__factory.connect(transfer.tokenAddress, pair[to].provider)
    .ownerOf(transfer.valueOrTokenId)
    .catch(() => undefined);
  if (owner !== undefined && owner.toLowerCase() === bridgeAddress.toLowerCase()) return undefined;
  return `the ${to} bridge does not hold ${formatAsset(transfer.valueOrTokenId, units)}${owner === undefined ? " (it does not exist)" : ` (${owner} does)`}`;
}

/** `bridge retry`: pays a failed transfer again to its recipient (anyone may). */
export async function retryFailedTransfer(pair: ConnectedPair, from: Side, nonce: bigint, log: Log): Promise<string> {
  const { transfer, status, ledger } = await findParkedTransfer(pair, from, nonce);
  const to = other(from);
  if (status !== ParkedStatus.Failed) {
    throw new BridgeTaskError(`nonce: request ${nonce} of the ${from} bridge is ${status === ParkedStatus.Held ? "held (bridge release)" : "cancelled"} on ${to}, not failed`);
  }
  const shortfall = await payoutShortfall(pair, to, transfer);
  if (shortfall !== undefined) throw new BridgeTaskError(`retry of nonce ${nonce} would fail: ${shortfall}`);
  // a retry counts against the destination's handle limits (RetryAboveLimits beyond them)
  const kind = tokenTypeName(transfer.tokenType);
  const units = await assetUnits(pair, to, kind, transfer.tokenAddress);
  const counted = kind === "kip17" ? 1n : transfer.valueOrTokenId;
  const limited = await handleLimitProblem(pair, to, transfer.tokenAddress, counted, kind === "kip17" ? { decimals: 0, symbol: `${units.symbol} NFT(s)` } : units);
  if (limited !== undefined) throw new BridgeTaskError(`retry of nonce ${nonce} would fail: ${limited}`);
  try {
    await ledger.retryTransfer.estimateGas(transfer);
  } catch (error) {
    throw explain(error, `retry of nonce ${nonce} would fail`);
  }
  const receipt = await sendTx(pair[to], `TransferRecovery.retryTransfer nonce ${nonce}`, log, () => ledger.retryTransfer(transfer));
  log(`paid ${formatAsset(transfer.valueOrTokenId, units)} to ${transfer.to} on ${to} (request ${nonce} of the ${from} bridge)`);
  return receipt.hash;
}

/** `bridge release`: the destination bridge's owner pays out a transfer held above the limits. */
export async function releaseHeldTransfer(pair: ConnectedPair, from: Side, nonce: bigint, log: Log): Promise<boolean> {
  const to = other(from);
  await requireOwner(pair[to], pair.bridges[to], `the ${to} bridge`);
  const { transfer, status, ledger } = await findParkedTransfer(pair, from, nonce);
  if (status !== ParkedStatus.Held) {
    throw new BridgeTaskError(`nonce: request ${nonce} of the ${from} bridge is ${status === ParkedStatus.Failed ? "failed (bridge retry)" : "cancelled"} on ${to}, not held`);
  }
  // a release whose payout fails turns the transfer failed: refused while the bridge is short of the asset
  const shortfall = await payoutShortfall(pair, to, transfer);
  if (shortfall !== undefined) throw new BridgeTaskError(`release of nonce ${nonce} would fail: ${shortfall}`);
  const receipt = await sendTx(pair[to], `TransferRecovery.releaseHeldTransfer nonce ${nonce}`, log, () =>
    ledger.releaseHeldTransfer(transfer),
  );
  const released = receipt.logs
    .map((entry) => {
      try {
        return ledger.interface.parseLog(entry);
      } catch {
        return null;
      }
    })
    .find((parsed) => parsed?.name === "TransferReleased");
  const paid = released?.args.paid === true;
  const units = await assetUnits(pair, to, tokenTypeName(transfer.tokenType), transfer.tokenAddress);
  log(
    paid
      ? `nonce ${nonce} paid: ${formatAsset(transfer.valueOrTokenId, units)} to ${transfer.to} on ${to}`
      : `nonce ${nonce}: the payout failed; the transfer is now failed (bridge retry)`,
  );
  return paid;
}
