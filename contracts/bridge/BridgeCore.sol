// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// External Imports
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

// Internal Imports
import {OperatorVotes} from "../common/OperatorVotes.sol";
import {BridgeHandleNonces} from "./BridgeHandleNonces.sol";
import {IBridgeTransfers} from "./interfaces/IBridgeTransfers.sol";

/// @title BridgeCore: the one flow of every request and every handle, whatever the asset
/// @notice Owns the request sequence (running switch, recipient, the asset's intake, limits, the next request nonce,
/// `RequestValueTransfer`, the asset's settlement) and the handle sequence (the nonce recorded once, the asset's checks,
/// handle limits, the payout, `HandleValueTransfer`, or the transfer parked as held or failed), for the per-operator
/// votes and the signed batches alike. A handle whose payout fails does not revert: the nonce counts as handled,
/// `HandleValueTransferFailed` is emitted instead of `HandleValueTransfer`, and the transfer is parked in the bridge's
/// `TransferRecovery` as failed until it is retried or cancelled (and then refunded on the source bridge). A handle
/// above the destination's limits is parked as held until the owner releases it.
/// @dev Meant to be overridden, one module per asset kind (BridgeKLAY, BridgeKIP7, BridgeKIP17), each answering for its
/// own kind and passing any other kind on to `super`, so that adding an asset kind is one new module and the core names
/// none: `_transferFromSender` (checks a request of the asset and takes its value in), `_afterRequest` (settles the fee
/// and burns, after the event), `_requireHandleable` (checks a handle's asset before it is paid), `_transferTo` (pays
/// value out, reporting failure instead of reverting: `TokenCalls.tryCall`, called after all bookkeeping) and
/// `_limitUnits` (what one transfer counts against the limits). The limits module overrides `_consumeRequestLimit`,
/// `_consumeHandleLimit` and `_returnHandleLimit`; the recovery module overrides `_park`. Do not override `_request`,
/// `_executeHandle` or `_deliver`: they are the flow every asset shares. Entry points are thin adapters that call
/// `_request`, or `_voteValueTransfer` then `_executeHandle`.
abstract contract BridgeCore is OperatorVotes, ReentrancyGuardTransient, BridgeHandleNonces, IBridgeTransfers {
    uint8 internal constant VOTE_VALUE_TRANSFER = 0;
    uint8 internal constant VOTE_CONFIGURATION = 1;

    /// @dev How a request's value reaches the bridge: the entry point takes it from the sender (an approval, or the
    /// call's KLAY), it arrived before a token's hook called the bridge, or it arrived with the fee inside the amount
    /// (a KIP7 `safeTransfer`).
    uint8 internal constant INTAKE_PULL = 0;
    uint8 internal constant INTAKE_ARRIVED = 1;
    uint8 internal constant INTAKE_ARRIVED_FEE_INSIDE = 2;

    /// @dev The version of `encodedData` in `RequestValueTransferEncoded` (Klaytn's 2: an NFT's token URI).
    uint8 internal constant ENCODING_VERSION = 2;

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

    // ------------------------------------------------------------------ request

    /// @dev The request sequence of every asset: requests must be running and name a recipient; the asset's module
    /// checks the request and takes `value` (with `feeLimit`) in from `from` as `intake` says, and says what is
    /// credited and the fee; the credit counts against the asset's request limits; the next nonce is taken (read from
    /// storage here, not from the status copy taken before the intake's external calls) and `RequestValueTransfer`
    /// emitted (`RequestValueTransferEncoded` when the module returns encoded data); then the module settles the fee
    /// and burns.
    function _request(
        TokenType kind,
        address token,
        address from,
        address to,
        uint256 value,
        uint256 feeLimit,
        uint8 intake,
        bytes memory extraData
    ) internal {
        Status memory status = _bridgeStatus;
        if (!status.running) revert BridgeNotRunning();
        if (to == address(0)) revert ZeroRecipient();
        uint256 fee;
        bool limited;
        bytes memory encoded;
        (value, feeLimit, fee, limited, encoded) = _transferFromSender(kind, token, from, value, feeLimit, intake, status);
        if (limited) _consumeRequestLimit(token, _limitUnits(uint8(kind), value));
        uint64 nonce = _bridgeStatus.requestNonce;
        _bridgeStatus.requestNonce = nonce + 1;
        if (encoded.length == 0) {
            emit RequestValueTransfer(kind, from, to, token, value, nonce, fee, extraData);
        } else {
            emit RequestValueTransferEncoded(
                kind, from, to, token, value, nonce, fee, extraData, ENCODING_VERSION, encoded
            );
        }
        _afterRequest(kind, token, from, value, feeLimit, fee, status.feeReceiver);
    }

    /// @dev Decodes the `data = abi.encode(address to, bytes extraData)` of a one-step request (a KIP7 `safeTransfer`,
    /// a KIP17 or ERC721 `safeTransferFrom` to the bridge).
    function _decodeTransferData(bytes calldata data) internal pure returns (address to, bytes memory extraData) {
        if (data.length < 96) revert InvalidTransferData();
        (to, extraData) = abi.decode(data, (address, bytes));
    }

    /// @dev The asset module of `kind`: checks a request of `value` of `token` (zero: KLAY) and takes it in from `from`
    /// as `intake` says. Returns what is credited to the request, the fee limit taken in beside it, the fee due out of
    /// that limit, whether the asset has request limits, and the request's encoded data (empty: none). An unknown kind
    /// reaches this base and is refused.
    function _transferFromSender(TokenType kind, address, address, uint256, uint256, uint8, Status memory)
        internal
        virtual
        returns (uint256, uint256, uint256, bool, bytes memory)
    {
        _refuseKind(uint8(kind));
        return (0, 0, 0, false, "");
    }

    /// @dev The asset module of `kind`, after the request's event (arguments: kind, token, from, credited, fee limit taken
    /// in, fee, fee receiver): pays the fee to the fee receiver, the change back to `from`, and burns what was credited
    /// in mint/burn mode.
    function _afterRequest(TokenType kind, address, address, uint256, uint256, uint256, address) internal virtual {
        _refuseKind(uint8(kind));
    }

    // ------------------------------------------------------------------ handle

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
        bool limited = _requireHandleable(t, klayLimited);
        uint256 units;
        if (limited) {
            units = _limitUnits(t.tokenType, t.valueOrTokenId);
            if (!_consumeHandleLimit(t.tokenAddress, units)) {
                _park(t, true);
                emit TransferHeld(
                    t.requestTxHash, TokenType(t.tokenType), t.from, t.to, t.tokenAddress, t.valueOrTokenId, t.requestNonce
                );
                return;
            }
        }
        (bool paid,) = _deliver(t, lower, true);
        // nothing left the bridge: the handle limits get back what `_consumeHandleLimit` counted
        if (!paid && limited) _returnHandleLimit(t.tokenAddress, units);
    }

    /// @dev Pays `t` out (with the fixed payout budget when `capped`) and emits `HandleValueTransfer`; when the payout
    /// fails, emits `HandleValueTransferFailed` and, when `capped` (the failure is the recipient's or the token's),
    /// parks `t` as failed. Returns whether it was paid and, if not, what the recipient or the token returned.
    function _deliver(Transfer memory t, uint64 lower, bool capped) internal returns (bool paid, bytes memory reason) {
        (paid, reason) = _transferTo(t, t.to, capped);
        if (paid) {
            emit HandleValueTransfer(
                t.requestTxHash,
                TokenType(t.tokenType),
                t.from,
                t.to,
                t.tokenAddress,
                t.valueOrTokenId,
                t.requestNonce,
                lower,
                t.extraData
            );
        } else {
            if (capped) _park(t, false);
            emit HandleValueTransferFailed(
                t.requestTxHash,
                TokenType(t.tokenType),
                t.from,
                t.to,
                t.tokenAddress,
                t.valueOrTokenId,
                t.requestNonce,
                reason
            );
        }
    }

    /// @dev The asset module of `t.tokenType`, before `t` is paid: reverts unless `t` may be paid in its asset (a token
    /// registered as that kind: `TokenKindMismatch` otherwise, so no other asset is paid and nothing is recorded) and
    /// returns whether the asset has handle limits (`klayLimited`: the KLAY flag, read with the nonce bookkeeping).
    /// An unknown kind reaches this base and is refused.
    function _requireHandleable(Transfer memory t, bool) internal view virtual returns (bool) {
        _refuseKind(t.tokenType);
        return false;
    }

    /// @dev The asset module of `t.tokenType`: pays `t` to `to` (its recipient, or its requester on a refund); reports
    /// failure (and what the recipient or the token returned) instead of reverting. `capped`: with the fixed payout
    /// budget (`TokenCalls.PAYOUT_GAS`).
    function _transferTo(Transfer memory t, address, bool) internal virtual returns (bool, bytes memory) {
        _refuseKind(t.tokenType);
        return (false, "");
    }

    /// @dev What a transfer of `valueOrTokenId` of asset `kind` counts against its limits: the amount (an NFT module
    /// overrides: 1).
    function _limitUnits(uint8, uint256 valueOrTokenId) internal pure virtual returns (uint256) {
        return valueOrTokenId;
    }

    /// @dev Reverts with `InvalidTokenType(kind)`: the end of every hook's chain, reached by a kind no module knows.
    function _refuseKind(uint8 kind) private pure {
        bytes4 selector = InvalidTokenType.selector;
        assembly ("memory-safe") {
            // always taken (`kind` fits a byte); stated as a condition so that the compiler's reachability analysis,
            // which sees only this base, does not end every flow that calls a hook here
            if lt(kind, 0x100) {
                mstore(0, selector)
                mstore(4, kind)
                revert(0, 0x24)
            }
        }
    }

    // ------------------------------------------------------------------ limits and recovery

    /// @dev Counts a request of `amount` of `token` (zero: KLAY) against its limits, or reverts. Called only for
    /// assets that have limits.
    function _consumeRequestLimit(address token, uint256 amount) internal virtual;

    /// @dev Counts a handle of `amount` of `token` against its limits; false (nothing counted): hold it. Called only
    /// for assets that have limits.
    function _consumeHandleLimit(address token, uint256 amount) internal virtual returns (bool);

    /// @dev After a handle's first payout failed: gives back to today's handle usage what `_consumeHandleLimit`
    /// counted.
    function _returnHandleLimit(address token, uint256 amount) internal virtual;

    /// @dev Records `t` in the recovery ledger as held (above the limits) or failed (its payout failed).
    function _park(Transfer memory t, bool held) internal virtual;
}
