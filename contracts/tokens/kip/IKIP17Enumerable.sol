// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title KIP17 enumeration extension. KIP13 id 0x780e9d63.
/// @dev Declared to verify its id; the tokens of this project do not implement it.
interface IKIP17Enumerable {
    /// @notice The number of tokens in existence.
    function totalSupply() external view returns (uint256);

    /// @notice The `index`-th token of `owner`.
    function tokenOfOwnerByIndex(address owner, uint256 index) external view returns (uint256);

    /// @notice The `index`-th token in existence.
    function tokenByIndex(uint256 index) external view returns (uint256);
}
