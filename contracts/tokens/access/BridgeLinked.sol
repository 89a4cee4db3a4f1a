// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// External Imports
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title The bridge a service-chain token belongs to.
/// @notice Holds the bridge address that receives one-step value transfer requests and that may mint and burn
///         the token. The owner may move the token to another bridge contract.
abstract contract BridgeLinked is Ownable {
    /// @notice The bridge contract this token sends value transfer requests to.
    address public bridge;

    /// @notice The token's bridge changed from `previousBridge` to `newBridge` (zero at deployment).
    event BridgeChanged(address indexed previousBridge, address indexed newBridge);

    /// @notice `account` has no code, so it cannot be a bridge (Klaytn: "bridge is not a contract").
    error BridgeNotContract(address account);

    constructor(address initialBridge) {
        _setBridge(initialBridge);
    }

    /// @notice Links the token to another bridge. Only the owner may call it.
    /// @param newBridge The new bridge; must be a contract.
    function setBridge(address newBridge) external onlyOwner {
        _setBridge(newBridge);
    }

    /// @dev Sets the bridge after checking that it is a contract; emits {BridgeChanged}.
    function _setBridge(address newBridge) internal {
        if (newBridge.code.length == 0) revert BridgeNotContract(newBridge);
        emit BridgeChanged(bridge, newBridge);
        bridge = newBridge;
    }
}
