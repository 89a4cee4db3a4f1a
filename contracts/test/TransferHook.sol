// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title A transfer hook for hostile test tokens (as ERC777's tokensToSend): once armed, the next transfer first
/// calls `hookTarget` with `payload` and `hookValue` wei, passing a revert on.
/// @notice For tests only.
abstract contract TransferHook {
    address public hookTarget;
    bytes public payload;
    uint256 public hookValue;

    /// @notice Arms the hook for the next `transferFrom`.
    function arm(address target_, bytes calldata payload_, uint256 value_) external {
        hookTarget = target_;
        payload = payload_;
        hookValue = value_;
    }

    /// @dev Runs the armed hook once, if any.
    function _runHook() internal {
        address target_ = hookTarget;
        if (target_ == address(0)) return;
        hookTarget = address(0);
        (bool ok, bytes memory result) = target_.call{value: hookValue}(payload);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
    }
}
