// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Calls a token recipient's acceptance hook and checks its answer.
/// @dev Shared by {KIP7} and {KIP17}. Unlike a high-level call, a hook that returns nothing or malformed data
///      counts as a refusal (so the token can name the receiver in its own error) instead of failing to decode,
///      and only the first word of a successful answer is copied.
library ReceiverCall {
    /// @dev Calls `target` with `payload` and reports whether it returned exactly `magic` (ABI-encoded as bytes4).
    /// @return accepted True when the call succeeded and its first return word is `magic`.
    /// @return revertData The revert data when the call reverted, otherwise empty.
    function callForMagic(address target, bytes memory payload, bytes4 magic)
        internal
        returns (bool accepted, bytes memory revertData)
    {
        bool success;
        uint256 returnSize;
        bytes32 firstWord;
        assembly ("memory-safe") {
            success := call(gas(), target, 0, add(payload, 0x20), mload(payload), 0x00, 0x20)
            returnSize := returndatasize()
            firstWord := mload(0x00)
        }
        if (success) {
            return (returnSize >= 32 && firstWord == bytes32(magic), revertData);
        }
        revertData = new bytes(returnSize);
        assembly ("memory-safe") {
            returndatacopy(add(revertData, 0x20), 0, returnSize)
        }
    }

    /// @dev Reverts with `revertData` as it is (a receiver's own error), when there is any.
    function bubble(bytes memory revertData) internal pure {
        if (revertData.length > 0) {
            assembly ("memory-safe") {
                revert(add(revertData, 0x20), mload(revertData))
            }
        }
    }
}
