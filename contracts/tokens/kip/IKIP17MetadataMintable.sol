// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title KIP17 minting-with-URI extension. KIP13 id 0xfac27f46.
interface IKIP17MetadataMintable {
    /// @notice Creates token `tokenId` for `to` with metadata URI `tokenURI`. Only a minter may call it.
    /// @return True on success.
    function mintWithTokenURI(address to, uint256 tokenId, string calldata tokenURI) external returns (bool);

    /// @notice Whether `account` may mint.
    function isMinter(address account) external view returns (bool);

    /// @notice Gives `account` the minter role.
    function addMinter(address account) external;

    /// @notice Gives up the caller's minter role.
    function renounceMinter() external;
}
