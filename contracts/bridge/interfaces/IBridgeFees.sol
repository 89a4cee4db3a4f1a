// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Fees, fee receiver and configuration votes
interface IBridgeFees {
    event KLAYFeeChanged(uint256 indexed fee);
    event ERC20FeeChanged(address indexed token, uint256 indexed fee);
    event FeeReceiverChanged(address indexed feeReceiver);

    /// @notice A configuration vote named `given`, but the next configuration nonce is `expected` (Klaytn: "nonce mismatch").
    error ConfigurationNonceMismatch(uint64 given, uint64 expected);
}
