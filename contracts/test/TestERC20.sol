// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// External Imports
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";

/// @title Test fixture: a plain ERC20 anyone may mint, burnable by its holders (a stand-in for a mintable KIP7).
contract TestERC20 is ERC20, ERC20Burnable {
    constructor(string memory name_, string memory symbol_) ERC20(name_, symbol_) {}

    /// @notice Mints `amount` to `to`; returns true as Klaytn's mintable tokens do.
    function mint(address to, uint256 amount) external returns (bool) {
        _mint(to, amount);
        return true;
    }
}
