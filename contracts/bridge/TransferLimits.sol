// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {ITransferLimits} from "./interfaces/ITransferLimits.sol";

/// @title TransferLimits: the limits and daily usage of one bridge
/// @notice Created by its Bridge, which alone writes it; the bridge's owner sets limits through
/// `Bridge.setTransferLimits`. Per asset (the zero address is KLAY; a KIP17 NFT counts 1): a minimum and a maximum
/// per transfer and a daily limit for requests (a request beyond them is refused) and a daily limit for handles (a
/// handle beyond the maximum or the daily limit is held by the bridge until the owner releases it; a handle whose
/// payout fails is given back, so only value that leaves counts). Days are UTC days
/// of the block timestamp. Kept apart from the Bridge so that the Bridge stays under the contract size limit; an
/// asset without limits never calls it.
contract TransferLimits is ITransferLimits {
    /// @dev Amount used on one day, one slot.
    struct DailyUsage {
        uint64 day;
        uint192 used;
    }

    /// @notice The bridge this ledger belongs to.
    address public immutable bridge;

    mapping(address => Limits) private _limits;
    mapping(address => DailyUsage) private _requested;
    mapping(address => DailyUsage) private _handled;

    constructor() {
        bridge = msg.sender;
    }

    modifier onlyBridge() {
        if (msg.sender != bridge) revert NotBridge(msg.sender);
        _;
    }

    /// @notice The limits of `token` (the zero address: KLAY).
    function limitsOf(address token) external view returns (Limits memory) {
        return _limits[token];
    }

    /// @notice What was requested of `token` today.
    function requestedToday(address token) external view returns (uint256) {
        return _usedToday(_requested[token]);
    }

    /// @notice What was handled (paid out: by handles, retries and refunds) of `token` today.
    function handledToday(address token) external view returns (uint256) {
        return _usedToday(_handled[token]);
    }

    /// @notice Sets the limits of `token`. Bridge only (the bridge's owner calls `Bridge.setTransferLimits`).
    function setLimits(address token, Limits calldata limits) external onlyBridge {
        if (limits.maxPerTransfer != 0 && limits.minPerTransfer > limits.maxPerTransfer) revert InvalidLimits(token);
        _limits[token] = limits;
    }

    /// @notice Counts a request of `amount` of `token`, or reverts when it breaks a limit. Bridge only.
    function consumeRequest(address token, uint256 amount) external onlyBridge {
        Limits memory limits = _limits[token];
        if (amount < limits.minPerTransfer) revert BelowMinimumTransfer(token, amount, limits.minPerTransfer);
        if (limits.maxPerTransfer != 0 && amount > limits.maxPerTransfer) {
            revert AboveMaximumTransfer(token, amount, limits.maxPerTransfer);
        }
        uint256 used = _usedToday(_requested[token]);
        if (limits.dailyRequestLimit != 0 && !_fits(used, amount, limits.dailyRequestLimit)) {
            revert DailyLimitExceeded(token, amount, used, limits.dailyRequestLimit);
        }
        _requested[token] = DailyUsage({day: _today(), used: _add(used, amount)});
    }

    /// @notice Counts a handle of `amount` of `token` when it is within the maximum and today's handle limit, and
    /// returns true; returns false (and counts nothing) when the bridge must hold it. Bridge only. Never reverts for
    /// any amount: a handle must not be blocked by its limits, only held.
    function consumeHandle(address token, uint256 amount) external onlyBridge returns (bool) {
        Limits memory limits = _limits[token];
        if (limits.maxPerTransfer != 0 && amount > limits.maxPerTransfer) return false;
        uint256 used = _usedToday(_handled[token]);
        if (limits.dailyHandleLimit != 0 && !_fits(used, amount, limits.dailyHandleLimit)) return false;
        _handled[token] = DailyUsage({day: _today(), used: _add(used, amount)});
        return true;
    }

    /// @notice Gives `amount` of `token` back to today's handle usage (saturating at zero): a handle counted today
    /// whose payout failed, so that only value that left the bridge counts. Bridge only.
    function returnHandle(address token, uint256 amount) external onlyBridge {
        DailyUsage memory usage = _handled[token];
        if (usage.day != _today()) return;
        _handled[token].used = usage.used > amount ? uint192(usage.used - amount) : 0;
    }

    /// @dev Whether `used + amount` stays within `limit`, without overflow (the owner may lower a limit below what was
    /// used today).
    function _fits(uint256 used, uint256 amount, uint256 limit) private pure returns (bool) {
        return used <= limit && amount <= limit - used;
    }

    /// @dev `used + amount`, saturating at the largest value a `DailyUsage` holds (a daily limit is a uint128, so a
    /// saturated count is always past it).
    function _add(uint256 used, uint256 amount) private pure returns (uint192) {
        uint256 room = type(uint192).max - used;
        return amount >= room ? type(uint192).max : uint192(used + amount);
    }

    function _usedToday(DailyUsage memory usage) private view returns (uint256) {
        return usage.day == _today() ? usage.used : 0;
    }

    function _today() private view returns (uint64) {
        return uint64(block.timestamp / 1 days);
    }
}
