// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title ReentrancyLock: the bridge's reentrancy guard, in transient storage
/// @notice OpenZeppelin's `ReentrancyGuardTransient` (the same error and the same `nonReentrant`), on transient slot
/// 0 rather than a namespaced slot: the bridge keeps nothing else in transient storage, and a one-byte slot number
/// costs no code copy on each use. Besides the modifier, a path may check the guard without taking it
/// (`_requireNotEntered`) and take it only around its calls out of the bridge (`_lock`, `_unlock`): entered while the
/// guard is held it reverts, and between its calls out only the bridge's own code runs, so nothing can enter then.
/// Do not declare a `transient` state variable in the bridge or any of its bases: solc would put the first one on
/// slot 0, shared with this guard.
abstract contract ReentrancyLock {
    /// @notice A `nonReentrant` function was entered while one was running.
    error ReentrancyGuardReentrantCall();

    /// @dev Refuses to run while a `nonReentrant` function of this contract runs, directly or indirectly.
    modifier nonReentrant() {
        _lock();
        _;
        _unlock();
    }

    /// @dev Reverts while the guard is held.
    function _requireNotEntered() internal view {
        bool entered;
        assembly ("memory-safe") {
            entered := tload(0)
        }
        if (entered) revert ReentrancyGuardReentrantCall();
    }

    /// @dev Takes the guard; reverts while it is held.
    function _lock() internal {
        _requireNotEntered();
        assembly ("memory-safe") {
            tstore(0, 1)
        }
    }

    /// @dev Releases the guard.
    function _unlock() internal {
        assembly ("memory-safe") {
            tstore(0, 0)
        }
    }
}
