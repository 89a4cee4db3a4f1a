// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// External Imports
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title Test token that returns false instead of reverting when a transfer cannot happen.
/// @dev A transfer returns false, moving nothing, when the balance or allowance is short, or always while the
///      deployer has switched {failing} on.
contract FalseReturnToken is ERC20 {
    address private immutable _deployer;
    /// @notice Whether every transfer returns false.
    bool public failing;

    /// @notice Only the deployer may switch failing on and off.
    error FalseReturnTokenUnauthorized(address account);

    constructor(string memory name_, string memory symbol_, uint256 initialSupply) ERC20(name_, symbol_) {
        _deployer = msg.sender;
        _mint(msg.sender, initialSupply);
    }

    /// @notice Makes every transfer return false (or stops it). Only the deployer may call it.
    function setFailing(bool failing_) external {
        if (msg.sender != _deployer) revert FalseReturnTokenUnauthorized(msg.sender);
        failing = failing_;
    }

    /// @notice Moves `value` of the caller's tokens to `to`, or returns false.
    function transfer(address to, uint256 value) public override returns (bool) {
        if (failing || balanceOf(msg.sender) < value) return false;
        return super.transfer(to, value);
    }

    /// @notice Moves `value` of `from`'s tokens to `to` using the caller's allowance, or returns false.
    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        if (failing || balanceOf(from) < value || allowance(from, msg.sender) < value) return false;
        return super.transferFrom(from, to, value);
    }
}
