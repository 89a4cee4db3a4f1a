// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title KIP7 minting extension. KIP13 id 0xeab83e20 (KIP17's minting extension has the same functions and id).
interface IKIP7Mintable {
    /// @notice Creates `amount` tokens for `account`. Only a minter may call it.
    /// @return True on success.
    function mint(address account, uint256 amount) external returns (bool);

    /// @notice Whether `account` may mint.
    function isMinter(address account) external view returns (bool);

    /// @notice Gives `account` the minter role.
    function addMinter(address account) external;

    /// @notice Gives up the caller's minter role.
    function renounceMinter() external;
}
