// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {BridgeFees} from "./BridgeFees.sol";
import {IBridgeTokens} from "./interfaces/IBridgeTokens.sol";
import {TokenCalls} from "./libraries/TokenCalls.sol";

/// @title BridgeKLAY: the native coin, always locked on the source and released on the destination
/// @notice A handling bridge pays KLAY out of its own balance: fund it with `chargeWithoutEvent`.
abstract contract BridgeKLAY is BridgeFees {
    /// @notice Whether KLAY requests are locked.
    function isLockedKLAY() external view returns (bool) {
        return _bridgeStatus.klayLocked;
    }

    /// @notice Stops KLAY requests. Owner only.
    function lockKLAY() external onlyOwner {
        if (_bridgeStatus.klayLocked) revert IBridgeTokens.KLAYIsLocked();
        _bridgeStatus.klayLocked = true;
        emit IBridgeTokens.KLAYLocked();
    }

    /// @notice Allows KLAY requests again. Owner only.
    function unlockKLAY() external onlyOwner {
        if (!_bridgeStatus.klayLocked) revert IBridgeTokens.KLAYNotLocked();
        _bridgeStatus.klayLocked = false;
        emit IBridgeTokens.KLAYUnlocked();
    }

    /// @notice Adds KLAY liquidity for handles, without a request.
    /// @dev The payment is the whole effect (Klaytn's interface), hence the empty body.
    function chargeWithoutEvent() external payable {} // solhint-disable-line no-empty-blocks

    /// @notice Source chain: requests `value` KLAY for `to` on the other chain. `msg.value` is `value` plus the fee
    /// limit; the fee goes to the fee receiver and the change back to the sender.
    function requestKLAYTransfer(address _to, uint256 _value, bytes calldata _extraData) external payable {
        _requireNotEntered();
        if (msg.value < _value) revert InsufficientValue(msg.value, _value);
        unchecked {
            // msg.value >= _value: checked above
            _requestKLAY(_to, _value, msg.value - _value, _extraData);
        }
    }

    /// @notice Source chain: a plain KLAY payment is a request for the sender itself, less `feeOfKLAY`.
    receive() external payable {
        _requestKLAYForSender();
    }

    /// @notice Klaytn's payable fallback: a call with unknown data is a KLAY request for the sender, as `receive`.
    /// Without value it is refused (`ZeroAmount`).
    fallback() external payable {
        _requestKLAYForSender();
    }

    function _requestKLAYForSender() private {
        _requireNotEntered();
        uint256 feeLimit = feeOfKLAY;
        if (msg.value < feeLimit) revert InsufficientValue(msg.value, feeLimit);
        unchecked {
            // msg.value >= feeLimit: checked above
            _requestKLAY(msg.sender, msg.value - feeLimit, feeLimit, msg.data[0:0]);
        }
    }

    /// @notice Destination chain: an operator's vote to pay `value` KLAY to `to` for request `requestedNonce` of the
    /// counterpart bridge. Executed once the threshold of operators voted the same call data.
    function handleKLAYTransfer(
        bytes32 _requestTxHash,
        address _from,
        address _to,
        uint256 _value,
        uint64 _requestedNonce,
        uint64 _requestedBlockNumber,
        bytes calldata _extraData
    ) external nonReentrant {
        if (!_voteValueTransfer(_requestedNonce)) return;
        _handleVoted(
            _requestTxHash, TokenType.KLAY, _from, _to, address(0), _value, _requestedNonce, _requestedBlockNumber, "", _extraData
        );
    }

    /// @dev The request as `_beginRequest`, `_emitRequest` and the fee settlement make it for the other assets, on one
    /// read and one write of the status slot: the refusals in one test, then the nonce moved on in the word read,
    /// before any call leaves the bridge (the limits ledger it created, the fee and the change), each made under the
    /// reentrancy guard. The event is written straight from calldata.
    function _requestKLAY(address to, uint256 value, uint256 feeLimit, bytes calldata extraData) private {
        uint256 status;
        bool refused;
        uint256 running = STATUS_RUNNING;
        uint256 runningOrLocked = STATUS_RUNNING | STATUS_KLAY_LOCKED;
        assembly ("memory-safe") {
            status := sload(_bridgeStatus.slot)
            // one test for the four refusals: not running or KLAY locked, no recipient (`to` is clean: decoded by
            // the ABI decoder, or msg.sender), nothing to send
            refused := or(xor(and(status, runningOrLocked), running), or(iszero(to), iszero(value)))
        }
        if (refused) _refuseKLAYRequest(status, to);
        if (~status & STATUS_NONCE_MASK == 0) revert RequestNoncesExhausted();
        uint64 nonce = uint64(status >> 160);
        unchecked {
            // nonce below its maximum (checked above): adding one to it carries nothing into the flags
            status += STATUS_NONCE_ONE;
        }
        assembly ("memory-safe") {
            sstore(_bridgeStatus.slot, status)
        }
        if (status & STATUS_KLAY_REQUEST_LIMITED != 0) {
            _lock();
            _consumeRequestLimit(address(0), value);
            _unlock();
        }
        address receiver = address(uint160(status));
        uint256 fee = receiver == address(0) ? 0 : _klayFeeDue(receiver, feeLimit);
        _emitKLAYRequest(to, value, nonce, fee, extraData);
        if (feeLimit != 0) {
            _lock();
            _settleKLAYFee(receiver, msg.sender, feeLimit, fee);
            _unlock();
        }
    }

    /// @dev Reverts with the first refusal of a KLAY request that applies, in the order the other requests check them.
    function _refuseKLAYRequest(uint256 status, address to) private pure {
        if (status & STATUS_RUNNING == 0) revert BridgeNotRunning();
        if (to == address(0)) revert ZeroRecipient();
        if (status & STATUS_KLAY_LOCKED != 0) revert IBridgeTokens.KLAYIsLocked();
        revert ZeroAmount();
    }

    /// @dev `emit RequestValueTransfer(TokenType.KLAY, msg.sender, to, address(0), value, nonce, fee, extraData)`,
    /// with `extraData` copied once, straight from calldata into the event's data.
    function _emitKLAYRequest(address to, uint256 value, uint64 nonce, uint256 fee, bytes calldata extraData) private {
        bytes32 topic = RequestValueTransfer.selector;
        assembly ("memory-safe") {
            let data := mload(0x40)
            mstore(data, 0) // TokenType.KLAY
            mstore(add(data, 0x20), value)
            mstore(add(data, 0x40), nonce)
            mstore(add(data, 0x60), fee)
            mstore(add(data, 0x80), 0xa0) // where extraData starts
            mstore(add(data, 0xa0), extraData.length)
            calldatacopy(add(data, 0xc0), extraData.offset, extraData.length)
            mstore(add(add(data, 0xc0), extraData.length), 0) // the padding of extraData's last word
            log4(data, add(0xc0, and(add(extraData.length, 31), not(31))), topic, caller(), to, 0)
        }
    }

    function _requireHandleable(Transfer memory t, bool klayLimited) internal view virtual override returns (uint256) {
        if (t.tokenType != uint8(TokenType.KLAY)) return super._requireHandleable(t, klayLimited);
        // KLAY names no token: a KLAY transfer carrying a token address is refused, never paid in either asset
        if (t.tokenAddress != address(0)) revert KLAYTransferWithToken(t.tokenAddress);
        return klayLimited ? t.valueOrTokenId : 0;
    }

    /// @dev Sends the KLAY; a recipient that refuses it makes the payout fail.
    function _transferTo(Transfer memory t, address to, bool capped) internal virtual override returns (bool, bytes memory) {
        if (t.tokenType != uint8(TokenType.KLAY)) return super._transferTo(t, to, capped);
        return TokenCalls.tryCall(to, t.valueOrTokenId, "", false, capped);
    }
}
