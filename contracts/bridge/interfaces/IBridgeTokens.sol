// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title The token pair registry and the KLAY and token locks
interface IBridgeTokens {
    event TokenRegistered(address indexed token);
    event TokenDeregistered(address indexed token);
    event TokenLocked(address indexed token);
    event TokenUnlocked(address indexed token);
    event KLAYLocked();
    event KLAYUnlocked();

    /// @notice `token` is not registered on this bridge (Klaytn: "not allowed token").
    error TokenNotRegistered(address token);
    /// @notice `token` is registered already (Klaytn: "allowed token").
    error TokenAlreadyRegistered(address token);
    /// @notice `token` is locked: no request takes it (Klaytn: "locked token").
    error TokenIsLocked(address token);
    /// @notice `token` is not locked (Klaytn: "unlocked token").
    error TokenNotLocked(address token);
    /// @notice KLAY requests are locked (Klaytn: "locked").
    error KLAYIsLocked();
    /// @notice KLAY is not locked (Klaytn: "unlocked").
    error KLAYNotLocked();
}
