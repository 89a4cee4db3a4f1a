// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// External Imports
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {BitMaps} from "@openzeppelin/contracts/utils/structs/BitMaps.sol";

// Internal Imports
import {OperatorVotes} from "../common/OperatorVotes.sol";
import {IBridgeTransfers} from "./interfaces/IBridgeTransfers.sol";
import {IBridgeFees} from "./interfaces/IBridgeFees.sol";

/// @title BridgeCore: the one execution core of every request and handle
/// @notice Holds the request nonce, the handle nonce bookkeeping Klaytn's relayers read (`lowerHandleNonce`,
/// `upperHandleNonce`, `handleNoncesToBlockNums`, `recoveryBlockNumber`), the running switch and the operator votes.
/// Every handle, whatever path brought it (per-operator votes or, later, signed batches), goes through
/// `_executeHandle`, which executes a request nonce at most once.
/// @dev Asset modules override exactly three hooks, which move value out of the bridge on the destination chain:
/// `_payoutKLAY`, `_payoutKIP7`, `_payoutKIP17`. They are called after all bookkeeping (checks-effects-interactions)
/// and must revert when the payout fails. Request entry points of the modules call `_beginRequest` for the common
/// checks and `_emitRequest` / `_emitRequestEncoded` to take the next nonce.
abstract contract BridgeCore is OperatorVotes, ReentrancyGuardTransient, IBridgeTransfers, IBridgeFees {
    using BitMaps for BitMaps.BitMap;

    uint8 internal constant VOTE_VALUE_TRANSFER = 0;
    uint8 internal constant VOTE_CONFIGURATION = 1;

    /// @dev How far one handle moves `lowerHandleNonce` at most (Klaytn's bound).
    uint64 internal constant LOWER_NONCE_STEP = 200;

    /// @dev Request-side state, one slot: read once and written once per request.
    struct Status {
        address feeReceiver;
        uint64 requestNonce;
        bool running;
        bool klayLocked;
    }

    /// @dev Handle-side bookkeeping, one slot.
    struct HandleNonces {
        uint64 lower;
        uint64 upper;
        uint64 recoveryBlock;
    }

    /// @dev One transfer to execute on this chain, as the counterpart bridge requested it.
    struct HandleRequest {
        bytes32 requestTxHash;
        TokenType tokenType;
        address from;
        address to;
        address tokenAddress;
        uint256 valueOrTokenId;
        uint64 requestNonce;
        uint64 requestBlockNumber;
        string tokenURI;
        bytes extraData;
    }

    /// @notice Whether this bridge mints and burns tokens (true) or locks and releases them (false). KLAY is always
    /// locked and released.
    bool public immutable modeMintBurn;

    Status internal _bridgeStatus;
    HandleNonces private _nonces;

    /// @notice The nonce the next configuration vote (`setKLAYFee`, `setERC20Fee`) must name.
    uint64 public configurationNonce;

    /// @notice Request transactions whose transfer was executed here by the per-operator votes (Klaytn's path).
    mapping(bytes32 => bool) public handledRequestTx;

    /// @dev Request nonces executed ahead of `lowerHandleNonce` (bits below it are stale and never read).
    BitMaps.BitMap private _handledAhead;
    mapping(uint64 => uint64) private _blockOfHandledAhead;

    constructor(bool _modeMintBurn) {
        modeMintBurn = _modeMintBurn;
        _bridgeStatus.running = true;
        _nonces.recoveryBlock = 1;
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

    /// @notice The lowest request nonce of the counterpart bridge not yet handled here; all below it are handled.
    function lowerHandleNonce() external view returns (uint64) {
        return _nonces.lower;
    }

    /// @notice The highest request nonce of the counterpart bridge handled here.
    function upperHandleNonce() external view returns (uint64) {
        return _nonces.upper;
    }

    /// @notice The request block number of the last nonce `lowerHandleNonce` passed: where recovery starts reading.
    function recoveryBlockNumber() external view returns (uint64) {
        return _nonces.recoveryBlock;
    }

    /// @notice The request block number of a nonce handled ahead of `lowerHandleNonce` (0 otherwise).
    function handleNoncesToBlockNums(uint64 nonce) external view returns (uint64) {
        return nonce >= _nonces.lower ? _blockOfHandledAhead[nonce] : 0;
    }

    /// @notice Whether the vote of `nonce` is closed and `lowerHandleNonce` has not passed it yet (Klaytn semantics:
    /// a nonce below `lowerHandleNonce` reads false, and is refused by `NonceAlreadyPassed`).
    function closedValueTransferVotes(uint64 nonce) external view returns (bool) {
        return nonce >= _nonces.lower && _handledAhead.get(nonce);
    }

    /// @notice Whether request `nonce` of the counterpart bridge was executed here, by either path.
    function isHandled(uint64 nonce) public view returns (bool) {
        return nonce < _nonces.lower || _handledAhead.get(nonce);
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

    /// @dev The caller's vote for the exact call data of a configuration change at `nonce`.
    function _voteConfiguration(uint64 nonce) internal returns (bool) {
        _operatorBit(msg.sender);
        uint64 expected = configurationNonce;
        if (nonce != expected) revert ConfigurationNonceMismatch(nonce, expected);
        if (!_castVote(VOTE_CONFIGURATION, nonce, keccak256(msg.data))) return false;
        configurationNonce = expected + 1;
        return true;
    }

    function _requireNotHandled(uint64 nonce) internal view {
        uint64 lower = _nonces.lower;
        if (nonce < lower) revert NonceAlreadyPassed(nonce, lower);
        if (_handledAhead.get(nonce)) revert VoteClosed(nonce);
    }

    // ------------------------------------------------------------------ handle

    /// @dev Executes `r` once: records the nonce, emits `HandleValueTransfer`, then pays out. The caller has
    /// checked that the nonce is not handled and that enough operators approved exactly `r`. The per-operator path
    /// also records `handledRequestTx` (Klaytn's view); the signed path leaves that 20,000-gas slot out: its
    /// readers have `isHandled(nonce)` on chain and the request tx hash in `HandleValueTransfer`.
    function _executeHandle(HandleRequest memory r, bool recordRequestTx) internal {
        if (r.to == address(0)) revert ZeroRecipient();
        if (recordRequestTx) handledRequestTx[r.requestTxHash] = true;
        uint64 lower = _recordHandled(r.requestNonce, r.requestBlockNumber);
        emit HandleValueTransfer(
            r.requestTxHash,
            r.tokenType,
            r.from,
            r.to,
            r.tokenAddress,
            r.valueOrTokenId,
            r.requestNonce,
            lower,
            r.extraData
        );
        if (r.tokenType == TokenType.KLAY) _payoutKLAY(r.to, r.valueOrTokenId);
        else if (r.tokenType == TokenType.ERC20) _payoutKIP7(r.tokenAddress, r.to, r.valueOrTokenId);
        else _payoutKIP17(r.tokenAddress, r.to, r.valueOrTokenId, r.tokenURI);
    }

    /// @dev Klaytn's `_updateHandleNonce`, without its storage churn: a nonce handled in order moves
    /// `lowerHandleNonce` (and over the nonces handled ahead of it, at most `LOWER_NONCE_STEP`) without being
    /// written; only a nonce handled ahead is remembered, with its block number. Returns the new lower nonce.
    function _recordHandled(uint64 nonce, uint64 blockNumber) private returns (uint64) {
        HandleNonces memory n = _nonces;
        if (nonce > n.upper) n.upper = nonce;
        uint64 limit = n.lower + LOWER_NONCE_STEP;
        if (limit > n.upper) limit = n.upper;
        uint64 i = n.lower;
        while (i <= limit) {
            if (i == nonce) {
                n.recoveryBlock = blockNumber;
            } else if (_handledAhead.get(i)) {
                n.recoveryBlock = _blockOfHandledAhead[i];
                delete _blockOfHandledAhead[i];
            } else {
                break;
            }
            ++i;
        }
        if (nonce >= i) {
            _handledAhead.set(nonce);
            _blockOfHandledAhead[nonce] = blockNumber;
        }
        n.lower = i;
        _nonces = n;
        return i;
    }

    /// @dev Sends `value` KLAY to `to`. Reverts when it fails.
    function _payoutKLAY(address to, uint256 value) internal virtual;

    /// @dev Releases (lock mode) or mints (mint/burn mode) `value` of `token` to `to`. Reverts when it fails.
    function _payoutKIP7(address token, address to, uint256 value) internal virtual;

    /// @dev Releases (lock mode) or mints (mint/burn mode) NFT `tokenId` of `token` to `to`. Reverts when it fails.
    function _payoutKIP17(address token, address to, uint256 tokenId, string memory tokenURI) internal virtual;

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
