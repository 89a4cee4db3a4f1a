// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title KIP17 burning extension. KIP13 id 0x42966c68.
interface IKIP17Burnable {
    /// @notice Destroys token `tokenId`. The caller must own it or be approved for it.
    function burn(uint256 tokenId) external;
}
