// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {MinterRole} from "./access/MinterRole.sol";
import {KIP7} from "./kip/KIP7.sol";
import {IKIP7Burnable} from "./kip/IKIP7Burnable.sol";
import {IKIP7Mintable} from "./kip/IKIP7Mintable.sol";

// External Imports
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";

/// @title A plain mintable, burnable KIP7 token for the parent chain.
/// @notice The deployer owns it, is its first minter and receives the initial supply.
/// @dev KIP13 ids: KIP13, KIP7, KIP7Metadata, KIP7Mintable (0xeab83e20), KIP7Burnable (0x3b5a0bf8).
contract KIP7Token is KIP7, ERC20Burnable, MinterRole {
    uint8 private immutable _decimals;

    /// @param name_ The token name.
    /// @param symbol_ The token symbol.
    /// @param decimals_ The number of decimals of the user representation.
    /// @param initialSupply The amount minted to the deployer.
    constructor(string memory name_, string memory symbol_, uint8 decimals_, uint256 initialSupply)
        ERC20(name_, symbol_)
        Ownable(msg.sender)
    {
        _decimals = decimals_;
        _mint(msg.sender, initialSupply);
    }

    /// @notice Creates `amount` tokens for `account`. Only a minter may call it.
    /// @param account The recipient; it is not called.
    /// @param amount The amount to create.
    /// @return True on success.
    function mint(address account, uint256 amount) external onlyMinter returns (bool) {
        _mint(account, amount);
        return true;
    }

    /// @notice The number of decimals of the token's user representation.
    /// @return The decimals given at deployment.
    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @notice KIP13: whether this token implements `interfaceId`.
    /// @param interfaceId A KIP13 interface id.
    /// @return True for KIP13, KIP7, KIP7Metadata, KIP7Mintable and KIP7Burnable.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(IKIP7Mintable).interfaceId || interfaceId == type(IKIP7Burnable).interfaceId
            || super.supportsInterface(interfaceId);
    }
}
