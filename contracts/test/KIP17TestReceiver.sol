// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {IKIP17Receiver} from "../tokens/kip/IKIP17Receiver.sol";
import {TestReceiverAnswer} from "./TestReceiverAnswer.sol";

/// @title Test receiver implementing only the KIP17 hook: answers a chosen value, or rejects with its own error.
/// @notice For tests only: a configurable KIP17 receiver.
contract KIP17TestReceiver is IKIP17Receiver, TestReceiverAnswer {
    /// @notice The hook was called by `token` with these arguments.
    event KIP17Received(address token, address operator, address from, uint256 tokenId, bytes data);

    constructor(bytes4 answer_, bool rejects_) TestReceiverAnswer(answer_, rejects_) {}

    /// @notice Records the call and returns {answer}, or reverts when {rejects}.
    function onKIP17Received(address operator, address from, uint256 tokenId, bytes calldata data)
        external
        returns (bytes4)
    {
        emit KIP17Received(msg.sender, operator, from, tokenId, data);
        return _answer();
    }
}
