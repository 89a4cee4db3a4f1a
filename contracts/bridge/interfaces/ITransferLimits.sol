// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Transfer limits per token (the zero address: KLAY): errors and events, shared by the Bridge and its
/// `TransferLimits` ledger so that a refusal decodes with either ABI
/// @notice The limits struct, the `TransferLimitsChanged` event and the refusals of requests beyond the limits.
interface ITransferLimits {
    /// @notice Limits of one asset. Zero means "no limit" for each field.
    struct Limits {
        uint128 minPerTransfer;
        uint128 maxPerTransfer;
        uint128 dailyRequestLimit;
        uint128 dailyHandleLimit;
    }

    /// @notice The owner set the limits of `token` (the zero address: KLAY); all zero turns them off.
    event TransferLimitsChanged(
        address indexed token,
        uint128 minPerTransfer,
        uint128 maxPerTransfer,
        uint128 dailyRequestLimit,
        uint128 dailyHandleLimit
    );

    /// @notice Only the bridge that created this ledger may use it.
    error NotBridge(address caller);
    /// @notice A request of `amount` is below the minimum per transfer.
    error BelowMinimumTransfer(address token, uint256 amount, uint256 minimum);
    /// @notice A request of `amount` is above the maximum per transfer.
    error AboveMaximumTransfer(address token, uint256 amount, uint256 maximum);
    /// @notice A request of `amount` would take today's requests of `token` past the daily limit.
    error DailyLimitExceeded(address token, uint256 amount, uint256 usedToday, uint256 dailyLimit);
    /// @notice The minimum is above the maximum.
    error InvalidLimits(address token);
}
