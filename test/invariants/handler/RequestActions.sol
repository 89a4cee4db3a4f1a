// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Bridge} from "../../../contracts/bridge/Bridge.sol";
import {VM} from "../Vm.sol";
import {HandlerModels} from "./HandlerModels.sol";

/// @title RequestActions: users request KLAY and the KIP7 token on either bridge, by every entry point
/// @notice Each request is predicted (running, fee limit, transfer limits, a paused token), and a refused one must
/// change nothing; an accepted one is recorded with its content for the handles, retries and refunds that follow.
abstract contract RequestActions is HandlerModels {
    // ================================================================== actions: requests

    /// @dev Counts `action` and opens it: the side it works on (`sideSeed % 2`) with its model and bridge, its
    /// requester and its recipient (one time in three the switchable contract); `open` is false when the side holds
    /// `MAX_REQUESTS` already: the action does nothing.
    function _openRequest(string memory action, uint256 sideSeed, uint256 userSeed)
        internal
        returns (bool open, uint8 side, OperatorModel storage m, Bridge b, address user, address to)
    {
        _stat(string.concat("action: ", action));
        side = uint8(sideSeed % 2);
        open = _requests(side).length < MAX_REQUESTS;
        m = _model[side];
        b = bridges[side];
        user = users[userSeed % USERS];
        to = _recipientOf(userSeed >> 8);
    }

    /// @notice A user requests KLAY on side `sideSeed % 2`: `requestKLAYTransfer`, or a plain payment. The recipient
    /// is one time in three the switchable contract. A request beyond the side's KLAY limits is refused and changes nothing.
    function requestKLAY(uint256 sideSeed, uint256 userSeed, uint256 amountSeed, uint256 feeSeed) external {
        (bool open, uint8 side, OperatorModel storage m, Bridge b, address user, address to) =
            _openRequest("requestKLAY", sideSeed, userSeed);
        if (!open) return;
        uint256 amount = amountSeed % (MAX_KLAY + 1); // zero now and then: refused
        bool plain = (feeSeed >> 8) % 4 == 0;
        uint256 fee = m.feeOn ? m.klayFee : 0;
        uint256 feeLimit;
        bytes memory data;
        bytes memory extra = abi.encode("klay", _requests(side).length);
        bool expectOk;
        if (plain) {
            // receive(): the request is msg.value - feeOfKLAY for the sender; the fee limit is feeOfKLAY.
            to = user;
            extra = "";
            feeLimit = m.klayFee;
            expectOk = m.running && amount > 0;
        } else {
            feeLimit = feeSeed % 4 == 0 && fee > 0 ? fee - 1 : fee + (feeSeed % 3) * 0.01 ether;
            data = abi.encodeCall(bridges[0].requestKLAYTransfer, (to, amount, extra));
            expectOk = m.running && amount > 0 && feeLimit >= fee;
        }
        bool withinLimits = _requestWithinLimits(side, KLAY, amount);
        expectOk = expectOk && withinLimits;
        uint256 sent = amount + feeLimit;
        VM.deal(user, sent);
        Snapshot memory before = _snapshot(side);
        uint256 receiverBefore = feeReceivers[side].balance;
        uint64 nonceBefore = b.requestNonce();
        uint256 usedBefore = _requestedToday(side, address(0));

        bool ok = _call(user, address(b), sent, data);
        if (!_expectCall(ok, expectOk, "KLAY request")) return;
        if (!ok) {
            _refusedCleanly(side, KLAY, before, nonceBefore, usedBefore);
            if (!withinLimits) _stat("requests refused by limits");
            return;
        }

        if (b.requestNonce() != nonceBefore + 1) _violation("KLAY request did not take one nonce");
        if (address(b).balance != before.klay + amount) _violation("KLAY request locked a wrong amount");
        if (feeReceivers[side].balance != receiverBefore + fee) _violation("KLAY request paid a wrong fee");
        if (user.balance != feeLimit - fee) _violation("KLAY request kept the change");
        feesPaid[side][KLAY] += fee;
        _consumeRequest(side, KLAY, amount);
        _record(side, KLAY, user, to, amount, extra);
    }

    /// @notice A user requests the KIP7 token of side `sideSeed % 2`: approve and `requestERC20Transfer`, a KIP7
    /// `safeTransfer` to the bridge, or (child) the token's one-step `requestValueTransfer`. Refused while the token
    /// is paused or beyond its limits, changing nothing.
    function requestKIP7(uint256 sideSeed, uint256 userSeed, uint256 amountSeed, uint256 feeSeed) external {
        (bool open, uint8 side, OperatorModel storage m, Bridge b, address user, address to) =
            _openRequest("requestKIP7", sideSeed, userSeed);
        if (!open) return;
        address token = tokens[side];
        uint256 fee = m.feeOn ? m.tokenFee : 0;
        uint256 feeLimit = feeSeed % 4 == 0 && fee > 0 ? fee - 1 : fee + (feeSeed % 3) * 1e15;
        bool paused = _paused(side);
        uint256 amount;
        if (side == PARENT) {
            amount = amountSeed % (MAX_TOKEN + 1);
            if (!paused) parentToken.mint(user, amount + feeLimit);
        } else {
            // Child tokens exist only as minted by the child bridge: a user sends back what it received.
            uint256 balance = childToken.balanceOf(user);
            if (balance <= feeLimit) {
                _stat("KIP7 request skipped: no child tokens");
                return;
            }
            amount = amountSeed % (balance - feeLimit + 1);
        }
        bytes memory extra = abi.encode("kip7", _requests(side).length);
        uint256 path = (feeSeed >> 8) % 3;
        bool expectOk = m.running && amount > 0 && feeLimit >= fee;
        bytes memory data;
        uint256 credited = amount;
        if (path == 0) {
            if (!_call(user, token, 0, abi.encodeCall(parentToken.approve, (address(b), amount + feeLimit)))) {
                _violation("approve failed");
                return;
            }
            data = abi.encodeCall(bridges[0].requestERC20Transfer, (token, to, amount, feeLimit, extra));
        } else if (path == 1) {
            // safeTransfer(bridge, amount, abi.encode(to, extra)): the bridge takes the fee out of what arrived.
            data = abi.encodeWithSignature(
                "safeTransfer(address,uint256,bytes)", address(b), amount, abi.encode(to, extra)
            );
            expectOk = m.running && amount > fee;
            credited = expectOk ? amount - fee : amount;
            feeLimit = fee;
        } else if (side == CHILD) {
            data = abi.encodeCall(childToken.requestValueTransfer, (amount, to, feeLimit, extra));
        } else {
            data = abi.encodeCall(bridges[0].requestERC20Transfer, (token, to, amount, feeLimit, extra));
            if (!_call(user, token, 0, abi.encodeCall(parentToken.approve, (address(b), amount + feeLimit)))) {
                _violation("approve failed");
                return;
            }
        }
        address target = path == 0 || (path == 2 && side == PARENT) ? address(b) : token;
        bool withinLimits = _requestWithinLimits(side, KIP7, credited);
        expectOk = expectOk && !paused && withinLimits;

        Snapshot memory before = _snapshot(side);
        uint256 receiverBefore = _tokenBalance(side, feeReceivers[side]);
        uint256 userBefore = _tokenBalance(side, user);
        uint64 nonceBefore = b.requestNonce();
        uint256 usedBefore = _requestedToday(side, token);

        bool ok = _call(user, target, 0, data);
        if (!_expectCall(ok, expectOk, "KIP7 request")) return;
        if (!ok) {
            _refusedCleanly(side, KIP7, before, nonceBefore, usedBefore);
            _stat(paused ? "KIP7 requests refused: paused" : withinLimits ? "KIP7 requests refused" : "requests refused by limits");
            return;
        }

        if (b.requestNonce() != nonceBefore + 1) _violation("KIP7 request did not take one nonce");
        if (_tokenBalance(side, feeReceivers[side]) != receiverBefore + fee) _violation("KIP7 request: wrong fee");
        uint256 spent = path == 1 ? amount : credited + fee;
        if (userBefore != _tokenBalance(side, user) + spent) _violation("KIP7 request: wrong amount taken");
        if (side == PARENT) {
            if (_tokenBalance(side, address(b)) != before.tokenBalance + credited) _violation("KIP7 lock: wrong amount");
        } else {
            if (_tokenBalance(side, address(b)) != before.tokenBalance) _violation("KIP7 burn: bridge kept tokens");
            if (before.childSupply != childToken.totalSupply() + credited) _violation("KIP7 burn: wrong amount burnt");
        }
        feesPaid[side][KIP7] += fee;
        _consumeRequest(side, KIP7, credited);
        _record(side, KIP7, user, to, credited, extra);
    }

    /// @dev After a refused request: no nonce taken, no value moved into or out of the bridge, nothing counted
    /// against the limits.
    function _refusedCleanly(uint8 side, uint8 kind, Snapshot memory before, uint64 nonceBefore, uint256 usedBefore)
        internal
    {
        Snapshot memory after_ = _snapshot(side);
        if (
            bridges[side].requestNonce() != nonceBefore || after_.klay != before.klay
                || after_.tokenBalance != before.tokenBalance || after_.childSupply != before.childSupply
        ) {
            _violation("a refused request changed the bridge");
        }
        address token = kind == KLAY ? address(0) : tokens[side];
        if (_requestedToday(side, token) != usedBefore) _violation("a refused request counted against the limits");
    }

}
