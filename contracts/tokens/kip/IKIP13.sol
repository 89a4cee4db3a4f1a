// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title KIP13: Klaytn's interface detection standard (identical to ERC-165).
/// @dev Interface id 0x01ffc9a7.
interface IKIP13 {
    /// @notice Whether the contract implements the interface `interfaceId`.
    /// @param interfaceId The XOR of the selectors of the interface's functions.
    /// @return True when the interface is implemented.
    function supportsInterface(bytes4 interfaceId) external view returns (bool);
}
