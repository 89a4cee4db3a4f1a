// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Handle-nonce bookkeeping: which request nonces of the counterpart bridge were executed here
/// @notice The views Klaytn's relayers read to find what is missing, and the errors of a nonce handled already.
interface IBridgeHandleNonces {
    /// @notice The request nonce was handled and passed already (Klaytn: "removed vote").
    error NonceAlreadyPassed(uint64 requestNonce, uint64 lowerHandleNonce);
    /// @notice The vote of this request nonce is closed: it was handled (Klaytn: "closed vote").
    error VoteClosed(uint64 requestNonce);

    /// @notice The lowest request nonce of the counterpart bridge not yet handled here; all below it are handled.
    function lowerHandleNonce() external view returns (uint64);

    /// @notice The highest request nonce of the counterpart bridge handled here.
    function upperHandleNonce() external view returns (uint64);

    /// @notice The request block number of the last nonce `lowerHandleNonce` passed: where recovery starts reading.
    function recoveryBlockNumber() external view returns (uint64);

    /// @notice The request block number of a nonce handled ahead of `lowerHandleNonce` (0 otherwise).
    function handleNoncesToBlockNums(uint64 nonce) external view returns (uint64);

    /// @notice Whether the vote of `nonce` is closed and `lowerHandleNonce` has not passed it yet.
    function closedValueTransferVotes(uint64 nonce) external view returns (bool);

    /// @notice Whether request `nonce` of the counterpart bridge was executed here, by either path.
    function isHandled(uint64 nonce) external view returns (bool);
}
