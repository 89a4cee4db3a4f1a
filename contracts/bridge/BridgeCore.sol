// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// External Imports
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

// Internal Imports
import {OperatorVotes} from "../common/OperatorVotes.sol";
import {BridgeHandleNonces} from "./BridgeHandleNonces.sol";
import {IBridgeTransfers} from "./interfaces/IBridgeTransfers.sol";

/// @title BridgeCore: the one execution core of every request and handle
/// @notice Holds the request nonce, the running switch and the operator votes; the handle nonce bookkeeping Klaytn's
/// relayers read lives in `BridgeHandleNonces`. Every handle, whatever path brought it (per-operator votes or signed
/// batches), goes through `_executeHandle` with one `IBridgeTransfers.Transfer`, which executes a request nonce at most
/// once; the same struct is what the signed batches carry and what the recovery ledger parks and hashes.
/// A handle whose payout fails (a recipient that refuses KLAY or the NFT, a paused token) does not revert: the nonce
/// counts as handled, `HandleValueTransferFailed` is emitted instead of `HandleValueTransfer`, and the transfer is
/// parked in the bridge's `TransferRecovery` as failed until it is retried or cancelled (and then refunded on the
/// source bridge). A handle above the destination's limits is parked as held until the owner releases it.
/// @dev Asset modules override the three hooks that move value out of the bridge, `_payoutKLAY`, `_payoutKIP7` and
/// `_payoutKIP17`, which report failure instead of reverting (`TokenCalls.tryCall`) and are called after all
/// bookkeeping (checks-effects-interactions). The limits module overrides `_checkHandle` (registration, token kind and
/// handle limits), `_returnHandle` (a failed payout gives its count back) and `_consumeRequestLimit`; the recovery
/// module overrides `_park`. Request entry points of the modules call `_beginRequest` for the common checks and
/// `_emitRequest` / `_emitRequestEncoded` to take the next nonce.
abstract contract BridgeCore is OperatorVotes, ReentrancyGuardTransient, BridgeHandleNonces, IBridgeTransfers {
    uint8 internal constant VOTE_VALUE_TRANSFER = 0;
    uint8 internal constant VOTE_CONFIGURATION = 1;

    /// @dev Request-side state, one slot: read once and written once per request.
    struct Status {
        address feeReceiver;
        uint64 requestNonce;
        bool running;
        bool klayLocked;
        bool klayRequestLimited; // KLAY has transfer limits: requests consult them
    }

    /// @notice Whether this bridge mints and burns tokens (true) or locks and releases them (false). KLAY is always
    /// locked and released.
    bool public immutable modeMintBurn;

    Status internal _bridgeStatus;

    /// @notice Request transactions whose transfer was executed here by the per-operator votes (Klaytn's path).
    mapping(bytes32 => bool) public handledRequestTx;

    constructor(bool _modeMintBurn) {
        modeMintBurn = _modeMintBurn;
        _bridgeStatus.running = true;
    }

    // ------------------------------------------------------------------ views

    /// @notice The number of value transfers requested on this bridge: the nonce of the next one.
    function requestNonce() external view returns (uint64) {
        return _bridgeStatus.requestNonce;
    }

    /// @notice Whether requests are allowed.
    function isRunning() external view returns (bool) {
        return _bridgeStatus.running;
    }

    // ------------------------------------------------------------------ owner

    /// @notice Allows (`true`) or stops (`false`) requests. Handles go on either way. Owner only.
    function start(bool _status) external onlyOwner {
        _setRunning(_status);
    }

    /// @notice Same as `start` (Kaia's name).
    function setRunningStatus(bool status) external onlyOwner {
        _setRunning(status);
    }

    function _setRunning(bool status) private {
        _bridgeStatus.running = status;
        emit RunningStatusChanged(status);
    }

    // ------------------------------------------------------------------ votes

    function _voteTypeCount() internal pure override returns (uint8) {
        return 2;
    }

    /// @dev The caller's vote for the exact call data of this handle; true when it reached the threshold.
    function _voteValueTransfer(uint64 nonce) internal returns (bool) {
        _operatorBit(msg.sender);
        _requireNotHandled(nonce);
        return _castVote(VOTE_VALUE_TRANSFER, nonce, keccak256(msg.data));
    }

    // ------------------------------------------------------------------ handle

    /// @dev Executes `r` once: records the nonce, then pays out and emits `HandleValueTransfer`; or parks `r` as held
    /// when it is above the handle limits (`TransferHeld`), or as failed when the payout fails
    /// (`HandleValueTransferFailed`, and the handle limits get its amount back: only value that leaves counts). The caller has checked that the nonce is not handled and that enough operators
    /// approved exactly `r`. The per-operator path also records `handledRequestTx` (Klaytn's view); the signed path
    /// leaves that 20,000-gas slot out: its readers have `isHandled(nonce)` on chain and the request tx hash in
    /// `HandleValueTransfer`.
    function _executeHandle(Transfer memory r, bool recordRequestTx) internal {
        if (r.to == address(0)) revert ZeroRecipient();
        if (recordRequestTx) handledRequestTx[r.requestTxHash] = true;
        (uint64 lower, bool klayLimited) = _recordHandled(r.requestNonce, r.requestBlockNumber);
        TokenType kind = TokenType(r.tokenType);
        if (!_checkHandle(kind, r.tokenAddress, r.valueOrTokenId, klayLimited)) {
            _park(r, true);
            emit TransferHeld(r.requestTxHash, kind, r.from, r.to, r.tokenAddress, r.valueOrTokenId, r.requestNonce);
            return;
        }
        (bool paid,) = _deliver(r, lower, true);
        // nothing left the bridge: the handle limits get back what `_checkHandle` counted
        if (!paid) _returnHandle(kind, r.tokenAddress, r.valueOrTokenId, klayLimited);
    }

    /// @dev Pays `r` out (with the fixed payout budget when `capped`) and emits `HandleValueTransfer`; when the payout
    /// fails, emits `HandleValueTransferFailed` and, when `capped` (the failure is the recipient's or the token's),
    /// parks `r` as failed. Returns whether it was paid and, if not, what the recipient or the token returned.
    function _deliver(Transfer memory r, uint64 lower, bool capped)
        internal
        returns (bool paid, bytes memory reason)
    {
        TokenType kind = TokenType(r.tokenType);
        (paid, reason) = _payout(kind, r.tokenAddress, r.to, r.valueOrTokenId, r.tokenURI, capped);
        if (paid) {
            emit HandleValueTransfer(
                r.requestTxHash,
                kind,
                r.from,
                r.to,
                r.tokenAddress,
                r.valueOrTokenId,
                r.requestNonce,
                lower,
                r.extraData
            );
        } else {
            if (capped) _park(r, false);
            emit HandleValueTransferFailed(
                r.requestTxHash, kind, r.from, r.to, r.tokenAddress, r.valueOrTokenId, r.requestNonce, reason
            );
        }
    }

    /// @dev Moves value out of the bridge by the asset's hook; reports failure instead of reverting.
    function _payout(
        TokenType tokenType,
        address token,
        address to,
        uint256 valueOrTokenId,
        string memory tokenURI,
        bool capped
    ) internal returns (bool paid, bytes memory reason) {
        if (tokenType == TokenType.KLAY) return _payoutKLAY(to, valueOrTokenId, capped);
        if (tokenType == TokenType.ERC20) return _payoutKIP7(token, to, valueOrTokenId, capped);
        return _payoutKIP17(token, to, valueOrTokenId, tokenURI, capped);
    }

    /// @dev Sends `value` KLAY to `to`; reports failure (and what the recipient returned) instead of reverting.
    function _payoutKLAY(address to, uint256 value, bool capped)
        internal
        virtual
        returns (bool paid, bytes memory reason);

    /// @dev Releases (lock mode) or mints (mint/burn mode) `value` of `token` to `to`; reports failure instead of
    /// reverting.
    function _payoutKIP7(address token, address to, uint256 value, bool capped)
        internal
        virtual
        returns (bool paid, bytes memory reason);

    /// @dev Releases (lock mode) or mints (mint/burn mode) NFT `tokenId` of `token` to `to`; reports failure instead
    /// of reverting.
    function _payoutKIP17(address token, address to, uint256 tokenId, string memory tokenURI, bool capped)
        internal
        virtual
        returns (bool paid, bytes memory reason);

    /// @dev Before a handle's payout: reverts unless the token is registered as `tokenType` (KLAY needs none:
    /// `TokenKindMismatch` otherwise, so no other asset is paid and nothing is recorded) and returns whether
    /// `amount` may be paid now under the destination's limits, counting it when it may (false: hold it).
    /// `klayLimited` is the KLAY limits flag, read with the nonce bookkeeping.
    function _checkHandle(TokenType tokenType, address token, uint256 amount, bool klayLimited)
        internal
        virtual
        returns (bool);

    /// @dev After a handle's first payout failed: gives back to today's handle usage what `_checkHandle` counted.
    function _returnHandle(TokenType tokenType, address token, uint256 amount, bool klayLimited) internal virtual;

    /// @dev Counts a request of `amount` of `token` (zero: KLAY; a KIP17 NFT counts 1) against its limits, or
    /// reverts. Called only for assets that have limits.
    function _consumeRequestLimit(address token, uint256 amount) internal virtual;

    /// @dev Records `r` in the recovery ledger as held (above the limits) or failed (its payout failed).
    function _park(Transfer memory r, bool held) internal virtual;

    // ------------------------------------------------------------------ request

    /// @dev Checks common to every request; returns the status slot (fee receiver, KLAY lock) for the request.
    function _beginRequest(address to) internal view returns (Status memory status) {
        status = _bridgeStatus;
        if (!status.running) revert BridgeNotRunning();
        if (to == address(0)) revert ZeroRecipient();
    }

    /// @dev Takes the next request nonce and emits `RequestValueTransfer`. The nonce is read from storage here, not
    /// from a status copy taken before the request's external calls.
    function _emitRequest(
        TokenType tokenType,
        address from,
        address to,
        address token,
        uint256 valueOrTokenId,
        uint256 fee,
        bytes memory extraData
    ) internal {
        uint64 nonce = _bridgeStatus.requestNonce;
        _bridgeStatus.requestNonce = nonce + 1;
        emit RequestValueTransfer(tokenType, from, to, token, valueOrTokenId, nonce, fee, extraData);
    }

    /// @dev Takes the next request nonce (read from storage) and emits `RequestValueTransferEncoded`.
    function _emitRequestEncoded(
        TokenType tokenType,
        address from,
        address to,
        address token,
        uint256 valueOrTokenId,
        bytes memory extraData,
        uint8 encodingVer,
        bytes memory encodedData
    ) internal {
        uint64 nonce = _bridgeStatus.requestNonce;
        _bridgeStatus.requestNonce = nonce + 1;
        emit RequestValueTransferEncoded(
            tokenType, from, to, token, valueOrTokenId, nonce, 0, extraData, encodingVer, encodedData
        );
    }
}
