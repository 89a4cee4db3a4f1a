// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// External Imports
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

// Internal Imports
import {IBridgeCounterpart} from "./interfaces/IBridgeCounterpart.sol";
import {IOperatorVotes} from "../common/IOperatorVotes.sol";

/// @title BridgeCounterpart: the bridge on the other chain
/// @notice The owner links the counterpart bridge; the link is announced by `CounterpartBridgeChanged`.
abstract contract BridgeCounterpart is Ownable, IBridgeCounterpart {
    /// @notice The bridge on the other chain whose requests this bridge handles.
    address public counterpartBridge;

    /// @notice Links the bridge on the other chain. The zero address is refused. Owner only.
    function setCounterPartBridge(address _bridge) external onlyOwner {
        if (_bridge == address(0)) revert IOperatorVotes.ZeroAddress();
        counterpartBridge = _bridge;
        emit CounterpartBridgeChanged(_bridge);
    }
}
