// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// External Imports
import {BitMaps} from "@openzeppelin/contracts/utils/structs/BitMaps.sol";

// Internal Imports
import {IBridgeHandleNonces} from "./interfaces/IBridgeHandleNonces.sol";

/// @title BridgeHandleNonces: which request nonces of the counterpart bridge were executed here
/// @notice Klaytn's handle bookkeeping (`lowerHandleNonce`, `upperHandleNonce`, `handleNoncesToBlockNums`,
/// `recoveryBlockNumber`), so that Klaytn's relayers find what is missing, without its storage churn: a nonce handled in
/// order is never written; only a nonce handled ahead of `lowerHandleNonce` is remembered, with its block number.
/// @dev The execution core records each handle with `_recordHandled` and refuses a handled nonce with
/// `_requireNotHandled`. The slot also carries the KLAY handle-limits flag, so that a KLAY handle reads it for free.
abstract contract BridgeHandleNonces is IBridgeHandleNonces {
    using BitMaps for BitMaps.BitMap;

    /// @dev How far one handle moves `lowerHandleNonce` at most (Klaytn's bound).
    uint64 internal constant LOWER_NONCE_STEP = 200;

    /// @dev Handle-side bookkeeping, one slot.
    struct HandleNonces {
        uint64 lower;
        uint64 upper;
        uint64 recoveryBlock;
        bool klayHandleLimited; // KLAY has transfer limits: handles consult them (BridgeLimits)
    }

    HandleNonces internal _nonces;

    /// @dev Request nonces executed ahead of `lowerHandleNonce` (bits below it are stale and never read).
    BitMaps.BitMap private _handledAhead;
    mapping(uint64 => uint64) private _blockOfHandledAhead;

    constructor() {
        _nonces.recoveryBlock = 1;
    }

    /// @inheritdoc IBridgeHandleNonces
    function lowerHandleNonce() external view returns (uint64) {
        return _nonces.lower;
    }

    /// @inheritdoc IBridgeHandleNonces
    function upperHandleNonce() external view returns (uint64) {
        return _nonces.upper;
    }

    /// @inheritdoc IBridgeHandleNonces
    function recoveryBlockNumber() external view returns (uint64) {
        return _nonces.recoveryBlock;
    }

    /// @inheritdoc IBridgeHandleNonces
    function handleNoncesToBlockNums(uint64 nonce) external view returns (uint64) {
        return nonce >= _nonces.lower ? _blockOfHandledAhead[nonce] : 0;
    }

    /// @notice Whether the vote of `nonce` is closed and `lowerHandleNonce` has not passed it yet (Klaytn semantics:
    /// a nonce below `lowerHandleNonce` reads false, and is refused by `NonceAlreadyPassed`).
    function closedValueTransferVotes(uint64 nonce) external view returns (bool) {
        return nonce >= _nonces.lower && _handledAhead.get(nonce);
    }

    /// @notice Whether request `nonce` of the counterpart bridge was executed here, by either path.
    /// @dev No nonce above `upperHandleNonce` is handled: the bitmap is read only between the two, so a handle in
    /// order reads no bitmap word.
    function isHandled(uint64 nonce) public view returns (bool) {
        HandleNonces memory n = _nonces;
        return nonce < n.lower || (nonce <= n.upper && _handledAhead.get(nonce));
    }

    /// @dev Reverts when `nonce` was handled: `NonceAlreadyPassed` below `lowerHandleNonce`, `VoteClosed` above it.
    function _requireNotHandled(uint64 nonce) internal view {
        HandleNonces memory n = _nonces;
        if (nonce < n.lower) revert NonceAlreadyPassed(nonce, n.lower);
        if (nonce <= n.upper && _handledAhead.get(nonce)) revert VoteClosed(nonce);
    }

    /// @dev Klaytn's `_updateHandleNonce`, without its storage churn: a nonce handled in order moves
    /// `lowerHandleNonce` (and over the nonces handled ahead of it, at most `LOWER_NONCE_STEP`) without being
    /// written; only a nonce handled ahead is remembered, with its block number. Returns the new lower nonce and the
    /// KLAY limits flag that shares the slot.
    function _recordHandled(uint64 nonce, uint64 blockNumber) internal returns (uint64, bool) {
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
        // One SSTORE of the whole slot (the compiler writes a struct member by member): `HandleNonces` packs lower,
        // upper and recoveryBlock from the low-order end, then the flag.
        uint256 word = uint256(i) | (uint256(n.upper) << 64) | (uint256(n.recoveryBlock) << 128);
        if (n.klayHandleLimited) word |= 1 << 192;
        assembly ("memory-safe") {
            sstore(_nonces.slot, word)
        }
        return (i, n.klayHandleLimited);
    }
}
