// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// External Imports
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title Test token with a transfer hook (as ERC777's tokensToSend): when armed, `transferFrom` first calls
/// `hookTarget` with `payload` and `value` wei, passing a revert on.
contract HookedERC20 is ERC20 {
    address public hookTarget;
    bytes public payload;
    uint256 public hookValue;

    constructor(uint256 initialSupply) payable ERC20("Hooked", "HOOK") {
        _mint(msg.sender, initialSupply);
    }

    /// @notice Arms the hook for the next `transferFrom`.
    function arm(address target_, bytes calldata payload_, uint256 value_) external {
        hookTarget = target_;
        payload = payload_;
        hookValue = value_;
    }

    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        address target_ = hookTarget;
        if (target_ != address(0)) {
            hookTarget = address(0);
            (bool ok, bytes memory result) = target_.call{value: hookValue}(payload);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(result, 32), mload(result))
                }
            }
        }
        return super.transferFrom(from, to, value);
    }
}
