// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// External Imports
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Pausable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Pausable.sol";

/// @title Test token its owner can pause: while paused, every balance change (transfer, mint, burn) reverts.
/// @notice For tests only: a pausable KIP7 that anyone may mint (so a mint/burn bridge can mint it) and burn.
contract PausableToken is ERC20Pausable, Ownable {
    constructor(string memory name_, string memory symbol_, uint256 initialSupply)
        ERC20(name_, symbol_)
        Ownable(msg.sender)
    {
        _mint(msg.sender, initialSupply);
    }

    /// @notice Stops every balance change. Only the owner may call it.
    function pause() external onlyOwner {
        _pause();
    }

    /// @notice Allows balance changes again. Only the owner may call it.
    function unpause() external onlyOwner {
        _unpause();
    }

    /// @notice Mints `amount` for `to` (anyone may, a test token).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Burns `amount` of the caller's tokens.
    function burn(uint256 amount) external {
        _burn(msg.sender, amount);
    }
}
