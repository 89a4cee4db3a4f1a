// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Test account that refuses KLAY: its `receive` reverts. It can still call other contracts (and pay).
contract KLAYRejecter {
    /// @notice This contract does not take KLAY.
    error KLAYRejected();

    /// @notice Always reverts with {KLAYRejected}.
    receive() external payable {
        revert KLAYRejected();
    }

    /// @notice Calls `target` with `data` and the attached value, passing on a revert as it is.
    /// @return result The call's return data.
    function execute(address target, bytes calldata data) external payable returns (bytes memory result) {
        bool success;
        (success, result) = target.call{value: msg.value}(data);
        if (!success) {
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
    }
}
