// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {OperatorVotes} from "../common/OperatorVotes.sol";
import {BridgeHandleNonces} from "./BridgeHandleNonces.sol";
import {ReentrancyLock} from "./ReentrancyLock.sol";
import {IBridgeTransfers} from "./interfaces/IBridgeTransfers.sol";

/// @title BridgeCore: the one execution core of every handle, and the steps every request shares
/// @notice Holds the request nonce, the running switch and the operator votes. Every handle, whatever path brought it
/// (per-operator votes or signed batches), is one `IBridgeTransfers.Transfer` executed at most once by
/// `_executeHandle`: the nonce recorded (`BridgeHandleNonces`), the asset's checks, the handle limits, the payout
/// (`_transferTo`) and `HandleValueTransfer`; the same struct is what the signed batches carry and what the recovery
/// ledger parks and hashes. A handle whose payout fails does not revert: the nonce counts as handled,
/// `HandleValueTransferFailed` is emitted instead, and the transfer is parked in the bridge's `TransferRecovery` as
/// failed until it is retried or cancelled (and then refunded on the source bridge). A handle above the destination's
/// limits is parked as held until the owner releases it.
/// @dev One module per asset kind (BridgeKLAY, BridgeKIP7, BridgeKIP17) says how its value arrives and leaves; this
/// core and the limits and recovery modules name no asset kind. A handle names its kind in its data, so the two
/// handle hooks chain: each module answers `_requireHandleable` (may the transfer be paid in its asset, and what it
/// counts against the handle limits) and `_transferTo` (pay it, reporting failure instead of reverting:
/// `TokenCalls.tryCall`, called after all bookkeeping) for its own kind and passes any other kind on to `super`; a kind
/// no module knows reaches this base and is refused (`InvalidTokenType`). A request comes in by an entry point of its
/// asset's module, which calls `_beginRequest` (running, a recipient), takes the value in and counts it against the
/// request limits, then `_emitRequest` / `_emitRequestEncoded` (the next nonce and the event), then settles the fee and
/// burns; the KLAY request, the cheapest, makes the same steps on the status slot read as one word (`STATUS_*`). The limits module overrides `_consumeRequestLimit`, `_consumeHandleLimit` and `_returnHandleLimit`; the
/// recovery module overrides `_park`. Do not override `_executeHandle` or `_deliver`: they are the flow every asset
/// shares.
abstract contract BridgeCore is OperatorVotes, ReentrancyLock, BridgeHandleNonces, IBridgeTransfers {
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

    /// @dev `Status` as one word, for a request that reads and writes the slot whole: the compiler packs a struct from
    /// the low-order end, so `feeReceiver` is bits 0 to 159, `requestNonce` 160 to 223, and each flag the low bit of
    /// the byte above.
    uint256 internal constant STATUS_NONCE_ONE = 1 << 160;
    uint256 internal constant STATUS_NONCE_MASK = uint256(type(uint64).max) << 160;
    uint256 internal constant STATUS_RUNNING = 1 << 224;
    uint256 internal constant STATUS_KLAY_LOCKED = 1 << 232;
    uint256 internal constant STATUS_KLAY_REQUEST_LIMITED = 1 << 240;

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

    /// @dev Decodes the `data = abi.encode(address to, bytes extraData)` of a one-step request (a KIP7 `safeTransfer`
    /// to the bridge).
    function _decodeTransferData(bytes calldata data) internal pure returns (address to, bytes memory extraData) {
        if (data.length < 96) revert InvalidTransferData();
        (to, extraData) = abi.decode(data, (address, bytes));
    }

    // ------------------------------------------------------------------ handle

    /// @dev Executes the transfer the operators voted for (the caller's vote reached the threshold).
    function _handleVoted(
        bytes32 requestTxHash,
        TokenType kind,
        address from,
        address to,
        address token,
        uint256 valueOrTokenId,
        uint64 requestedNonce,
        uint64 requestBlockNumber,
        string memory tokenURI,
        bytes calldata extraData
    ) internal {
        _executeHandle(
            Transfer({
                requestTxHash: requestTxHash,
                tokenType: uint8(kind),
                from: from,
                to: to,
                tokenAddress: token,
                valueOrTokenId: valueOrTokenId,
                requestNonce: requestedNonce,
                requestBlockNumber: requestBlockNumber,
                tokenURI: tokenURI,
                extraData: extraData
            }),
            true
        );
    }

    /// @dev Executes `t` once: records the nonce, then pays out and emits `HandleValueTransfer`; or parks `t` as held
    /// when it is above the handle limits (`TransferHeld`), or as failed when the payout fails
    /// (`HandleValueTransferFailed`, and the handle limits get its amount back: only value that leaves counts). The
    /// caller has checked that the nonce is not handled and that enough operators approved exactly `t`. The
    /// per-operator path also records `handledRequestTx` (Klaytn's view); the signed path leaves that 20,000-gas slot
    /// out: its readers have `isHandled(nonce)` on chain and the request tx hash in `HandleValueTransfer`.
    function _executeHandle(Transfer memory t, bool recordRequestTx) internal {
        if (t.to == address(0)) revert ZeroRecipient();
        if (recordRequestTx) handledRequestTx[t.requestTxHash] = true;
        (uint64 lower, bool klayLimited) = _recordHandled(t.requestNonce, t.requestBlockNumber);
        uint256 limitUnits = _requireHandleable(t, klayLimited);
        if (limitUnits != 0 && !_consumeHandleLimit(t.tokenAddress, limitUnits)) {
            _park(t, true);
            emit TransferHeld(
                t.requestTxHash, TokenType(t.tokenType), t.from, t.to, t.tokenAddress, t.valueOrTokenId, t.requestNonce
            );
            return;
        }
        (bool paid,) = _deliver(t, lower, true);
        // nothing left the bridge: the handle limits get back what `_consumeHandleLimit` counted
        if (!paid && limitUnits != 0) _returnHandleLimit(t.tokenAddress, limitUnits);
    }

    /// @dev Pays `t` out (with the fixed payout budget when `capped`) and emits `HandleValueTransfer`; when the payout
    /// fails, emits `HandleValueTransferFailed` and, when `capped` (the failure is the recipient's or the token's),
    /// parks `t` as failed. Returns whether it was paid and, if not, what the recipient or the token returned.
    function _deliver(Transfer memory t, uint64 lower, bool capped) internal returns (bool paid, bytes memory reason) {
        (paid, reason) = _transferTo(t, t.to, capped);
        if (paid) {
            emit HandleValueTransfer(
                t.requestTxHash, TokenType(t.tokenType), t.from, t.to, t.tokenAddress, t.valueOrTokenId, t.requestNonce,
                lower, t.extraData
            );
        } else {
            if (capped) _park(t, false);
            emit HandleValueTransferFailed(
                t.requestTxHash, TokenType(t.tokenType), t.from, t.to, t.tokenAddress, t.valueOrTokenId, t.requestNonce,
                reason
            );
        }
    }

    // ------------------------------------------------------------------ asset hooks

    /// @dev The module of `t.tokenType`, before `t` is paid (or released, retried, refunded): reverts unless `t` may be
    /// paid in its asset (a token registered as that kind: `TokenKindMismatch` otherwise, so no other asset is paid
    /// and nothing is recorded) and returns what `t` counts against the asset's handle limits (0: the asset has none).
    /// `klayLimited`: the KLAY limits flag, read with the nonce bookkeeping. A kind no module knows ends here.
    function _requireHandleable(Transfer memory t, bool) internal view virtual returns (uint256) {
        revert InvalidTokenType(t.tokenType);
    }

    /// @dev The module of `t.tokenType`: pays `t` to `to` (its recipient, or its requester on a refund), with the
    /// fixed payout budget (`TokenCalls.PAYOUT_GAS`) when `capped`; reports failure (and what the recipient or the
    /// token returned) instead of reverting. A kind no module knows ends here.
    function _transferTo(Transfer memory t, address, bool) internal virtual returns (bool, bytes memory) {
        revert InvalidTokenType(t.tokenType);
    }

    // ------------------------------------------------------------------ limits and recovery

    /// @dev Counts a request of `amount` of `token` (zero: KLAY) against its limits, or reverts. Called by the asset's
    /// request, only for assets that have limits.
    function _consumeRequestLimit(address token, uint256 amount) internal virtual;

    /// @dev Counts a handle of `amount` of `token` (zero: KLAY) against its limits; false (nothing counted): hold it.
    /// Called only for assets that have limits.
    function _consumeHandleLimit(address token, uint256 amount) internal virtual returns (bool);

    /// @dev After a handle's first payout failed: gives back to today's handle usage what `_consumeHandleLimit`
    /// counted.
    function _returnHandleLimit(address token, uint256 amount) internal virtual;

    /// @dev Records `t` in the recovery ledger as held (above the limits) or failed (its payout failed).
    function _park(Transfer memory t, bool held) internal virtual;
}
