// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {IBridgeTransfers} from "./IBridgeTransfers.sol";

/// @title The token pair registry and the KLAY and token locks
/// @notice Events and errors of the token registry and of the KLAY and token locks.
interface IBridgeTokens {
    /// @notice `token` was registered.
    event TokenRegistered(address indexed token);
    /// @notice `token` was deregistered.
    event TokenDeregistered(address indexed token);
    /// @notice Requests of `token` are stopped.
    event TokenLocked(address indexed token);
    /// @notice Requests of `token` are allowed again.
    event TokenUnlocked(address indexed token);
    /// @notice KLAY requests are stopped.
    event KLAYLocked();
    /// @notice KLAY requests are allowed again.
    event KLAYUnlocked();

    /// @notice `token` is not registered on this bridge (Klaytn: "not allowed token").
    error TokenNotRegistered(address token);
    /// @notice `token` is registered already (Klaytn: "allowed token").
    error TokenAlreadyRegistered(address token);
    /// @notice `token` is locked: no request takes it (Klaytn: "locked token").
    error TokenIsLocked(address token);
    /// @notice `token` is not locked (Klaytn: "unlocked token").
    error TokenNotLocked(address token);
    /// @notice `token` is registered as `registered` (ERC20: fungible, ERC721: an NFT) but a request, handle or refund
    /// named it as `named`.
    error TokenKindMismatch(address token, IBridgeTransfers.TokenType registered, IBridgeTransfers.TokenType named);
    /// @notice KLAY requests are locked (Klaytn: "locked").
    error KLAYIsLocked();
    /// @notice KLAY is not locked (Klaytn: "unlocked").
    error KLAYNotLocked();
}
