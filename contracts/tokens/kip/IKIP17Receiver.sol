// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Hook a contract implements to accept KIP17 tokens sent with `safeTransferFrom`.
/// @dev KIP17 tokens also accept a recipient that implements only ERC-721's `onERC721Received`.
interface IKIP17Receiver {
    /// @notice Called by a KIP17 token after it moved token `tokenId` from `from` to this contract.
    /// @param operator The account that called `safeTransferFrom`.
    /// @param from The previous owner of the token.
    /// @param tokenId The token moved.
    /// @param data Data passed by the caller, with no specified format.
    /// @return `IKIP17Receiver.onKIP17Received.selector` (0x6745782b) to accept the token.
    function onKIP17Received(address operator, address from, uint256 tokenId, bytes calldata data)
        external
        returns (bytes4);
}
