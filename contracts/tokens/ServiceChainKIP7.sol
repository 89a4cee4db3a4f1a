// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {BridgeLinked} from "./access/BridgeLinked.sol";
import {MinterRole} from "./access/MinterRole.sol";
import {IKIP7BridgeReceiver} from "./interfaces/IKIP7BridgeReceiver.sol";
import {KIP7} from "./kip/KIP7.sol";
import {IKIP7Burnable} from "./kip/IKIP7Burnable.sol";
import {IKIP7Mintable} from "./kip/IKIP7Mintable.sol";

// External Imports
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";

/// @title The service chain's KIP7 token, minted and burned by its bridge.
/// @notice 18 decimals, no initial supply. The bridge mints and burns without being added as a minter; the
///         deployer owns the token and is its first minter. Holders send tokens to the other chain in one step
///         with {requestValueTransfer}.
/// @dev KIP13 ids: KIP13, KIP7, KIP7Metadata, KIP7Mintable (0xeab83e20), KIP7Burnable (0x3b5a0bf8).
contract ServiceChainKIP7 is KIP7, ERC20Burnable, MinterRole, BridgeLinked {
    /// @param name_ The token name.
    /// @param symbol_ The token symbol.
    /// @param bridge_ The bridge contract on this chain; must be a contract.
    constructor(string memory name_, string memory symbol_, address bridge_)
        ERC20(name_, symbol_)
        Ownable(msg.sender)
        BridgeLinked(bridge_)
    {}

    /// @notice Creates `amount` tokens for `account`. The bridge and the minters may call it.
    /// @param account The recipient; it is not called.
    /// @param amount The amount to create.
    /// @return True on success.
    function mint(address account, uint256 amount) external onlyMinter returns (bool) {
        _mint(account, amount);
        return true;
    }

    /// @notice `_amount + _feeLimit` does not fit in a uint256.
    error RequestAmountOverflow(uint256 amount, uint256 feeLimit);

    /// @notice Klaytn's one-step transfer to the other chain: moves `_amount + _feeLimit` of the caller's tokens to
    ///         the bridge, then calls the bridge's {IKIP7BridgeReceiver-onERC20Received}, which records the request
    ///         (and reverts the whole transaction if it refuses it).
    /// @param _amount The amount to transfer.
    /// @param _to The recipient on the other chain.
    /// @param _feeLimit The most the caller pays as fee; the bridge refunds what it does not charge.
    /// @param _extraData Data carried to the other chain.
    function requestValueTransfer(uint256 _amount, address _to, uint256 _feeLimit, bytes calldata _extraData)
        external
    {
        if (_feeLimit > type(uint256).max - _amount) revert RequestAmountOverflow(_amount, _feeLimit);
        address bridge_ = bridge;
        _transfer(_msgSender(), bridge_, _amount + _feeLimit);
        IKIP7BridgeReceiver(bridge_).onERC20Received(_msgSender(), _to, _amount, _feeLimit, _extraData);
    }

    /// @notice Whether `account` may mint: the bridge always may, other accounts when they hold the minter role.
    /// @param account The account to check.
    /// @return True for the bridge and for minters.
    function isMinter(address account) public view override returns (bool) {
        return account == bridge || super.isMinter(account);
    }

    /// @notice KIP13: whether this token implements `interfaceId`.
    /// @param interfaceId A KIP13 interface id.
    /// @return True for KIP13, KIP7, KIP7Metadata, KIP7Mintable and KIP7Burnable.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(IKIP7Mintable).interfaceId || interfaceId == type(IKIP7Burnable).interfaceId
            || super.supportsInterface(interfaceId);
    }
}
