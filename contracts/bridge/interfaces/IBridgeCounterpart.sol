// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title The link to the bridge on the other chain
interface IBridgeCounterpart {
    event CounterpartBridgeChanged(address bridge);
}
