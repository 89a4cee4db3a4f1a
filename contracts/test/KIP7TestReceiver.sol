// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {IKIP7Receiver} from "../tokens/kip/IKIP7Receiver.sol";
import {TestReceiverAnswer} from "./TestReceiverAnswer.sol";

/// @title Test receiver for KIP7 safe transfers: answers a chosen value, or rejects with its own error.
/// @notice For tests only: a configurable KIP7 receiver.
contract KIP7TestReceiver is IKIP7Receiver, TestReceiverAnswer {
    /// @notice The hook was called by `token` with these arguments.
    event KIP7Received(address token, address operator, address from, uint256 amount, bytes data);

    constructor(bytes4 answer_, bool rejects_) TestReceiverAnswer(answer_, rejects_) {}

    /// @notice Records the call and returns {answer}, or reverts when {rejects}.
    function onKIP7Received(address operator, address from, uint256 amount, bytes calldata data)
        external
        returns (bytes4)
    {
        emit KIP7Received(msg.sender, operator, from, amount, data);
        return _answer();
    }
}
