// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// External Imports
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title Klaytn's MinterRole, kept small: a set of minters managed by the owner.
/// @notice The deployer starts as a minter. The owner adds and removes minters; a minter may renounce its role.
/// @dev Unlike Klaytn's MinterRole, where any minter may add others, only the owner grants the role, so a minter
///      key cannot widen the set. Derived tokens may widen {isMinter} (the service-chain tokens add their bridge).
abstract contract MinterRole is Ownable {
    mapping(address account => bool) private _minters;

    /// @notice `account` became a minter.
    event MinterAdded(address indexed account);

    /// @notice `account` stopped being a minter.
    event MinterRemoved(address indexed account);

    /// @notice `account` called a function that only a minter may call.
    error MinterRoleUnauthorizedAccount(address account);

    /// @notice The zero address cannot be a minter.
    error MinterRoleInvalidMinter(address account);

    /// @dev Reverts with {MinterRoleUnauthorizedAccount} unless the caller is a minter.
    modifier onlyMinter() {
        if (!isMinter(_msgSender())) revert MinterRoleUnauthorizedAccount(_msgSender());
        _;
    }

    constructor() {
        _addMinter(_msgSender());
    }

    /// @notice Whether `account` may mint.
    /// @param account The account to check.
    /// @return True when `account` is a minter.
    function isMinter(address account) public view virtual returns (bool) {
        return _minters[account];
    }

    /// @notice Makes `account` a minter. Only the owner may call it.
    /// @param account The new minter; not the zero address.
    function addMinter(address account) external onlyOwner {
        _addMinter(account);
    }

    /// @notice Takes the minter role from `account`. Only the owner may call it.
    /// @param account The minter to remove.
    function removeMinter(address account) external onlyOwner {
        _removeMinter(account);
    }

    /// @notice Gives up the caller's minter role.
    function renounceMinter() external {
        _removeMinter(_msgSender());
    }

    /// @dev Grants the role; emits {MinterAdded} when `account` was not a minter yet.
    function _addMinter(address account) internal {
        if (account == address(0)) revert MinterRoleInvalidMinter(address(0));
        if (_minters[account]) return;
        _minters[account] = true;
        emit MinterAdded(account);
    }

    /// @dev Revokes the role; emits {MinterRemoved} when `account` was a minter.
    function _removeMinter(address account) internal {
        if (!_minters[account]) return;
        _minters[account] = false;
        emit MinterRemoved(account);
    }
}
