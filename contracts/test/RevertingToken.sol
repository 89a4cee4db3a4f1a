// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// External Imports
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title Test token whose owner can make every balance change (transfer, mint, burn) revert.
contract RevertingToken is ERC20, Ownable {
    /// @notice Whether balance changes revert.
    bool public reverting;

    /// @notice Balance changes are switched off.
    error TransfersDisabled();

    constructor(string memory name_, string memory symbol_, uint256 initialSupply)
        ERC20(name_, symbol_)
        Ownable(msg.sender)
    {
        _mint(msg.sender, initialSupply);
    }

    /// @notice Makes every balance change revert with {TransfersDisabled} (or stops it). Only the owner may call it.
    function setReverting(bool reverting_) external onlyOwner {
        reverting = reverting_;
    }

    /// @dev Reverts while {reverting}.
    function _update(address from, address to, uint256 value) internal override {
        if (reverting) revert TransfersDisabled();
        super._update(from, to, value);
    }
}
