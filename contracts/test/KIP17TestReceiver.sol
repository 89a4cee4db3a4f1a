// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {IKIP17Receiver} from "../tokens/kip/IKIP17Receiver.sol";

/// @title Test receiver implementing only the KIP17 hook: answers a chosen value, or rejects with its own error.
contract KIP17TestReceiver is IKIP17Receiver {
    /// @notice What {onKIP17Received} returns.
    bytes4 public immutable answer;
    /// @notice Whether {onKIP17Received} reverts with {ReceiverRejected}.
    bool public immutable rejects;

    /// @notice The hook was called by `token` with these arguments.
    event KIP17Received(address token, address operator, address from, uint256 tokenId, bytes data);

    /// @notice The receiver refuses tokens.
    error ReceiverRejected();

    constructor(bytes4 answer_, bool rejects_) {
        answer = answer_;
        rejects = rejects_;
    }

    /// @notice Records the call and returns {answer}, or reverts when {rejects}.
    function onKIP17Received(address operator, address from, uint256 tokenId, bytes calldata data)
        external
        returns (bytes4)
    {
        if (rejects) revert ReceiverRejected();
        emit KIP17Received(msg.sender, operator, from, tokenId, data);
        return answer;
    }
}
