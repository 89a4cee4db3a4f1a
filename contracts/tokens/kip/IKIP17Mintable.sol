// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title KIP17 minting extension. KIP13 id 0xeab83e20 (the same functions, hence id, as KIP7's).
/// @dev Declared to verify its id; the KIP17 tokens of this project mint with a URI ({IKIP17MetadataMintable}).
interface IKIP17Mintable {
    /// @notice Creates token `tokenId` for `to`. Only a minter may call it.
    /// @return True on success.
    function mint(address to, uint256 tokenId) external returns (bool);

    /// @notice Whether `account` may mint.
    function isMinter(address account) external view returns (bool);

    /// @notice Gives `account` the minter role.
    function addMinter(address account) external;

    /// @notice Gives up the caller's minter role.
    function renounceMinter() external;
}
