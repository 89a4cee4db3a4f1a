// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title KIP17 metadata extension. KIP13 id 0x5b5e139f.
interface IKIP17Metadata {
    /// @notice The collection's name.
    function name() external view returns (string memory);

    /// @notice The collection's symbol.
    function symbol() external view returns (string memory);

    /// @notice The URI of token `tokenId`'s metadata.
    function tokenURI(uint256 tokenId) external view returns (string memory);
}
