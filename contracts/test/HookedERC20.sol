// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// External Imports
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

// Internal Imports
import {TransferHook} from "./TransferHook.sol";

/// @title Test token with a transfer hook (as ERC777's tokensToSend): when armed, `transferFrom` first calls
/// `hookTarget` with `payload` and `value` wei, passing a revert on.
contract HookedERC20 is ERC20, TransferHook {
    constructor(uint256 initialSupply) payable ERC20("Hooked", "HOOK") {
        _mint(msg.sender, initialSupply);
    }

    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        _runHook();
        return super.transferFrom(from, to, value);
    }
}
