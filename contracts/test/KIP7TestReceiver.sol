// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {IKIP7Receiver} from "../tokens/kip/IKIP7Receiver.sol";

/// @title Test receiver for KIP7 safe transfers: answers a chosen value, or rejects with its own error.
contract KIP7TestReceiver is IKIP7Receiver {
    /// @notice What {onKIP7Received} returns.
    bytes4 public immutable answer;
    /// @notice Whether {onKIP7Received} reverts with {ReceiverRejected}.
    bool public immutable rejects;

    /// @notice The hook was called by `token` with these arguments.
    event KIP7Received(address token, address operator, address from, uint256 amount, bytes data);

    /// @notice The receiver refuses tokens.
    error ReceiverRejected();

    constructor(bytes4 answer_, bool rejects_) {
        answer = answer_;
        rejects = rejects_;
    }

    /// @notice Records the call and returns {answer}, or reverts when {rejects}.
    function onKIP7Received(address operator, address from, uint256 amount, bytes calldata data)
        external
        returns (bytes4)
    {
        if (rejects) revert ReceiverRejected();
        emit KIP7Received(msg.sender, operator, from, amount, data);
        return answer;
    }
}
