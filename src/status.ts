import { formatUnits } from "ethers";

import { latestAnchor, queryInChunks, readAnchor, type AnchorData } from "./anchoring.js";
import { boardSigners } from "./board-status.js";
import { KIP17Token__factory, KIP7Token__factory } from "./contracts.js";
import type { ConnectedPair } from "./pair.js";
import { describeRecoveryEntry, recoveryTransfers, type RecoveryEntry } from "./recovery.js";
import { shortenHex } from "./format.js";
import { ERC721_INTERFACE_ID, VoteType } from "./protocol/constants.js";
import { decodeTokenURIDetailed } from "./protocol/token-uri.js";
import { tokenTypeName } from "./protocol/transfer.js";
import type { TokenTypeName } from "./protocol/transfer.js";
import { sameAddress, type Side, type TokenType } from "./validate.js";

const ZERO = "0x0000000000000000000000000000000000000000";

export interface TokenStatus {
  type: TokenType | "unknown";
  symbol?: string;
  token: string;
  counterpart: string;
  locked: boolean;
  /** KIP7: the token's decimals. */
  decimals?: number;
  /** What this bridge holds of the token (KIP7: base units; KIP17: number of NFTs). */
  heldByBridge: bigint;
  /** Recorded in deployments/PAIR.json. */
  recorded: boolean;
}

export interface SideStatus {
  network: string;
  chainId: number;
  bridge: string;
  headBlock: number;
  running: boolean;
  modeMintBurn: boolean;
  owner: string;
  counterpartBridge: string;
  /** KLAY held by the bridge, in wei. */
  balance: bigint;
  klayLocked: boolean;
  /** Next request nonce this bridge gives (= number of requests made here). */
  requestNonce: bigint;
  /** Every counterpart request nonce below it is handled here. */
  lowerHandleNonce: bigint;
  upperHandleNonce: bigint;
  operators: string[];
  thresholds: { transfer: number; configuration: number };
  configurationNonce: bigint;
  feeOfKLAY: bigint;
  feeReceiver: string;
  tokens: TokenStatus[];
}

export interface PendingTransfer {
  requestNonce: bigint;
  tokenType: TokenTypeName;
  from: string;
  to: string;
  token: string;
  valueOrTokenId: bigint;
  /** A later request nonce was handled already: this one was skipped and needs recovery (re-relaying). */
  missing: boolean;
  /** The token's symbol, when the deployments file records it. */
  symbol?: string;
  fee: bigint;
  txHash: string;
  blockNumber: number;
  /** The operators who posted a signature of a batch holding it on the signature board (absent without a board). */
  signedBy?: string[];
  /** Why the request is not relayed as made (a token URI that is not UTF-8 is relayed with U+FFFD for its bad bytes). */
  problem?: string;
}

export interface DirectionStatus {
  from: Side;
  to: Side;
  /** Requests made on the source bridge. */
  requested: bigint;
  /** Requests handled on the destination bridge. */
  handled: bigint;
  /** Requested but not handled yet, oldest first (`missing` ones among them). */
  pending: PendingTransfer[];
  /** How many pending transfers are missing: requested before a transfer that was handled. */
  missing: number;
  /** Request logs of the source bridge that cannot be read as requests: the relayers skip and report them. */
  unrelayable: number;
  /** Handled but not paid out: failed or held on the destination, cancelled there, or refunded here, by nonce. */
  recovery: RecoveryEntry[];
}

export interface AnchoringStatus {
  receiver: string;
  operators: string[];
  threshold: number;
  childHeadBlock: number;
  latestAnchoredBlock?: bigint;
  latestAnchor?: AnchorData;
}

export interface PairStatus {
  name: string;
  mode: string;
  parent: SideStatus;
  child: SideStatus;
  parentToChild: DirectionStatus;
  childToParent: DirectionStatus;
  anchoring: AnchoringStatus;
}

async function sideStatus(pair: ConnectedPair, side: Side): Promise<SideStatus> {
  const chain = pair[side];
  const bridge = pair.bridges[side];
  const address = pair.deployment[side].bridge;
  const [headBlock, running, modeMintBurn, owner, counterpartBridge, balance, klayLocked, requestNonce, lower, upper, operators, transfer, configuration, configurationNonce, feeOfKLAY, feeReceiver, registered] =
    await Promise.all([
      chain.provider.getBlockNumber(),
      bridge.isRunning(),
      bridge.modeMintBurn(),
      bridge.owner(),
      bridge.counterpartBridge(),
      chain.provider.getBalance(address),
      bridge.isLockedKLAY(),
      bridge.requestNonce(),
      bridge.lowerHandleNonce(),
      bridge.upperHandleNonce(),
      bridge.getOperatorList(),
      bridge.operatorThresholds(VoteType.ValueTransfer),
      bridge.operatorThresholds(VoteType.Configuration),
      bridge.configurationNonce(),
      bridge.feeOfKLAY(),
      bridge.feeReceiver(),
      bridge.getRegisteredTokenList(),
    ]);
  const tokens: TokenStatus[] = [];
  for (const token of registered) {
    const recorded = pair.deployment.tokens.find((entry) => sameAddress(entry[side], token));
    const [counterpart, locked] = await Promise.all([bridge.registeredTokens(token), bridge.lockedTokens(token)]);
    const erc = KIP7Token__factory.connect(token, chain.provider);
    const heldByBridge = await erc.balanceOf(address).catch(() => 0n);
    let type: TokenStatus["type"] = recorded?.type ?? "unknown";
    if (type === "unknown") {
      const isNft = await KIP17Token__factory.connect(token, chain.provider).supportsInterface(ERC721_INTERFACE_ID).catch(() => false);
      type = isNft ? "kip17" : "kip7";
    }
    const symbol = recorded?.symbol ?? (await erc.symbol().catch(() => undefined));
    const decimals = type === "kip7" ? Number(await erc.decimals().catch(() => 18n)) : undefined;
    tokens.push({
      type,
      ...(symbol === undefined ? {} : { symbol }),
      ...(decimals === undefined ? {} : { decimals }),
      token,
      counterpart,
      locked,
      heldByBridge,
      recorded: recorded !== undefined,
    });
  }
  return {
    network: chain.network,
    chainId: chain.chainId,
    bridge: address,
    headBlock,
    running,
    modeMintBurn,
    owner,
    counterpartBridge,
    balance,
    klayLocked,
    requestNonce: BigInt(requestNonce),
    lowerHandleNonce: BigInt(lower),
    upperHandleNonce: BigInt(upper),
    operators: [...operators],
    thresholds: { transfer: Number(transfer), configuration: Number(configuration) },
    configurationNonce: BigInt(configurationNonce),
    feeOfKLAY,
    feeReceiver,
    tokens,
  };
}

/** Requests of the `from` bridge that the other bridge has not handled yet. */
export async function pendingTransfers(
  pair: ConnectedPair,
  from: Side,
): Promise<{ requested: bigint; handled: bigint; pending: PendingTransfer[]; missing: number; unrelayable: number }> {
  const to: Side = from === "parent" ? "child" : "parent";
  const source = pair.bridges[from];
  const destination = pair.bridges[to];
  const requested = BigInt(await source.requestNonce());
  const lower = BigInt(await destination.lowerHandleNonce());
  const upper = BigInt(await destination.upperHandleNonce());
  const pending: PendingTransfer[] = [];
  let handled = lower;
  let unrelayable = 0;
  if (requested > lower) {
    // Requests below lowerHandleNonce are handled; the destination's recoveryBlockNumber is the source block of the
    // last of them, so the scan starts there (Klaytn's value-transfer recovery reads from the same block).
    const recoveryBlock = Number(await destination.recoveryBlockNumber());
    const fromBlock = Math.max(pair.deployment[from].deployedBlock, recoveryBlock);
    const plain = await queryInChunks(pair[from].provider, fromBlock, (start, end) => source.queryFilter(source.filters.RequestValueTransfer(), start, end));
    const encoded = await queryInChunks(pair[from].provider, fromBlock, (start, end) => source.queryFilter(source.filters.RequestValueTransferEncoded(), start, end));
    // a log the bridge's ABI cannot decode is not a request any relayer can carry: counted, never fatal
    const decoded = [...plain, ...encoded].filter((event) => "args" in event && event.args !== undefined);
    unrelayable = plain.length + encoded.length - decoded.length;
    const lossyURIs = new Set(
      encoded
        .filter((event) => "args" in event && decodeTokenURIDetailed(event.args.encodedData).lossy)
        .map((event) => BigInt(event.args.requestNonce)),
    );
    const requests = decoded
      .map((event) => ({ event, nonce: BigInt(event.args.requestNonce) }))
      .filter(({ nonce }) => nonce >= lower)
      .sort((a, b) => (a.nonce < b.nonce ? -1 : a.nonce > b.nonce ? 1 : 0));
    for (const { event, nonce } of requests) {
      if (await destination.isHandled(nonce)) {
        handled += 1n;
        continue;
      }
      const symbol = pair.deployment.tokens.find((token) => sameAddress(token[from], event.args.tokenAddress))?.symbol;
      pending.push({
        ...(symbol === undefined ? {} : { symbol }),
        requestNonce: nonce,
        missing: nonce < upper,
        tokenType: tokenTypeName(event.args.tokenType),
        from: event.args.from,
        to: event.args.to,
        token: event.args.tokenAddress,
        valueOrTokenId: BigInt(event.args.valueOrTokenId),
        fee: BigInt(event.args.fee),
        txHash: event.transactionHash,
        blockNumber: event.blockNumber,
        ...(lossyURIs.has(nonce)
          ? { problem: "its token URI is not a UTF-8 string: relayed with U+FFFD in place of the bad bytes" }
          : {}),
      });
    }
  }
  return { requested, handled, pending, missing: pending.filter((transfer) => transfer.missing).length, unrelayable };
}

/** `bridge status`: everything about a pair, as a plain object (bigints stay bigints; see statusToJson). */
export async function collectStatus(pair: ConnectedPair): Promise<PairStatus> {
  const [parent, child, parentToChild, childToParent, parentRecovery, childRecovery] = await Promise.all([
    sideStatus(pair, "parent"),
    sideStatus(pair, "child"),
    pendingTransfers(pair, "parent"),
    pendingTransfers(pair, "child"),
    recoveryTransfers(pair, "parent"),
    recoveryTransfers(pair, "child"),
  ]);
  const signed = await boardSigners(pair);
  if (pair.deployment.child.signatureBoard !== undefined) {
    for (const [from, direction] of [["parent", parentToChild], ["child", childToParent]] as const) {
      for (const transfer of direction.pending) transfer.signedBy = signed.get(`${from}:${transfer.requestNonce}`) ?? [];
    }
  }
  const receiver = pair.anchoringReceiver;
  const [receiverOperators, threshold, childHeadBlock, latest] = await Promise.all([
    receiver.getOperatorList(),
    receiver.operatorThresholds(VoteType.ValueTransfer),
    pair.child.provider.getBlockNumber(),
    latestAnchor(pair),
  ]);
  const anchoring: AnchoringStatus = {
    receiver: await receiver.getAddress(),
    operators: [...receiverOperators],
    threshold: Number(threshold),
    childHeadBlock,
  };
  if (latest !== undefined) {
    anchoring.latestAnchoredBlock = latest;
    const anchor = await readAnchor(pair, latest);
    if (anchor !== undefined) anchoring.latestAnchor = anchor;
  }
  return {
    name: pair.deployment.name,
    mode: pair.deployment.mode,
    parent,
    child,
    parentToChild: { from: "parent", to: "child", ...parentToChild, recovery: parentRecovery },
    childToParent: { from: "child", to: "parent", ...childToParent, recovery: childRecovery },
    anchoring,
  };
}

/** JSON text of a status (bigints as decimal strings). */
export function statusToJson(status: PairStatus): string {
  return JSON.stringify(status, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value), 2);
}

/** The nonce counters in words, with Klaytn's names for those who look them up on chain. */
function describeNonces(side: SideStatus): string {
  const requests = `${side.requestNonce} request${side.requestNonce === 1n ? "" : "s"} made here (requestNonce ${side.requestNonce})`;
  const lower = side.lowerHandleNonce;
  const upper = side.upperHandleNonce;
  const handled = lower === 0n ? "none of the other side's requests handled yet" : `the other side's requests 0 to ${lower - 1n} handled`;
  const ahead = upper >= lower && (lower > 0n || upper > 0n) ? `, some up to ${upper} handled ahead` : "";
  return `${requests}; ${handled}${ahead} (lowerHandleNonce ${lower}, upperHandleNonce ${upper})`;
}

function describeSide(label: Side, side: SideStatus): string[] {
  const lines = [
    `${label}: ${side.network} (chain ${side.chainId}, block ${side.headBlock}) bridge ${side.bridge}`,
    `  ${side.running ? "running" : "STOPPED"}, ${side.modeMintBurn ? "mint/burn" : "lock/unlock"}${side.klayLocked ? ", KLAY locked" : ""}, owner ${side.owner}`,
    `  holds ${formatUnits(side.balance, 18)} KLAY; ${describeNonces(side)}`,
    `  operators (${side.operators.length}): ${side.operators.join(", ")}`,
    `  thresholds: transfer ${side.thresholds.transfer}, configuration ${side.thresholds.configuration}; KLAY fee ${formatUnits(side.feeOfKLAY, 18)} KLAY, fee receiver ${sameAddress(side.feeReceiver, ZERO) ? "none" : side.feeReceiver}`,
  ];
  for (const token of side.tokens) {
    const held = token.type === "kip17" ? `${token.heldByBridge} NFT(s)` : `${formatUnits(token.heldByBridge, token.decimals ?? 18)} ${token.symbol ?? ""}`.trim();
    lines.push(`  token ${token.type.toUpperCase()} ${token.symbol ?? ""} ${token.token} <-> ${token.counterpart}${token.locked ? " LOCKED" : ""}, bridge holds ${held}${token.recorded ? "" : " (not in the deployments file)"}`);
  }
  return lines;
}

function describeDirection(direction: DirectionStatus): string[] {
  const missing = direction.missing > 0 ? ` (${direction.missing} missing: skipped while a later one was handled)` : "";
  const unreadable = direction.unrelayable > 0 ? `; ${direction.unrelayable} request log(s) cannot be relayed (not readable as requests)` : "";
  const lines = [`${direction.from} -> ${direction.to}: ${direction.requested} requested, ${direction.handled} handled, ${direction.pending.length} pending${missing}${unreadable}`];
  for (const transfer of direction.pending) {
    const what = transfer.tokenType === "klay" ? `${formatUnits(transfer.valueOrTokenId, 18)} KLAY` : transfer.tokenType === "kip17" ? `${transfer.symbol ?? "KIP17"} #${transfer.valueOrTokenId} (${transfer.token})` : `${formatUnits(transfer.valueOrTokenId, 18)} ${transfer.symbol ?? "KIP7"} (${transfer.token})`;
    const problem = transfer.problem === undefined ? "" : `; ${transfer.problem}`;
    const signedBy = transfer.signedBy === undefined ? "" : `; signed by ${transfer.signedBy.length === 0 ? "no operator yet" : transfer.signedBy.join(", ")}`;
    lines.push(`  ${transfer.missing ? "MISSING" : "pending"} nonce ${transfer.requestNonce}: ${what} from ${transfer.from} to ${transfer.to} (block ${transfer.blockNumber}, tx ${transfer.txHash}${problem}${signedBy})`);
  }
  if (direction.recovery.length > 0) {
    const count = (status: string) => direction.recovery.filter((entry) => entry.status === status).length;
    lines.push(`  not paid out: ${count("failed")} failed, ${count("held")} held, ${count("cancelled")} cancelled, ${count("refunded")} refunded`);
    for (const entry of direction.recovery) lines.push(describeRecoveryEntry(entry));
  }
  return lines;
}

/** Human-readable lines of a status (addresses and hashes shortened; `--json` has them whole). */
export function describeStatus(status: PairStatus): string[] {
  return describeStatusLines(status).map(shortenHex);
}

function describeStatusLines(status: PairStatus): string[] {
  const anchoring = status.anchoring;
  const anchorLine =
    anchoring.latestAnchor === undefined
      ? "  no anchor yet"
      : `  last anchor: child block ${anchoring.latestAnchor.blockNumber} ${anchoring.latestAnchor.blockHash} (child head ${anchoring.childHeadBlock})`;
  return [
    `Pair ${status.name} (mode ${status.mode})`,
    ...describeSide("parent", status.parent),
    ...describeSide("child", status.child),
    ...describeDirection(status.parentToChild),
    ...describeDirection(status.childToParent),
    `anchoring: receiver ${anchoring.receiver}, threshold ${anchoring.threshold} of ${anchoring.operators.length} operator(s)`,
    anchorLine,
  ];
}
