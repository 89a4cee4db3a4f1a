// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title KIP7 burning extension. KIP13 id 0x3b5a0bf8.
interface IKIP7Burnable {
    /// @notice Destroys `amount` of the caller's tokens.
    function burn(uint256 amount) external;

    /// @notice Destroys `amount` of `account`'s tokens, using the caller's allowance.
    function burnFrom(address account, uint256 amount) external;
}
