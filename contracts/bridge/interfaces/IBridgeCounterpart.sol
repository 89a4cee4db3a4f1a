// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title The link to the bridge on the other chain
/// @notice Events of the counterpart link.
interface IBridgeCounterpart {
    /// @notice The counterpart bridge became `bridge`.
    event CounterpartBridgeChanged(address bridge);
}
