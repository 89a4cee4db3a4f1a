// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title KIP17: Klaytn's non-fungible token standard (ERC-721 with the KIP17 receiver hook).
/// @dev Every function of the KIP17 specification is declared here (none inherited), so that
///      `type(IKIP17).interfaceId` is the KIP13 id of KIP17: 0x80ac58cd (the same as ERC-721).
interface IKIP17 {
    /// @notice Emitted when token `tokenId` moves from `from` to `to`.
    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);

    /// @notice Emitted when `owner` lets `approved` move token `tokenId`.
    event Approval(address indexed owner, address indexed approved, uint256 indexed tokenId);

    /// @notice Emitted when `owner` lets `operator` move all its tokens, or stops it.
    event ApprovalForAll(address indexed owner, address indexed operator, bool approved);

    /// @notice The number of tokens `owner` holds.
    function balanceOf(address owner) external view returns (uint256);

    /// @notice The owner of token `tokenId`.
    function ownerOf(uint256 tokenId) external view returns (address);

    /// @notice Moves token `tokenId` from `from` to `to`; a contract recipient must accept it through
    ///         {IKIP17Receiver-onKIP17Received} or ERC-721's `onERC721Received`.
    function safeTransferFrom(address from, address to, uint256 tokenId, bytes calldata data) external;

    /// @notice As the four-argument {safeTransferFrom} with empty data.
    function safeTransferFrom(address from, address to, uint256 tokenId) external;

    /// @notice Moves token `tokenId` from `from` to `to` without asking the recipient.
    function transferFrom(address from, address to, uint256 tokenId) external;

    /// @notice Lets `approved` move token `tokenId`.
    function approve(address approved, uint256 tokenId) external;

    /// @notice Lets `operator` move all of the caller's tokens (or stops it).
    function setApprovalForAll(address operator, bool approved) external;

    /// @notice The account approved for token `tokenId`.
    function getApproved(uint256 tokenId) external view returns (address);

    /// @notice Whether `operator` may move all of `owner`'s tokens.
    function isApprovedForAll(address owner, address operator) external view returns (bool);
}
