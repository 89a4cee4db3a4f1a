// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {IBridgeTransfers} from "../interfaces/IBridgeTransfers.sol";

/// @title TokenCalls: payouts that report failure instead of reverting
/// @notice A handle's payout (KLAY to a recipient, a token transfer or mint) gets a fixed gas budget, `PAYOUT_GAS`, and
/// is refused up front when less than that budget is left: a payout that fails failed by the recipient's or the
/// token's doing, never because the submitter sent too little gas, so the bridge may record it as failed. Klaytn's
/// mintable tokens return `true` from `mint` and `mintWithTokenURI`; OpenZeppelin-style ones return nothing. Both are
/// accepted; `false`, a revert, or a call to an address without code is a failure. At most `MAX_RETURNED` bytes of
/// what the callee returns are copied, so a hostile callee cannot make the bridge pay for a huge copy.
library TokenCalls {
    /// @notice The gas a handle's payout call gets.
    uint256 internal constant PAYOUT_GAS = 300_000;
    /// @dev What the bridge needs after the payout call returns (the failure record and its event).
    uint256 private constant AFTER_CALL = 100_000;
    uint256 private constant MAX_RETURNED = 256;

    /// @dev Calls `target` with `value` and `data`, giving it `PAYOUT_GAS` (`capped`) or all but a reserve. `tokenCall`:
    /// the call must reach code and return nothing or `true`. Returns whether it succeeded and, on failure, what the
    /// callee returned, truncated.
    function tryCall(address target, uint256 value, bytes memory data, bool tokenCall, bool capped)
        internal
        returns (bool ok, bytes memory returned)
    {
        uint256 gasForCall;
        if (capped) {
            if (gasleft() < (PAYOUT_GAS * 64) / 63 + AFTER_CALL) revert IBridgeTransfers.InsufficientGasForPayout();
            gasForCall = PAYOUT_GAS;
        } else {
            gasForCall = gasleft();
        }
        assembly ("memory-safe") {
            ok := call(gasForCall, target, value, add(data, 0x20), mload(data), 0, 0)
        }
        if (ok) {
            if (!tokenCall) return (true, "");
            uint256 size = _returnedSize();
            // nothing returned: the call must have reached code; one word returned: it must be `true`
            if (size == 0 ? target.code.length != 0 : size == 32 && _returnedTrue()) return (true, "");
        }
        return (false, _returned());
    }

    function _returnedSize() private pure returns (uint256 size) {
        assembly ("memory-safe") {
            size := returndatasize()
        }
    }

    function _returnedTrue() private pure returns (bool isTrue) {
        assembly ("memory-safe") {
            returndatacopy(0, 0, 32)
            isTrue := eq(mload(0), 1)
        }
    }

    /// @dev What the last call returned, at most `MAX_RETURNED` bytes.
    function _returned() private pure returns (bytes memory returned) {
        assembly ("memory-safe") {
            let size := returndatasize()
            if gt(size, MAX_RETURNED) { size := MAX_RETURNED }
            returned := mload(0x40)
            mstore(returned, size)
            returndatacopy(add(returned, 0x20), 0, size)
            mstore(0x40, add(add(returned, 0x20), and(add(size, 31), not(31))))
        }
    }
}
