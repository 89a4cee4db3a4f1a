// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {BridgeCore} from "./BridgeCore.sol";
import {BridgeCounterpart} from "./BridgeCounterpart.sol";
import {BridgeKLAY} from "./BridgeKLAY.sol";
import {BridgeKIP7} from "./BridgeKIP7.sol";
import {BridgeKIP17} from "./BridgeKIP17.sol";
import {BridgeLimits} from "./BridgeLimits.sol";
import {BridgeRecovery} from "./BridgeRecovery.sol";
import {BridgeSignedHandles} from "./BridgeSignedHandles.sol";

/// @title Bridge: one side of a parent chain / service chain bridge
/// @notice Drop-in compatible with Klaytn's bridge (VERSION 1): the same functions, events and semantics, composed
/// of modules (operators and votes, fees, token registry, counterpart, KLAY, KIP7, KIP17) over one execution core,
/// plus the cheap path: batches of transfers approved by the operators' EIP-712 signatures in one transaction.
/// Unlike Klaytn's, a transfer whose payout fails is never stuck (it is retried, or cancelled and refunded through
/// `transferRecovery()`), and the owner may set transfer limits per asset (`setTransferLimits`).
/// Deploy one on each chain, link them with `setCounterPartBridge`, register token pairs and operators. The
/// deployer is the owner and sole operator; thresholds start at 1.
contract Bridge is
    BridgeCounterpart,
    BridgeKIP17,
    BridgeKIP7,
    BridgeKLAY,
    BridgeLimits,
    BridgeSignedHandles,
    BridgeRecovery
{
    /// @notice Klaytn's bridge interface version this contract implements.
    uint64 public constant VERSION = 1;

    /// @param _modeMintBurn true: tokens are minted and burnt here (a service-chain side); false: locked and released.
    constructor(bool _modeMintBurn) payable BridgeCore(_modeMintBurn) {}

    // The asset modules answer the handle hooks in turn, each for its own kind (KLAY first: the last module listed
    // above is asked first).

    function _requireHandleable(Transfer memory t, bool klayLimited)
        internal
        view
        override(BridgeCore, BridgeKLAY, BridgeKIP7, BridgeKIP17)
        returns (uint256)
    {
        return super._requireHandleable(t, klayLimited);
    }

    function _transferTo(Transfer memory t, address to, bool capped)
        internal
        override(BridgeCore, BridgeKLAY, BridgeKIP7, BridgeKIP17)
        returns (bool, bytes memory)
    {
        return super._transferTo(t, to, capped);
    }
}
