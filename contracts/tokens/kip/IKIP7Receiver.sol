// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Hook a contract implements to accept KIP7 tokens sent with `safeTransfer` / `safeTransferFrom`.
interface IKIP7Receiver {
    /// @notice Called by a KIP7 token after it moved `amount` tokens from `from` to this contract.
    /// @param operator The account that called `safeTransfer` / `safeTransferFrom`.
    /// @param from The previous holder of the tokens.
    /// @param amount The amount moved.
    /// @param data Data passed by the caller, with no specified format.
    /// @return `IKIP7Receiver.onKIP7Received.selector` (0x9d188c22) to accept the tokens.
    function onKIP7Received(address operator, address from, uint256 amount, bytes calldata data)
        external
        returns (bytes4);
}
