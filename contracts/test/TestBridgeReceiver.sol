// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {IKIP17BridgeReceiver} from "../tokens/interfaces/IKIP17BridgeReceiver.sol";
import {IKIP7BridgeReceiver} from "../tokens/interfaces/IKIP7BridgeReceiver.sol";

/// @title Test stand-in for a bridge as seen by service-chain tokens: records the bridge hooks and makes calls
///        (mint, burn) from its own address.
contract TestBridgeReceiver is IKIP7BridgeReceiver, IKIP17BridgeReceiver {
    /// @notice Number of hook calls received.
    uint256 public hookCalls;

    /// @notice {onERC20Received} was called by `token` with these arguments.
    event ERC20Received(address token, address from, address to, uint256 value, uint256 feeLimit, bytes extraData);

    /// @notice {onERC721Received} was called by `token` with these arguments.
    event ERC721Received(address token, address from, uint256 tokenId, address to, bytes extraData);

    /// @notice Records the call.
    function onERC20Received(address _from, address _to, uint256 _value, uint256 _feeLimit, bytes calldata _extraData)
        external
    {
        ++hookCalls;
        emit ERC20Received(msg.sender, _from, _to, _value, _feeLimit, _extraData);
    }

    /// @notice Records the call.
    function onERC721Received(address _from, uint256 _tokenId, address _to, bytes calldata _extraData) external {
        ++hookCalls;
        emit ERC721Received(msg.sender, _from, _tokenId, _to, _extraData);
    }

    /// @notice Calls `target` with `data` from this contract, passing on a revert as it is.
    /// @return result The call's return data.
    function execute(address target, bytes calldata data) external returns (bytes memory result) {
        bool success;
        (success, result) = target.call(data);
        if (!success) {
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
    }
}
