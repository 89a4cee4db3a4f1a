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
    function requestKLAYTransfer(address _to, uint256 _value, bytes calldata _extraData) external payable nonReentrant {
        if (msg.value < _value) revert InsufficientValue(msg.value, _value);
        _requestKLAY(_to, _value, msg.value - _value, _extraData);
    }

    /// @notice Source chain: a plain KLAY payment is a request for the sender itself, less `feeOfKLAY`.
    receive() external payable nonReentrant {
        _requestKLAYForSender();
    }

    /// @notice Klaytn's payable fallback: a call with unknown data is a KLAY request for the sender, as `receive`.
    /// Without value it is refused (`ZeroAmount`).
    fallback() external payable nonReentrant {
        _requestKLAYForSender();
    }

    function _requestKLAYForSender() private {
        uint256 feeLimit = feeOfKLAY;
        if (msg.value < feeLimit) revert InsufficientValue(msg.value, feeLimit);
        _requestKLAY(msg.sender, msg.value - feeLimit, feeLimit, "");
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

    function _requestKLAY(address to, uint256 value, uint256 feeLimit, bytes memory extraData) private {
        Status memory status = _beginRequest(to);
        if (status.klayLocked) revert IBridgeTokens.KLAYIsLocked();
        if (value == 0) revert ZeroAmount();
        if (status.klayRequestLimited) _consumeRequestLimit(address(0), value);
        uint256 fee = _klayFeeDue(status.feeReceiver, feeLimit);
        _emitRequest(TokenType.KLAY, msg.sender, to, address(0), value, fee, extraData);
        _settleKLAYFee(status.feeReceiver, msg.sender, feeLimit, fee);
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
