// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Test contract that accepts any call and returns nothing (no receiver hook, no revert).
/// @notice For tests only: a contract that answers every call with nothing.
contract SilentReceiver {
    /// @notice Accepts any call and returns nothing.
    fallback() external {}
}
