// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {VM} from "../Vm.sol";
import {BridgeRecovery} from "../../../contracts/bridge/BridgeRecovery.sol";
import {IBridgeTransfers} from "../../../contracts/bridge/interfaces/IBridgeTransfers.sol";
import {ITransferRecovery} from "../../../contracts/bridge/interfaces/ITransferRecovery.sol";
import {IRecoveryLedgerAbi} from "./BridgeAbi.sol";
import {HandlerModels} from "./HandlerModels.sol";

/// @title RecoveryActions: retries, releases, cancellations and refunds of transfers that were not paid
/// @notice Each action aims at a transfer in the state it needs (failed to retry, held to release, parked to cancel,
/// cancelled to refund), and one time in four at one settled otherwise (paid, cancelled, refunded: a second refund, a
/// cancellation after a refund, a retry or a release after a cancellation), which must be refused and move nothing:
/// a short campaign reaches these rare sequences too. The stats count each attempt by the standing of its target.
abstract contract RecoveryActions is HandlerModels {
    // ================================================================== actions: failed and held transfers

    /// @notice Anyone retries a failed transfer (the first from `nonceSeed`, direction `dirSeed % 2` first) on its
    /// destination: paid to its recipient when the recipient or the token accepts now, refused otherwise (it stays
    /// failed). A retry counts against the destination's handle limits: above them it is refused (`RetryAboveLimits`)
    /// and counts only when it pays. One time in five the retry names another recipient: refused, a retry cannot
    /// redirect. One time in four it aims at a transfer settled otherwise (paid, cancelled or refunded), and when
    /// nothing failed it names any transfer: refused.
    function retryTransfer(uint256 dirSeed, uint256 nonceSeed, uint256 callerSeed) external {
        (uint8 dir, uint64 nonce, bool found, bool exists) =
            _aim("retryTransfer", "retry", dirSeed, nonceSeed, 1 << FAILED, callerSeed);
        if (!exists) return;
        uint8 dest = 1 - dir;
        Request storage r = _requests(dir)[nonce];
        IBridgeTransfers.Transfer memory t = _transfer(dir, nonce);
        bool redirect = callerSeed % 5 == 0;
        if (redirect) t.to = t.to == users[0] ? users[1] : users[0];
        // a retry counts against the destination's handle limits: above them it reverts `RetryAboveLimits`
        bool withinLimits = _handleWithinLimits(dest, r.kind, r.value);
        bool expectOk = found && !redirect && withinLimits && _payoutWorks(dest, r.kind, r.to);
        uint256[] memory expected = new uint256[](expectOk ? 1 : 0);
        if (expectOk) expected[0] = _outcome(nonce, PAID);

        (bool ok, bool asExpected) = _recoveryCall(
            dir, users[(callerSeed >> 8) % USERS], abi.encodeCall(IRecoveryLedgerAbi.retryTransfer, (t)), expectOk, expected, "retry"
        );
        if (!asExpected) return;
        if (ok) _consumeHandle(dest, r.kind, r.value);
        _stat(
            ok
                ? "retries paid"
                : !found || redirect ? "retries refused: not failed" : !withinLimits ? "retries refused: above the limits" : "retries refused: fails again"
        );
    }

    /// @notice The owner releases a held transfer (the first from `nonceSeed`, direction `dirSeed % 2` first): paid, or
    /// failed when its payout fails. One time in six a user tries (refused: owner only), one time in six the owner
    /// names another recipient (refused: the owner cannot redirect). One time in four it aims at a transfer settled
    /// otherwise, and when nothing is held it names any transfer: refused.
    function releaseHeld(uint256 dirSeed, uint256 nonceSeed, uint256 callerSeed) external {
        (uint8 dir, uint64 nonce, bool found, bool exists) =
            _aim("releaseHeld", "release", dirSeed, nonceSeed, 1 << HELD, callerSeed);
        if (!exists) return;
        uint8 dest = 1 - dir;
        Request storage r = _requests(dir)[nonce];
        IBridgeTransfers.Transfer memory t = _transfer(dir, nonce);
        uint256 mode = callerSeed % 6;
        if (mode == 1) t.to = t.to == users[0] ? users[1] : users[0];
        bool expectOk = found && mode > 1;
        uint256[] memory expected = new uint256[](expectOk ? 1 : 0);
        if (expectOk) expected[0] = _outcome(nonce, _payoutWorks(dest, r.kind, r.to) ? PAID : FAILED);

        address caller = mode == 0 ? users[(callerSeed >> 8) % USERS] : address(this);
        (bool ok, bool asExpected) = _recoveryCall(
            dir, caller, abi.encodeCall(IRecoveryLedgerAbi.releaseHeldTransfer, (t)), expectOk, expected, "release"
        );
        if (!asExpected) return;
        _stat(ok ? (r.status == PAID ? "releases paid" : "releases failed") : "releases refused");
    }

    /// @notice The destination's operators cancel a parked (failed or held) transfer (the first from `nonceSeed`,
    /// direction `dirSeed % 2` first): one key's approval, every key's in turn until it is cancelled, or the
    /// signatures of a subset of the keys submitted by a user; one time in two, once cancelled, the source's operators
    /// refund it at once (`refundTransfer`). One time in four the same on a transfer settled otherwise (paid,
    /// cancelled, refunded), and when nothing is parked on any transfer: refused.
    function cancelTransfer(uint256 dirSeed, uint256 nonceSeed, uint256 opSeed, uint256 modeSeed) external {
        (uint8 dir, uint64 nonce, bool found, bool exists) =
            _aim("cancelTransfer", "cancellation", dirSeed, nonceSeed, (1 << FAILED) | (1 << HELD), modeSeed);
        if (!exists) return;
        Request storage r = _requests(dir)[nonce];
        _approveRecovery(dir, nonce, found, true, opSeed, modeSeed);
        // one time in two the source's operators refund it at once, as their relayers do once they see it cancelled
        if (found && r.status == CANCELLED && (modeSeed >> 40) % 2 == 0) {
            _stat("refund at once after a cancellation");
            _refund(dir, nonce, opSeed >> 8, modeSeed >> 48);
        }
    }

    /// @notice The source's operators refund a cancelled transfer not refunded yet (the first from `nonceSeed`,
    /// direction `dirSeed % 2` first) to its requester, approved as `cancelTransfer` approves, and once it is paid
    /// submit the approval again (refused). The refund counts against the source's handle limits: above them it
    /// reverts `RefundAboveLimits`, approval and all, and waits for another day or other limits. One time in four
    /// (`modeSeed`) the operators approve a second refund of a request refunded already, by any path (refused:
    /// `AlreadyRefunded`, nothing moves). When no transfer awaits its refund, a dishonest minority: one key approves
    /// the refund of a transfer that was not cancelled (never up to the threshold), or of a request refunded already
    /// or never made (refused).
    function refundTransfer(uint256 dirSeed, uint256 nonceSeed, uint256 opSeed, uint256 modeSeed) external {
        _stat("action: refundTransfer");
        (uint8 dir, uint64 nonce, bool found, bool exists) = _find(dirSeed, nonceSeed, 1 << REFUNDED);
        if (found && (modeSeed >> 32) % 4 == 0) {
            _stat("refund of a refunded request");
            _approveRecovery(dir, nonce, false, false, opSeed, modeSeed);
            return;
        }
        (dir, nonce, found, exists) = _find(dirSeed, nonceSeed, 1 << CANCELLED);
        if (!exists) return;
        _stat(string.concat("refund of a ", _standing(_requests(dir)[nonce]), " request"));
        if (found) {
            _refund(dir, nonce, opSeed, modeSeed);
        } else {
            _dishonestRefund(dir, nonce, opSeed % KEYS, modeSeed);
        }
    }

    /// @dev The honest refund of cancelled request `nonce` of `dir`; once paid, its approval is submitted again at once
    /// by another path (a relayer resubmitting after a restart, or a second relayer): refused, nothing moves.
    function _refund(uint8 dir, uint64 nonce, uint256 opSeed, uint256 modeSeed) internal {
        _approveRecovery(dir, nonce, true, false, opSeed, modeSeed);
        if (!_requests(dir)[nonce].refunded) return;
        _stat("refund of a refunded request");
        _approveRecovery(dir, nonce, false, false, opSeed >> 16, modeSeed >> 16);
    }

    /// @dev Approves the cancellation (`cancel`, on the destination) or the refund (on the source) of request `nonce`
    /// of `dir`, `due` when the honest operators would: by signatures (mode 0), every key in turn (1, 2: until it
    /// takes effect, or all of them when not due), or one key.
    function _approveRecovery(uint8 dir, uint64 nonce, bool due, bool cancel, uint256 opSeed, uint256 modeSeed) internal {
        uint256 mode = modeSeed % 4;
        if (mode == 0) {
            _signedRecovery(dir, nonce, due, cancel, modeSeed >> 8);
        } else if (mode < 3) {
            Request storage r = _requests(dir)[nonce];
            for (uint256 i = 0; i < KEYS; ++i) {
                _recoveryApproval(dir, nonce, due, cancel, (opSeed % KEYS + i) % KEYS);
                if (due && (cancel ? r.status == CANCELLED : r.refunded)) break; // not due: every key is refused
            }
        } else {
            _recoveryApproval(dir, nonce, due, cancel, opSeed % KEYS);
        }
    }

    /// @dev One key's approval (empty signatures) of a cancellation or a refund.
    function _recoveryApproval(uint8 dir, uint64 nonce, bool due, bool cancel, uint256 op) internal {
        uint8 side = cancel ? 1 - dir : dir;
        IRecoveryLedgerAbi rec = _recovery(side);
        IBridgeTransfers.Transfer memory t = cancel ? _transfer(dir, nonce) : _sourceTransfer(dir, nonce);
        bytes32 digest = cancel ? rec.cancelDigest(t) : rec.refundDigest(t);
        (bool expectOk, bool reaches) = _approval(side, digest, op);
        expectOk = expectOk && due;
        reaches = reaches && expectOk;
        bytes memory revertData = cancel ? bytes("") : _alreadyRefunded(dir, nonce);
        if (reaches && !cancel) (expectOk, revertData) = _refundOutcome(dir, nonce); // reverts, approval and all
        bytes memory data = cancel
            ? abi.encodeCall(IRecoveryLedgerAbi.cancelTransfer, (t, ""))
            : abi.encodeCall(IRecoveryLedgerAbi.refundTransfer, (t, ""));
        if (_runRecovery(dir, nonce, cancel, operatorAddrs[op], data, expectOk, reaches, revertData)) {
            _bookApproval(side, digest, op, reaches);
        }
        _checkPendingApprovals(side, digest);
    }

    /// @dev A cancellation or a refund approved by the signatures of a subset of the keys (half the time exactly the
    /// current operators), submitted by a user.
    function _signedRecovery(uint8 dir, uint64 nonce, bool due, bool cancel, uint256 maskSeed) internal {
        uint8 side = cancel ? 1 - dir : dir;
        IRecoveryLedgerAbi rec = _recovery(side);
        IBridgeTransfers.Transfer memory t = cancel ? _transfer(dir, nonce) : _sourceTransfer(dir, nonce);
        bytes32 digest = cancel ? rec.cancelDigest(t) : rec.refundDigest(t);
        uint256 mask = maskSeed % 2 == 0 ? _operatorMask(side) : (maskSeed >> 8) % (1 << KEYS);
        address[] memory signers = _sortedSigners(mask);
        bool expectOk = due && signers.length >= _model[side].threshold[VALUE_VOTE];
        bytes memory signatures;
        for (uint256 i = 0; i < signers.length; ++i) {
            uint256 key = _keyIndex(signers[i]);
            if (!_model[side].isOp[key]) expectOk = false;
            (uint8 v, bytes32 r, bytes32 s) = VM.sign(_keys[key], digest);
            signatures = abi.encodePacked(signatures, r, s, v);
        }
        bytes memory revertData = cancel ? bytes("") : _alreadyRefunded(dir, nonce);
        if (expectOk && !cancel) (expectOk, revertData) = _refundOutcome(dir, nonce);
        bytes memory data = cancel
            ? abi.encodeCall(IRecoveryLedgerAbi.cancelTransfer, (t, signatures))
            : abi.encodeCall(IRecoveryLedgerAbi.refundTransfer, (t, signatures));
        _runRecovery(dir, nonce, cancel, users[maskSeed % USERS], data, expectOk, expectOk, revertData);
    }

    /// @dev A dishonest minority on the source of `dir`: one key approves the refund of request `nonce`, which was not
    /// cancelled (never up to the threshold: the honest majority the bridge assumes), or names a request refunded
    /// already or never made (refused).
    function _dishonestRefund(uint8 dir, uint64 nonce, uint256 op, uint256 modeSeed) internal {
        Request storage r = _requests(dir)[nonce];
        IRecoveryLedgerAbi rec = _recovery(dir);
        IBridgeTransfers.Transfer memory t = _sourceTransfer(dir, nonce);
        bool unknown = modeSeed % 4 == 0;
        if (unknown) t.requestNonce = uint64(_requests(dir).length);
        bytes32 digest = rec.refundDigest(t);
        (bool expectOk, bool reaches) = _approval(dir, digest, op);
        if (unknown || r.refunded) expectOk = false;
        else if (reaches) return;
        bytes memory data = abi.encodeCall(IRecoveryLedgerAbi.refundTransfer, (t, ""));
        bytes memory revertData = unknown ? bytes("") : _alreadyRefunded(dir, nonce);
        if (_runRecovery(dir, nonce, false, operatorAddrs[op], data, expectOk, false, revertData)) {
            _bookApproval(dir, digest, op, false);
        }
        _checkPendingApprovals(dir, digest);
        _stat("dishonest refund approvals");
    }

    /// @dev Calls the recovery ledger of the destination (`cancel`) or the source of `dir` as `sender` with `data`,
    /// checks the outcome with the model (`executes`: the cancellation or the refund of request `nonce` takes
    /// effect; `revertData`, when not empty, the exact reason of an expected revert), books it (a refund counts
    /// against the source's handle limits) and checks that value moved only by a refund, exactly to the requester.
    /// Returns whether the call succeeded.
    function _runRecovery(
        uint8 dir,
        uint64 nonce,
        bool cancel,
        address sender,
        bytes memory data,
        bool expectOk,
        bool executes,
        bytes memory revertData
    ) internal returns (bool ok) {
        uint8 side = cancel ? 1 - dir : dir;
        Request storage r = _requests(dir)[nonce];
        Snapshot memory before = _snapshot(side);
        uint256 fromBefore = r.kind == KLAY ? r.from.balance : _tokenBalance(side, r.from);
        bytes memory returned;
        (ok, returned) = _callReturning(sender, address(_recovery(side)), 0, data);
        if (!_expectCall(ok, expectOk, cancel ? "cancellation" : "refund") || !ok) {
            if (!ok && revertData.length != 0) {
                if (keccak256(returned) != keccak256(revertData)) _violation("refund reverted for another reason than the model's");
                bool again = bytes4(revertData) == ITransferRecovery.AlreadyRefunded.selector;
                _stat(again ? "second refunds refused" : "refunds refused by limits");
            }
            _stat(cancel ? "cancellations refused" : "refunds refused");
            return ok;
        }
        uint256 moved = 0;
        if (executes && cancel) {
            r.status = CANCELLED;
            _stat("cancellations");
        } else if (executes) {
            moved = r.value;
            r.refunded = true;
            _ledger[dir][r.kind].refunded += moved;
            _consumeHandle(side, r.kind, moved);
            _stat("refunds");
        } else {
            _stat(cancel ? "cancel approvals" : "refund approvals");
        }
        Snapshot memory after_ = _snapshot(side);
        uint256 fromAfter = r.kind == KLAY ? r.from.balance : _tokenBalance(side, r.from);
        if (fromAfter != fromBefore + moved) _violation("a refund paid the requester other than the request's value");
        bool klay = r.kind == KLAY;
        bool minted = !klay && side == CHILD;
        if (before.klay != after_.klay + (klay ? moved : 0)) _violation("KLAY left the bridge other than by a refund");
        if (before.tokenBalance != after_.tokenBalance + (klay || minted ? 0 : moved)) {
            _violation("tokens left the bridge other than by a refund");
        }
        if (after_.childSupply != before.childSupply + (minted ? moved : 0)) _violation("tokens minted other than by a refund");
    }

    /// @dev Whether `op`'s approval of `digest` on `side` is accepted (an operator, not approved yet under the current
    /// operator set), and whether it reaches the value-transfer threshold: the approvals still pending (given under
    /// the current operator set; none after any operator change) plus this one.
    function _approval(uint8 side, bytes32 digest, uint256 op) internal view returns (bool expectOk, bool reaches) {
        OperatorModel storage m = _model[side];
        if (!m.isOp[op]) return (false, false);
        uint256 count = 1;
        Approvals storage a = _approvals[digest];
        if (a.roster == m.roster) {
            if (a.approved[op]) return (false, false);
            for (uint256 i = 0; i < KEYS; ++i) {
                if (a.approved[i]) ++count;
            }
        }
        return (true, count >= m.threshold[VALUE_VOTE]);
    }

    /// @dev Books an accepted approval of `digest` on `side`: recorded under the current operator set (those of an
    /// earlier set dropped first), or (reaching the threshold) every approval of `digest` dropped.
    function _bookApproval(uint8 side, bytes32 digest, uint256 op, bool reaches) internal {
        if (reaches) {
            delete _approvals[digest];
            return;
        }
        Approvals storage a = _approvals[digest];
        uint32 roster = _model[side].roster;
        if (a.roster != roster) {
            delete _approvals[digest];
            a.roster = roster;
        }
        a.approved[op] = true;
    }

    /// @dev Checks the approvals of `digest` the ledger of `side` reports pending (`approvalsOf`) against the model's.
    function _checkPendingApprovals(uint8 side, bytes32 digest) internal {
        Approvals storage a = _approvals[digest];
        bool valid = a.roster == _model[side].roster;
        address[] memory listed = _recovery(side).approvalsOf(digest);
        uint256 count = 0;
        for (uint256 i = 0; i < KEYS; ++i) {
            if (valid && a.approved[i]) ++count;
        }
        bool same = listed.length == count;
        for (uint256 i = 0; same && i < listed.length; ++i) {
            uint256 key = _keyIndex(listed[i]);
            same = key < KEYS && a.approved[key];
        }
        if (!same) _violation("pending recovery approvals differ from the model");
    }

    /// @dev Whether the refund of request `nonce` of `dir`, approved, is paid now: within the source's handle limits
    /// (else it reverts `RefundAboveLimits`, returned as `revertData`), and paid: KLAY to the requester (a user)
    /// always, tokens unless the source's token is paused.
    function _refundOutcome(uint8 dir, uint64 nonce) internal view returns (bool works, bytes memory revertData) {
        Request storage r = _requests(dir)[nonce];
        if (!_handleWithinLimits(dir, r.kind, r.value)) {
            return (false, abi.encodeWithSelector(BridgeRecovery.RefundAboveLimits.selector, nonce));
        }
        return (r.kind == KLAY || !_paused(dir), "");
    }

    /// @dev How a refund of request `nonce` of `dir` refunded already reverts, whoever approves it and however
    /// (`AlreadyRefunded`, checked before the approval); empty when it was not refunded.
    function _alreadyRefunded(uint8 dir, uint64 nonce) internal view returns (bytes memory) {
        if (!_requests(dir)[nonce].refunded) return "";
        return abi.encodeWithSelector(ITransferRecovery.AlreadyRefunded.selector, nonce);
    }

    /// @dev Counts `action`, aims it at a transfer in a state of `mask` (or one settled otherwise, see
    /// `_findOrSettled`) and counts the `attempt` by its target's standing.
    function _aim(
        string memory action,
        string memory attempt,
        uint256 dirSeed,
        uint256 nonceSeed,
        uint256 mask,
        uint256 aimSeed
    ) internal returns (uint8 dir, uint64 nonce, bool found, bool exists) {
        _stat(string.concat("action: ", action));
        (dir, nonce, found, exists) = _findOrSettled(dirSeed, nonceSeed, mask, aimSeed);
        if (exists) _stat(string.concat(attempt, " of a ", _standing(_requests(dir)[nonce]), " transfer"));
    }

    /// @dev `caller` calls the destination's recovery ledger of a transfer of direction `dir` with `data`; the handle
    /// outcomes it emits must be `expected`. Returns whether it succeeded, and whether as the model expected (a
    /// violation is recorded otherwise).
    function _recoveryCall(
        uint8 dir,
        address caller,
        bytes memory data,
        bool expectOk,
        uint256[] memory expected,
        string memory what
    ) internal returns (bool ok, bool asExpected) {
        uint8 dest = 1 - dir;
        VM.recordLogs();
        Snapshot memory before = _snapshot(dest);
        ok = _call(caller, address(_recovery(dest)), 0, data);
        uint256[] memory seen = _observeHandles(dir, ok, before);
        asExpected = _expectCall(ok, expectOk, what);
        if (asExpected) _expectOutcomes(seen, expected, string.concat(what, ": outcome differs from the model"));
    }

    /// @dev Where request `r` stands, as the stats name it.
    function _standing(Request storage r) internal view returns (string memory) {
        if (r.refunded) return "refunded";
        uint8 status = r.status;
        if (status == PENDING) return "pending";
        if (status == PAID) return "paid";
        if (status == FAILED) return "failed";
        return status == HELD ? "held" : "cancelled";
    }
}
