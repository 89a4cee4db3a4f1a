// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title KIP7 metadata extension. KIP13 id 0xa219a025.
interface IKIP7Metadata {
    /// @notice The token's name.
    function name() external view returns (string memory);

    /// @notice The token's symbol.
    function symbol() external view returns (string memory);

    /// @notice The number of decimals of the token's user representation.
    function decimals() external view returns (uint8);
}
