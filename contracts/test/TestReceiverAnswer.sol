// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title What the configurable test receivers share: the value their hook answers, or a rejection.
/// @notice For tests only.
abstract contract TestReceiverAnswer {
    /// @notice What the receiver's hook returns.
    bytes4 public immutable answer;
    /// @notice Whether the receiver's hook reverts with {ReceiverRejected}.
    bool public immutable rejects;

    /// @notice The receiver refuses tokens.
    error ReceiverRejected();

    constructor(bytes4 answer_, bool rejects_) {
        answer = answer_;
        rejects = rejects_;
    }

    /// @dev {answer}, or a revert with {ReceiverRejected} when {rejects}.
    function _answer() internal view returns (bytes4) {
        if (rejects) revert ReceiverRejected();
        return answer;
    }
}
