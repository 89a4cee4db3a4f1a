// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Test contract that accepts any call and returns nothing (no receiver hook, no revert).
contract SilentReceiver {
    /// @notice Accepts any call and returns nothing.
    fallback() external {}
}
