// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Fees, fee receiver and configuration votes
/// @notice Events of fee changes and of the fee receiver.
interface IBridgeFees {
    /// @notice The KLAY fee became `fee`.
    event KLAYFeeChanged(uint256 indexed fee);
    /// @notice The fee of `token` became `fee`.
    event ERC20FeeChanged(address indexed token, uint256 indexed fee);
    /// @notice Fees now go to `feeReceiver` (zero: no fees are taken).
    event FeeReceiverChanged(address indexed feeReceiver);

    /// @notice A configuration vote named `given`, but the next configuration nonce is `expected` (Klaytn: "nonce mismatch").
    error ConfigurationNonceMismatch(uint64 given, uint64 expected);
}
