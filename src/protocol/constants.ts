/**
 * Facts of the contracts that the library and the relayer depend on, defined once here and checked against the
 * contracts' sources by `test/protocol/constants.ts`.
 */

/** The vote types of the operator thresholds (`IOperatorVotes`: the bridges' and the anchoring receiver's). */
export const VoteType = { ValueTransfer: 0, Configuration: 1 } as const;

/** `TokenCalls.PAYOUT_GAS`: the gas a handle's payout call gets. */
export const PAYOUT_GAS = 300_000n;

/** `TokenCalls.AFTER_CALL`: what a handle needs after its payout call returns (the failure record and its event). */
export const AFTER_PAYOUT_GAS = 100_000n;

/**
 * The least gas a handle must have left before each payout, or the bridge refuses it up front
 * (`InsufficientGasForPayout`): the budget with the 1/64 the EVM keeps back from a call (EIP-150), and what follows.
 */
export const MIN_GAS_BEFORE_PAYOUT = (PAYOUT_GAS * 64n) / 63n + AFTER_PAYOUT_GAS;

/**
 * What a batch sent with a gas limit learnt from earlier batches (not an estimate) keeps free for its last transfer:
 * what the bridge asks for before a payout (`MIN_GAS_BEFORE_PAYOUT`), and 50,000 for the rest of that handle.
 */
export const PAYOUT_RESERVE = MIN_GAS_BEFORE_PAYOUT + 50_000n;

/** The ERC165 / KIP13 interface id of ERC721 / KIP17: how the bridge tells an NFT from a fungible token. */
export const ERC721_INTERFACE_ID = "0x80ac58cd";

/**
 * The gas limit sent for a transaction estimated at `estimate`: half as much again, and 200,000 more, so that a
 * transaction mined after another one that changed the state it touches (a batch moving `lowerHandleNonce` further,
 * a payout whose budget the estimate did not need) still has the gas it needs. One policy for every send.
 */
export function withGasHeadroom(estimate: bigint): bigint {
  return (estimate * 3n) / 2n + 200_000n;
}

/**
 * How much of a callee's raw revert data a log line shows when it cannot be decoded: `0x`, the 4-byte selector and
 * its first 32-byte word (2 + 8 + 64 hex characters).
 */
export const REVERT_PREVIEW_CHARS = 74;
