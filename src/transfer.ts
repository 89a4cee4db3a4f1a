import { formatUnits, type ContractTransactionReceipt } from "ethers";

import type { Log } from "./connect.js";
import { sendTx } from "./connect.js";
import { KIP17Token__factory, KIP7Token__factory } from "./contracts.js";
import { BridgeTaskError } from "./errors.js";
import type { ConnectedPair } from "./pair.js";
import { short } from "./format.js";
import { checkTransferLimits, type LimitedAsset } from "./limits.js";
import { inspectToken, tokenOnSide } from "./tokens.js";
import { parseAddress, parseAmount, parseAmountOrZero, parseInteger, sameAddress, type Side, type TokenType } from "./validate.js";

const ZERO = "0x0000000000000000000000000000000000000000";

export interface TransferOptions {
  from: Side;
  /** "klay", or a registered token: its address on the source side (either side's address or its symbol works). */
  asset: string;
  /** Recipient on the other chain; default: the sender. */
  to?: string;
  /** KLAY and KIP7: whole units with decimals ("1.5"). */
  amount?: string;
  /** KIP17: the token id. */
  tokenId?: string;
  /** Most the sender pays as fee, in whole units; default: the current fee. */
  feeLimit?: string;
}

export interface TransferResult {
  from: Side;
  tokenType: "klay" | TokenType;
  /** Token address on the source chain; zero for KLAY. */
  token: string;
  to: string;
  valueOrTokenId: bigint;
  requestNonce: bigint;
  txHash: string;
  blockNumber: number;
}

/** A bridge charges its fees only once it has a fee receiver. */
async function chargesFees(pair: ConnectedPair, side: Side): Promise<boolean> {
  return !sameAddress(await pair.bridges[side].feeReceiver(), ZERO);
}

function requestNonceFrom(pair: ConnectedPair, from: Side, receipt: ContractTransactionReceipt): bigint {
  const bridge = pair.bridges[from];
  for (const log of receipt.logs) {
    if (!sameAddress(log.address, pair.deployment[from].bridge)) continue;
    const parsed = bridge.interface.parseLog(log);
    if (parsed?.name === "RequestValueTransfer" || parsed?.name === "RequestValueTransferEncoded") return BigInt(parsed.args.requestNonce as bigint);
  }
  throw new BridgeTaskError(`tx ${receipt.hash} emitted no RequestValueTransfer`);
}

/**
 * Requests a value transfer on the `from` bridge (`bridge transfer`): checks the bridge runs, the asset is registered
 * and unlocked, the amount is positive and within the sender's balance (or the sender owns the NFT), approves the
 * bridge when needed, sends the request and returns its request nonce.
 */
export async function requestTransfer(pair: ConnectedPair, options: TransferOptions, log: Log): Promise<TransferResult> {
  const from = options.from;
  const to = options.from === "parent" ? "child" : "parent";
  const side = pair[from];
  const bridge = pair.bridges[from];
  const sender = side.signer.address;
  const recipient = options.to === undefined || options.to === "" ? sender : parseAddress(options.to, "to");
  for (const [side, role] of [[to, "destination"], [from, "source"]] as const) {
    if (sameAddress(recipient, pair.deployment[side].bridge)) {
      throw new BridgeTaskError(`to: ${recipient} is the ${side} bridge itself (the ${role}): a payout to a bridge always fails; name the recipient's own address`);
    }
  }
  if (!(await bridge.isRunning())) throw new BridgeTaskError(`the ${from} bridge is stopped (start(false)); it takes no requests`);
  const warnAboutLimits = async (asset: LimitedAsset) => {
    const warning = await checkTransferLimits(pair, from, asset);
    if (warning !== undefined) log(warning);
  };
  const asset = options.asset.trim();

  let receipt: ContractTransactionReceipt;
  let result: Omit<TransferResult, "requestNonce" | "txHash" | "blockNumber">;
  if (asset.toLowerCase() === "klay") {
    if (options.tokenId !== undefined) throw new BridgeTaskError("token-id: only for KIP17 tokens, not KLAY");
    const amount = parseAmount(options.amount, 18, "amount");
    if (await bridge.isLockedKLAY()) throw new BridgeTaskError(`KLAY transfers are locked on the ${from} bridge`);
    const fee = (await chargesFees(pair, from)) ? await bridge.feeOfKLAY() : 0n;
    const feeLimit = options.feeLimit === undefined ? fee : parseAmountOrZero(options.feeLimit, 18, "fee-limit");
    if (feeLimit < fee) throw new BridgeTaskError(`fee-limit: ${formatUnits(feeLimit, 18)} KLAY is below the fee ${formatUnits(fee, 18)} KLAY`);
    const balance = await side.provider.getBalance(sender);
    if (balance < amount + feeLimit) {
      throw new BridgeTaskError(`amount: ${sender} has ${formatUnits(balance, 18)} KLAY on ${from}, less than ${formatUnits(amount + feeLimit, 18)} (amount + fee)`);
    }
    await warnAboutLimits({ sourceToken: ZERO, destinationToken: ZERO, amount, decimals: 18, symbol: "KLAY" });
    const liquidity = await pair[to].provider.getBalance(pair.deployment[to].bridge);
    if (liquidity < amount) {
      log(
        `warning: the ${to} bridge holds ${formatUnits(liquidity, 18)} KLAY, less than ${formatUnits(amount, 18)}: fund it first ` +
          `(\`npx hardhat bridge fund --pair ${pair.deployment.name} --side ${to} --amount ${formatUnits(amount - liquidity, 18)}\`), ` +
          "or the payout fails there and the relayers retry it, then cancel and refund it",
      );
    }
    const feeNote = fee > 0n ? ` (fee ${formatUnits(fee, 18)} KLAY${feeLimit > fee ? `, limit ${formatUnits(feeLimit, 18)}` : ""})` : "";
    receipt = await sendTx(side, `requestKLAYTransfer ${formatUnits(amount, 18)} KLAY to ${recipient}${feeNote}`, log, () =>
      bridge.requestKLAYTransfer(recipient, amount, "0x", { value: amount + feeLimit }),
    );
    result = { from, tokenType: "klay", token: ZERO, to: recipient, valueOrTokenId: amount };
  } else {
    const { address: token, type: recordedType } = tokenOnSide(pair, from, asset, "asset", true);
    const counterpart = await bridge.registeredTokens(token);
    if (sameAddress(counterpart, ZERO)) throw new BridgeTaskError(`asset: ${token} is not registered on the ${from} bridge`);
    if (await bridge.lockedTokens(token)) throw new BridgeTaskError(`asset: ${token} is locked on the ${from} bridge`);
    const info = await inspectToken(side, token, recordedType, "asset");
    if (info.type === "kip7") {
      if (options.tokenId !== undefined) throw new BridgeTaskError("token-id: only for KIP17 tokens; use --amount for KIP7");
      const decimals = info.decimals ?? 18;
      const amount = parseAmount(options.amount, decimals, "amount");
      const fee = (await chargesFees(pair, from)) ? await bridge.feeOfERC20(token) : 0n;
      const feeLimit = options.feeLimit === undefined ? fee : parseAmountOrZero(options.feeLimit, decimals, "fee-limit");
      if (feeLimit < fee) throw new BridgeTaskError(`fee-limit: ${formatUnits(feeLimit, decimals)} is below the fee ${formatUnits(fee, decimals)} ${info.symbol}`);
      await warnAboutLimits({ sourceToken: token, destinationToken: counterpart, amount, decimals, symbol: info.symbol });
      const kip7 = KIP7Token__factory.connect(token, side.signer);
      const balance = await kip7.balanceOf(sender);
      if (balance < amount + feeLimit) {
        throw new BridgeTaskError(`amount: ${sender} has ${formatUnits(balance, decimals)} ${info.symbol} on ${from}, less than ${formatUnits(amount + feeLimit, decimals)} (amount + fee)`);
      }
      const bridgeAddress = pair.deployment[from].bridge;
      if ((await kip7.allowance(sender, bridgeAddress)) < amount + feeLimit) {
        await sendTx(side, `approve ${formatUnits(amount + feeLimit, decimals)} ${info.symbol} to the ${from} bridge`, log, () =>
          kip7.approve(bridgeAddress, amount + feeLimit),
        );
      }
      const feeNote = fee > 0n ? ` (fee ${formatUnits(fee, decimals)} ${info.symbol})` : "";
      receipt = await sendTx(side, `requestERC20Transfer ${formatUnits(amount, decimals)} ${info.symbol} to ${recipient}${feeNote}`, log, () =>
        bridge.requestERC20Transfer(token, recipient, amount, feeLimit, "0x"),
      );
      result = { from, tokenType: "kip7", token, to: recipient, valueOrTokenId: amount };
    } else {
      if (options.amount !== undefined) throw new BridgeTaskError("amount: KIP17 tokens move by --token-id, not --amount");
      const tokenId = parseInteger(options.tokenId === undefined ? undefined : String(options.tokenId), "token-id");
      const kip17 = KIP17Token__factory.connect(token, side.signer);
      let owner: string;
      try {
        owner = await kip17.ownerOf(tokenId);
      } catch (error) {
        throw new BridgeTaskError(`token-id: ${info.symbol} #${tokenId} does not exist on ${from}`, { cause: error });
      }
      if (!sameAddress(owner, sender)) throw new BridgeTaskError(`token-id: ${info.symbol} #${tokenId} belongs to ${owner}, not to the sender ${sender}`);
      await warnAboutLimits({ sourceToken: token, destinationToken: counterpart, amount: 1n, decimals: 0, symbol: `${info.symbol} NFT(s)` });
      const bridgeAddress = pair.deployment[from].bridge;
      const approved = sameAddress(await kip17.getApproved(tokenId), bridgeAddress) || (await kip17.isApprovedForAll(sender, bridgeAddress));
      if (!approved) {
        await sendTx(side, `approve ${info.symbol} #${tokenId} to the ${from} bridge`, log, () => kip17.approve(bridgeAddress, tokenId));
      }
      receipt = await sendTx(side, `requestERC721Transfer ${info.symbol} #${tokenId} to ${recipient}`, log, () =>
        bridge.requestERC721Transfer(token, recipient, tokenId, "0x"),
      );
      result = { from, tokenType: "kip17", token, to: recipient, valueOrTokenId: tokenId };
    }
  }
  const requestNonce = requestNonceFrom(pair, from, receipt);
  log(`request nonce ${requestNonce} (${from} -> ${to}), tx ${short(receipt.hash)}`);
  return { ...result, requestNonce, txHash: receipt.hash, blockNumber: receipt.blockNumber };
}
