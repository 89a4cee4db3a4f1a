/**
 * Batch gas learning: what the signed batches this relayer sent cost, so that a batch like them is sent with a gas
 * limit from that figure instead of an estimate (which executes the batch once more); and, before anything is
 * learnt, a generous guess that one execution shows to be enough (an estimate executes the batch a dozen times).
 */
import type { TransactionReceipt } from "ethers";

import { PAYOUT_RESERVE } from "../protocol/constants.js";
import type { RelayerContext } from "./context.js";
import { TokenType, lowestNonce, otherSide } from "./types.js";
import type { Side, SignedTransfer } from "./types.js";

/**
 * What the signed batches this relayer sent to one side cost: the most gas per transfer, over batches of KIP7
 * transfers, and the tokens and recipients of those transfers. A batch of KIP7 transfers of known tokens to known
 * recipients is sent with a gas limit from that figure instead of an estimate (which executes the batch once more).
 */
interface BatchGas {
  perTransfer: bigint;
  tokens: Set<string>;
  recipients: Set<string>;
  /** The longest extra data (as hex text) of those transfers. */
  extraDataLength: number;
}

function newBatchGas(): BatchGas {
  return { perTransfer: 0n, tokens: new Set(), recipients: new Set(), extraDataLength: 0 };
}

/**
 * The first guess at a batch's gas, per transfer and once per batch: well above what a KIP7 or KLAY payout uses in a
 * batch (about 22,000 a transfer, bench/results.json), so that the one execution that checks it rarely fails.
 */
const GUESS_PER_TRANSFER = 60_000n;
const GUESS_PER_BATCH = 300_000n;

/** The most a transaction's calldata can cost before execution (16 gas a byte) and the 21,000 every transaction pays. */
function intrinsicGasBound(data: string): bigint {
  return 21_000n + 16n * BigInt((data.length - 2) / 2);
}

/** The gas figures of the batches this relayer sent, per destination side. */
export class BatchGasBook {
  readonly #context: RelayerContext;
  readonly #gas: Record<Side, BatchGas> = { parent: newBatchGas(), child: newBatchGas() };
  /** The destinations where a limit not estimated failed (see `forget`): no more guesses there. */
  readonly #noGuess = new Set<Side>();

  constructor(context: RelayerContext) {
    this.#context = context;
  }

  /**
   * Drops what was learnt of batches to `destination`, and guesses there no more (a batch ran out of gas with a limit
   * learnt or guessed, or a guessed limit could not be paid for): its batches are estimated until learnt again.
   */
  forget(destination: Side): void {
    this.#gas[destination] = newBatchGas();
    this.#noGuess.add(destination);
  }

  /**
   * The gas limit of a batch of `source`'s transfers from what earlier batches used (`BatchGas`), with the same
   * headroom as over an estimate; undefined when the batch must be estimated: not only KIP7 transfers of known tokens
   * to known recipients with no more extra data than before, or not the next batch in nonce order (a batch handled
   * ahead of `lowerHandleNonce` records each nonce, which costs more). `after`: where `lowerHandleNonce` stands once
   * the batches sent before this one (their receipts not read yet) are mined, in nonce order.
   */
  async limitFor(source: Side, transfers: SignedTransfer[], after?: bigint): Promise<bigint | undefined> {
    const gas = this.#gas[otherSide(source)];
    if (gas.perTransfer === 0n) return undefined;
    for (const transfer of transfers) {
      if (transfer.tokenType !== TokenType.KIP7 || transfer.extraData.length > gas.extraDataLength) return undefined;
      if (!gas.tokens.has(transfer.tokenAddress.toLowerCase()) || !gas.recipients.has(transfer.to.toLowerCase())) {
        return undefined;
      }
    }
    const first = lowestNonce(transfers);
    const lower = await this.#context.rpc(() => this.#context.sides[otherSide(source)].bridge.lowerHandleNonce());
    if (first !== lower && first !== after) return undefined;
    // an estimate already leaves the payout's gas budget free at the last transfer; a limit learnt from what earlier
    // batches used must add it (`TokenCalls.PAYOUT_GAS` and the failure record: the bridge refuses a payout with less)
    return (gas.perTransfer * BigInt(transfers.length) * 3n) / 2n + PAYOUT_RESERVE;
  }

  /**
   * The gas limit of a batch of `source`'s transfers (`request`) when nothing is learnt yet: a guess from its size
   * (`GUESS_PER_TRANSFER`), with the payout reserve, that one execution at that limit (`eth_call`) shows to be enough
   * on the destination as it is now, plus what the transaction pays before execution (in case the call did not).
   * Undefined when that execution fails (the batch is then estimated, which says why) or guesses are off there.
   */
  async guessFor(source: Side, transfers: SignedTransfer[], request: { to: string; data: string }): Promise<bigint | undefined> {
    const dest = this.#context.sides[otherSide(source)];
    if (this.#noGuess.has(dest.side)) return undefined;
    const guess = GUESS_PER_TRANSFER * BigInt(transfers.length) + GUESS_PER_BATCH + PAYOUT_RESERVE;
    try {
      await dest.endpoint.signer.call({ ...request, gasLimit: guess });
    } catch {
      return undefined;
    }
    return guess + intrinsicGasBound(request.data);
  }

  /**
   * Records the gas of a batch sent with an estimate or a guess, when it was all KIP7 transfers and it executed every
   * one of them (a transfer handled meanwhile by another batch costs next to nothing, and would lower the figure).
   */
  learn(source: Side, transfers: SignedTransfer[], receipt: TransactionReceipt): void {
    if (transfers.some((transfer) => transfer.tokenType !== TokenType.KIP7)) return;
    const dest = this.#context.sides[otherSide(source)];
    const handleTopic = dest.bridge.interface.getEvent("HandleValueTransfer").topicHash;
    const bridge = dest.bridgeAddress.toLowerCase();
    const executed = receipt.logs.filter((log) => log.address.toLowerCase() === bridge && log.topics[0] === handleTopic);
    if (executed.length !== transfers.length) return;
    const gas = this.#gas[dest.side];
    const perTransfer = (receipt.gasUsed + BigInt(transfers.length) - 1n) / BigInt(transfers.length);
    if (perTransfer > gas.perTransfer) gas.perTransfer = perTransfer;
    if (gas.tokens.size + gas.recipients.size > 10_000) Object.assign(gas, newBatchGas());
    for (const transfer of transfers) {
      gas.tokens.add(transfer.tokenAddress.toLowerCase());
      gas.recipients.add(transfer.to.toLowerCase());
      if (transfer.extraData.length > gas.extraDataLength) gas.extraDataLength = transfer.extraData.length;
    }
  }
}
