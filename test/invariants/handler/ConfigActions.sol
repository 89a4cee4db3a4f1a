// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Bridge} from "../../../contracts/bridge/Bridge.sol";
import {VM} from "../Vm.sol";
import {HandlerModels} from "./HandlerModels.sol";

/// @title ConfigActions: the owner and the operators configure the bridges; the world around them changes
/// @notice Operators registered and removed, thresholds, fee votes, the fee receiver, running or stopped, liquidity,
/// transfer limits; the tokens paused, the switchable recipient refusing KLAY, a day passing.
abstract contract ConfigActions is HandlerModels {
    // ================================================================== actions: operators and configuration

    /// @notice The owner registers an operator key on side `sideSeed % 2` (refused when it is one already); every
    /// pending recovery approval of the side is void.
    function addOperator(uint256 sideSeed, uint256 opSeed) external {
        _stat("action: addOperator");
        uint8 side = uint8(sideSeed % 2);
        uint256 op = opSeed % KEYS;
        OperatorModel storage m = _model[side];
        bool expectOk = !m.isOp[op];
        bool ok = _call(address(this), address(bridges[side]), 0, abi.encodeCall(bridges[0].registerOperator, (operatorAddrs[op])));
        if (!_expectCall(ok, expectOk, "registerOperator") || !ok) return;
        // The bridge hands out an unused operator bit while one is left (16 bits), else reuses one and drops every
        // pending vote by moving to a new epoch.
        if (m.usedBits < 16) {
            ++m.usedBits;
        } else {
            ++m.epoch;
            m.usedBits = m.count + 1;
        }
        m.isOp[op] = true;
        ++m.generation[op];
        ++m.count;
        ++m.roster; // a new operator set: pending recovery approvals are void
    }

    /// @notice The owner removes an operator key on side `sideSeed % 2` (refused when a threshold would exceed the
    /// operators left); its pending votes stop counting, and every pending recovery approval of the side is void.
    function removeOperator(uint256 sideSeed, uint256 opSeed) external {
        _stat("action: removeOperator");
        uint8 side = uint8(sideSeed % 2);
        uint256 op = opSeed % KEYS;
        OperatorModel storage m = _model[side];
        bool expectOk = m.isOp[op] && m.count - 1 >= m.threshold[0] && m.count - 1 >= m.threshold[1];
        bool ok = _call(address(this), address(bridges[side]), 0, abi.encodeCall(bridges[0].deregisterOperator, (operatorAddrs[op])));
        if (!_expectCall(ok, expectOk, "deregisterOperator") || !ok) return;
        m.isOp[op] = false;
        --m.count;
        ++m.roster; // a new operator set: pending recovery approvals are void
    }

    /// @notice The owner sets the threshold of a vote type on side `sideSeed % 2` to 0..6 (refused unless
    /// 1 <= threshold <= operators).
    function setThreshold(uint256 sideSeed, uint256 typeSeed, uint256 thresholdSeed) external {
        _stat("action: setThreshold");
        uint8 side = uint8(sideSeed % 2);
        uint8 voteType = uint8(typeSeed % 2);
        uint8 threshold = uint8(thresholdSeed % 7);
        OperatorModel storage m = _model[side];
        bool expectOk = threshold >= 1 && threshold <= m.count;
        bool ok = _call(
            address(this), address(bridges[side]), 0, abi.encodeCall(bridges[0].setOperatorThreshold, (voteType, threshold))
        );
        if (!_expectCall(ok, expectOk, "setOperatorThreshold") || !ok) return;
        m.threshold[voteType] = threshold;
    }

    /// @notice An operator key's configuration vote on side `sideSeed % 2`: the KLAY fee or the token fee, one of
    /// five values, at the current configuration nonce (one time in eight a wrong one: refused).
    function voteFee(uint256 sideSeed, uint256 opSeed, uint256 feeSeed, uint256 nonceSeed) external {
        _stat("action: voteFee");
        uint8 side = uint8(sideSeed % 2);
        uint256 op = opSeed % KEYS;
        OperatorModel storage m = _model[side];
        bool klay = feeSeed % 2 == 0;
        uint256 fee = ((feeSeed >> 8) % 5) * (klay ? 0.01 ether : 1e15);
        uint64 nonce = nonceSeed % 8 == 0 ? m.configNonce + 1 : m.configNonce;
        bytes memory data = klay
            ? abi.encodeCall(bridges[0].setKLAYFee, (fee, nonce))
            : abi.encodeCall(bridges[0].setERC20Fee, (tokens[side], fee, nonce));
        bool expectOk = m.isOp[op] && nonce == m.configNonce;
        bool applies = expectOk && _countWith(side, CONFIG_VOTE, nonce, keccak256(data), op) >= m.threshold[CONFIG_VOTE];

        bool ok = _call(operatorAddrs[op], address(bridges[side]), 0, data);
        if (!_expectCall(ok, expectOk, "fee vote") || !ok) return;
        Bridge b = bridges[side];
        if (applies) {
            if (klay) m.klayFee = fee;
            else m.tokenFee = fee;
            ++m.configNonce;
            _stat("fee changes");
        } else {
            _votes[_voteId(side, CONFIG_VOTE, nonce, keccak256(data))][op] = m.generation[op];
        }
        if (b.feeOfKLAY() != m.klayFee || b.feeOfERC20(tokens[side]) != m.tokenFee) {
            _violation(applies ? "fee vote reached the threshold but the fee did not change" : "fee changed below the threshold");
        }
    }

    /// @notice The owner sets or clears the fee receiver of side `sideSeed % 2`.
    function setFeeReceiver(uint256 sideSeed, bool on) external {
        _stat("action: setFeeReceiver");
        uint8 side = uint8(sideSeed % 2);
        bridges[side].setFeeReceiver(on ? feeReceivers[side] : address(0));
        _model[side].feeOn = on;
    }

    /// @notice The owner stops or restarts requests on side `sideSeed % 2`.
    function setRunning(uint256 sideSeed, bool running) external {
        _stat("action: setRunning");
        uint8 side = uint8(sideSeed % 2);
        bridges[side].start(running);
        _model[side].running = running;
    }

    /// @notice Anyone adds KLAY liquidity to side `sideSeed % 2`.
    function fund(uint256 sideSeed, uint256 amountSeed) external {
        _stat("action: fund");
        uint8 side = uint8(sideSeed % 2);
        uint256 amount = amountSeed % (MAX_KLAY + 1);
        VM.deal(address(this), amount);
        bridges[side].chargeWithoutEvent{value: amount}();
        klayFunded[side] += amount;
    }

    // ================================================================== actions: limits, payout failures, time

    /// @notice The owner sets the transfer limits of KLAY or the token on side `sideSeed % 2`, or clears them (all
    /// zero) one time in four. Each of the four is now and then zero (no limit); a minimum above the maximum is
    /// refused.
    function setLimits(uint256 sideSeed, uint256 minSeed, uint256 maxSeed, uint256 dailySeed) external {
        _stat("action: setLimits");
        uint8 side = uint8(sideSeed % 2);
        uint8 kind = uint8((sideSeed >> 8) % 2);
        uint256 unit = kind == KLAY ? MAX_KLAY : MAX_TOKEN;
        uint128 min;
        uint128 max;
        uint128 dailyRequest;
        uint128 dailyHandle;
        if (minSeed % 4 != 0) {
            min = (minSeed >> 8) % 3 == 0 ? 0 : uint128(unit * ((minSeed >> 16) % 12) / 200);
            max = maxSeed % 3 == 0 ? 0 : uint128(unit * (1 + (maxSeed >> 8) % 10) / 20);
            dailyRequest = dailySeed % 3 == 0 ? 0 : uint128(unit * (1 + (dailySeed >> 8) % 16) / 4);
            dailyHandle = (dailySeed >> 16) % 3 == 0 ? 0 : uint128(unit * (1 + (dailySeed >> 24) % 8) / 4);
        }
        bool expectOk = max == 0 || min <= max;
        address token = kind == KLAY ? address(0) : tokens[side];
        bool ok = _call(
            address(this),
            address(bridges[side]),
            0,
            abi.encodeCall(bridges[0].setTransferLimits, (token, min, max, dailyRequest, dailyHandle))
        );
        if (!_expectCall(ok, expectOk, "setTransferLimits") || !ok) return;
        LimitModel storage l = _limits[side][kind];
        (l.min, l.max, l.dailyRequest, l.dailyHandle) = (min, max, dailyRequest, dailyHandle);
        l.on = min != 0 || max != 0 || dailyRequest != 0 || dailyHandle != 0;
        _stat(l.on ? "limits set" : "limits cleared");
    }

    /// @notice The handler pauses or resumes the KIP7 token of side `sideSeed % 2`: while paused, payouts of it fail
    /// (parked as failed), refunds of it and requests of it are refused.
    function setTokenPaused(uint256 sideSeed, bool paused) external {
        _stat("action: setTokenPaused");
        if (sideSeed % 2 == PARENT) parentToken.setPaused(paused);
        else childToken.setPaused(paused);
    }

    /// @notice The switchable recipient refuses or accepts KLAY from now on.
    function setRecipientRefusing(bool refusing) external {
        _stat("action: setRecipientRefusing");
        recipient.setRefusing(refusing);
    }

    /// @notice A day passes: the daily limits start over.
    function nextDay() external {
        _stat("action: nextDay");
        VM.warp(block.timestamp + 1 days);
    }

}
