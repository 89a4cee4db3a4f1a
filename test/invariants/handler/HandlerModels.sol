// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Vm, VM} from "../Vm.sol";
import {IBridgeTransfers} from "../../../contracts/bridge/interfaces/IBridgeTransfers.sol";
import {HandlerFixture} from "./HandlerFixture.sol";

/// @title HandlerModels: what the bridges should answer, and what their events say they did
/// @notice The operator-vote model (which votes count, when a handle reaches the threshold), the handle outcome
/// (paid, failed or held under the transfer limits), the limit model and its daily usage, and the parsing of the
/// handle events an action caused, which books each outcome in the ghost state and checks the value that moved.
abstract contract HandlerModels is HandlerFixture {
    bytes32 internal immutable HANDLE_TOPIC = IBridgeTransfers.HandleValueTransfer.selector;
    bytes32 internal immutable FAILED_TOPIC = IBridgeTransfers.HandleValueTransferFailed.selector;
    bytes32 internal immutable HELD_TOPIC = IBridgeTransfers.TransferHeld.selector;

    /// @dev The votes of current operators for (vote type, nonce, content) on `side`, counting `op`'s own.
    function _countWith(uint8 side, uint8 voteType, uint64 nonce, bytes32 content, uint256 op)
        internal
        view
        returns (uint256 count)
    {
        OperatorModel storage m = _model[side];
        uint32[KEYS] storage cast = _votes[_voteId(side, voteType, nonce, content)];
        for (uint256 i = 0; i < KEYS; ++i) {
            if (m.isOp[i] && (i == op || cast[i] == m.generation[i])) ++count;
        }
    }

    function _voteId(uint8 side, uint8 voteType, uint64 nonce, bytes32 content) internal view returns (bytes32) {
        return keccak256(abi.encode(side, voteType, _model[side].epoch, nonce, content));
    }

    /// @dev What handling request `nonce` of `dir` does now: held when above the destination's handle limits (else
    /// counted against them in `lm`), paid when the recipient and the token accept, failed otherwise.
    function _predictHandle(uint8 dir, uint64 nonce, LimitModel[2] memory lm) internal view returns (uint8) {
        Request storage r = _requests(dir)[nonce];
        LimitModel memory l = lm[r.kind];
        bool works = _payoutWorks(1 - dir, r.kind, r.to);
        if (l.on) {
            uint256 used = _usedToday(l.handles);
            if ((l.max != 0 && r.value > l.max) || (l.dailyHandle != 0 && used + r.value > l.dailyHandle)) return HELD;
            // only value that leaves counts: a payout that fails gives its amount back at once
            if (works) l.handles = DailyUse(_today(), used + r.value);
        }
        return works ? PAID : FAILED;
    }

    /// @dev Whether a payout of `kind` to `to` by the bridge of `side` succeeds now (the bridges never lack KLAY: an
    /// invariant checks that they cover what they owe).
    function _payoutWorks(uint8 side, uint8 kind, address to) internal view returns (bool) {
        if (kind == KLAY) return to != address(recipient) || !recipient.refusing();
        return !_paused(side);
    }

    /// @dev Parses the `HandleValueTransfer`, `HandleValueTransferFailed` and `TransferHeld` events this action caused
    /// on the destination of `dir` (none when the call reverted), checks each against its request and what it
    /// changed, books it (status, payouts, value released) and checks that the value that left the bridge is what was
    /// paid. Returns the outcomes in event order, as `_outcome(nonce, status)`.
    function _observeHandles(uint8 dir, bool ok, Snapshot memory before) internal returns (uint256[] memory seen) {
        Vm.Log[] memory logs = VM.getRecordedLogs();
        if (!ok) return new uint256[](0);
        uint8 dest = 1 - dir;
        seen = new uint256[](logs.length);
        uint256 n = 0;
        uint256[2] memory moved;
        Request[] storage reqs = _requests(dir);
        for (uint256 i = 0; i < logs.length; ++i) {
            Vm.Log memory log = logs[i];
            if (log.emitter != address(bridges[dest]) || log.topics.length != 4) continue;
            bytes32 topic = log.topics[0];
            uint8 outcome = topic == HANDLE_TOPIC ? PAID : topic == FAILED_TOPIC ? FAILED : topic == HELD_TOPIC ? HELD : PENDING;
            if (outcome == PENDING) continue;
            (, uint8 tokenType, uint256 value, uint64 nonce) = abi.decode(log.data, (bytes32, uint8, uint256, uint64));
            if (nonce >= reqs.length) {
                _violation("handled a nonce that was never requested");
                continue;
            }
            Request storage r = reqs[nonce];
            address from = address(uint160(uint256(log.topics[1])));
            address to = address(uint160(uint256(log.topics[2])));
            address token = address(uint160(uint256(log.topics[3])));
            if (
                tokenType != r.kind || value != r.value || from != r.from || to != r.to
                    || token != (r.kind == KLAY ? address(0) : tokens[dest])
            ) {
                _violation("handled content differs from the request");
            }
            uint8 prior = r.status;
            if (outcome == PAID) {
                if (prior == PAID || prior == CANCELLED) _violation("paid a transfer paid or cancelled already");
                if (++r.executions > 1) _violation("a nonce executed twice");
                uint8 kind = tokenType == 0 ? KLAY : KIP7;
                _ledger[dir][kind].released += value;
                moved[kind] += value;
                _stat("handles paid");
            } else if (outcome == FAILED) {
                if (prior != PENDING && prior != HELD) _violation("failed a transfer neither pending nor held");
                _stat("handles failed");
            } else {
                if (prior != PENDING) _violation("held a transfer handled already");
                _stat("handles held");
            }
            r.status = outcome;
            seen[n++] = _outcome(nonce, outcome);
        }
        assembly ("memory-safe") {
            mstore(seen, n)
        }
        Snapshot memory after_ = _snapshot(dest);
        if (before.klay != after_.klay + moved[KLAY]) _violation("KLAY left the bridge other than by its payouts");
        if (dest == PARENT) {
            if (before.tokenBalance != after_.tokenBalance + moved[KIP7]) _violation("tokens left the bridge other than by its payouts");
        } else {
            if (after_.childSupply != before.childSupply + moved[KIP7]) _violation("tokens minted other than by payouts");
        }
    }

    function _outcome(uint64 nonce, uint8 status) internal pure returns (uint256) {
        return (uint256(nonce) << 8) | status;
    }

    function _expectOutcomes(uint256[] memory seen, uint256[] memory expected, string memory what) internal {
        bool same = seen.length == expected.length;
        for (uint256 i = 0; same && i < seen.length; ++i) {
            same = seen[i] == expected[i];
        }
        if (!same) _violation(what);
    }

    // ================================================================== internals: choosing a request

    /// @dev The first request from `seed` whose status is in `mask` (`REFUNDED` for a cancelled request refunded on
    /// its source, `CANCELLED` for one not refunded yet), in direction `dirSeed % 2` or else the other; when there is
    /// none, request `seed` of direction `dirSeed % 2` and false (`exists` false when that direction has no request).
    function _find(uint256 dirSeed, uint256 seed, uint256 mask)
        internal
        view
        returns (uint8 dir, uint64 nonce, bool found, bool exists)
    {
        for (uint256 d = 0; d < 2; ++d) {
            uint8 dd = uint8((dirSeed % 2 + d) % 2);
            Request[] storage reqs = _requests(dd);
            uint256 n = reqs.length;
            for (uint256 k = 0; k < n; ++k) {
                uint256 i = (seed % n + k) % n;
                Request storage r = reqs[i];
                if (mask & (1 << (r.refunded ? REFUNDED : r.status)) != 0) return (dd, uint64(i), true, true);
            }
        }
        dir = uint8(dirSeed % 2);
        uint256 count = _requests(dir).length;
        if (count != 0) return (dir, uint64(seed % count), false, true);
    }

    /// @dev `_find` for an action on a parked transfer (`mask`), which one time in four (`aimSeed`) aims at a request
    /// settled otherwise (paid, cancelled or refunded), returned as not `found` (the action must be refused): a second
    /// cancellation, a cancellation or a retry after a refund, a release after a cancellation.
    function _findOrSettled(uint256 dirSeed, uint256 seed, uint256 mask, uint256 aimSeed)
        internal
        view
        returns (uint8 dir, uint64 nonce, bool found, bool exists)
    {
        if ((aimSeed >> 32) % 4 == 0) {
            uint256 settled = (1 << PAID) | (1 << CANCELLED) | (1 << REFUNDED);
            (dir, nonce, found, exists) = _find(dirSeed, seed, settled);
            if (found) return (dir, nonce, false, true);
        }
        return _find(dirSeed, seed, mask);
    }

    // ================================================================== internals: limits

    function _limitsOf(uint8 side) internal view returns (LimitModel[2] memory lm) {
        lm[0] = _limits[side][0];
        lm[1] = _limits[side][1];
    }

    function _commitLimits(uint8 side, LimitModel[2] memory lm) internal {
        _limits[side][0] = lm[0];
        _limits[side][1] = lm[1];
    }

    /// @dev Whether a request of `amount` of `kind` on `side` is within the side's limits (always, without limits).
    function _requestWithinLimits(uint8 side, uint8 kind, uint256 amount) internal view returns (bool) {
        LimitModel storage l = _limits[side][kind];
        if (!l.on) return true;
        uint256 used = _usedToday(l.requests);
        if (amount < l.min || (l.max != 0 && amount > l.max)) return false;
        return l.dailyRequest == 0 || used + amount <= l.dailyRequest;
    }

    /// @dev Whether `amount` of `kind` paid out by `side` (a refund) is within its handle limits (always, without
    /// limits): the bridge's handle-limits check (`_requireHandleable`, then `_consumeHandleLimit`), as `_predictHandle`
    /// models it for a handle.
    function _handleWithinLimits(uint8 side, uint8 kind, uint256 amount) internal view returns (bool) {
        LimitModel storage l = _limits[side][kind];
        if (!l.on) return true;
        uint256 used = _usedToday(l.handles);
        return (l.max == 0 || amount <= l.max) && (l.dailyHandle == 0 || used + amount <= l.dailyHandle);
    }

    /// @dev Counts `amount` of `kind` paid out by `side` against today's handle usage (nothing without limits).
    function _consumeHandle(uint8 side, uint8 kind, uint256 amount) internal {
        LimitModel storage l = _limits[side][kind];
        if (l.on) l.handles = DailyUse(_today(), _usedToday(l.handles) + amount);
    }

    /// @dev Counts a request of `amount` of `kind` on `side` against today's request usage (nothing without limits).
    function _consumeRequest(uint8 side, uint8 kind, uint256 amount) internal {
        LimitModel storage l = _limits[side][kind];
        if (l.on) l.requests = DailyUse(_today(), _usedToday(l.requests) + amount);
    }

    function _record(uint8 dir, uint8 kind, address from, address to, uint256 value, bytes memory extra) internal {
        Request[] storage reqs = _requests(dir);
        reqs.push(
            Request({
                kind: kind,
                from: from,
                to: to,
                value: value,
                blockNumber: uint64(block.number + reqs.length * 3 + 1), // distinct, so recovery bookkeeping shows
                txHash: keccak256(abi.encode("request tx", dir, reqs.length)),
                extraData: extra,
                executions: 0,
                status: PENDING,
                refunded: false
            })
        );
        _ledger[dir][kind].requested += value;
        _stat(kind == KLAY ? "KLAY requests" : "KIP7 requests");
    }

    /// @dev The per-operator vote calldata for request `nonce` of `dir`; `wrong` 1: another value, 2: another recipient.
    function _voteCalldata(uint8 dir, uint64 nonce, uint256 wrong) internal view returns (bytes memory) {
        Request storage r = _requests(dir)[nonce];
        uint256 value = wrong == 1 ? r.value + 1 : r.value;
        address to = wrong == 2 ? (r.to == users[0] ? users[1] : users[0]) : r.to;
        if (r.kind == KLAY) {
            return abi.encodeCall(bridges[0].handleKLAYTransfer, (r.txHash, r.from, to, value, nonce, r.blockNumber, r.extraData));
        }
        return abi.encodeCall(
            bridges[0].handleERC20Transfer, (r.txHash, r.from, to, tokens[1 - dir], value, nonce, r.blockNumber, r.extraData)
        );
    }
}
