// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// External Imports
import {IERC721Receiver} from "@openzeppelin/contracts/token/ERC721/IERC721Receiver.sol";

/// @title Test receiver implementing only ERC-721's hook (no `onKIP17Received`).
contract ERC721OnlyReceiver is IERC721Receiver {
    /// @notice The hook was called by `token` with these arguments.
    event ERC721Received(address token, address operator, address from, uint256 tokenId, bytes data);

    /// @notice Records the call and accepts the token.
    function onERC721Received(address operator, address from, uint256 tokenId, bytes calldata data)
        external
        returns (bytes4)
    {
        emit ERC721Received(msg.sender, operator, from, tokenId, data);
        return IERC721Receiver.onERC721Received.selector;
    }
}
