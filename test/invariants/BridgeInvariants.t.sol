// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Bridge} from "../../contracts/bridge/Bridge.sol";
import {TransferLimits} from "../../contracts/bridge/TransferLimits.sol";
import {TransferRecovery} from "../../contracts/bridge/TransferRecovery.sol";
import {ITransferLimits} from "../../contracts/bridge/interfaces/ITransferLimits.sol";
import {ITransferRecovery} from "../../contracts/bridge/interfaces/ITransferRecovery.sol";
import {BridgeHandler} from "./BridgeHandler.sol";
import {CampaignStats} from "./CampaignStats.sol";

/// @title Invariants of a parent / child bridge pair under random sequences of requests, handles (votes and signed
/// batches), replays, payouts that fail, retries, cancellations, refunds, transfer limits and held transfers,
/// operator changes, threshold changes and fee votes
/// @notice Run counts come from the Solidity test profiles in `hardhat.config.ts`: a short campaign inside
/// `npm test`, at least 10,000 runs per invariant in `npm run test:invariants`. The only fuzzed contract is the
/// handler (`targetContracts`); see `BridgeHandler.sol` for the actions and their ghost accounting.
/// `npm run test:invariants` prints how often each action and each notable branch ran (`afterInvariant`).
contract BridgeInvariantsTest {
    uint8 internal constant PARENT = 0;
    uint8 internal constant CHILD = 1;
    uint8 internal constant KLAY = 0;
    uint8 internal constant KIP7 = 1;

    // Where a request stands on its destination (BridgeHandler's statuses).
    uint8 internal constant PENDING = 0;
    uint8 internal constant PAID = 1;
    uint8 internal constant FAILED = 2;
    uint8 internal constant HELD = 3;
    uint8 internal constant CANCELLED = 4;

    BridgeHandler internal handler;

    /// @dev Value of requests by where they stand, per direction and asset.
    struct Standing {
        uint256 pending; // not handled
        uint256 paid; // paid on the destination
        uint256 parked; // failed or held, not cancelled
        uint256 cancelledOpen; // cancelled, not refunded yet
        uint256 refunded; // cancelled and refunded
    }

    function setUp() public {
        handler = new BridgeHandler();
    }

    /// @notice The fuzzer calls the handler only, never the bridges or tokens it deployed.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @notice After each sequence: its counts of actions and branches, for the campaign's stats (`CampaignStats`).
    function afterInvariant() public {
        CampaignStats.record(handler);
    }

    /// @notice For KLAY and KIP7 in both directions, value locked or burnt on the source equals value released or
    /// minted on the destination plus what is pending (requested, not handled: read from the destination bridge),
    /// parked (failed or held, not cancelled), cancelled and not refunded yet, and refunded; the value refunded to
    /// requesters (observed as it moved) equals the value of the cancelled transfers refunded, and the value released
    /// (observed) that of the transfers paid. The bridges' real KLAY balances and the parent tokens locked against
    /// the child token's supply agree with that ledger; every bridge holds at least what it may still pay out
    /// (pending and parked handles, refunds of cancelled transfers); fees reached the fee receivers.
    function invariant_valueConserved() public view {
        Bridge parent = handler.bridges(PARENT);
        Bridge child = handler.bridges(CHILD);
        Standing[2][2] memory st; // [direction][asset]
        for (uint8 dir = 0; dir < 2; ++dir) {
            Bridge dest = dir == 0 ? child : parent;
            uint256 count = handler.requestCount(dir);
            for (uint64 n = 0; n < count; ++n) {
                (uint8 kind, uint256 value,,, uint8 status, bool refunded) = handler.request(dir, n);
                Standing memory s = st[dir][kind];
                require(dest.isHandled(n) == (status != PENDING), "isHandled differs from the transfers handled");
                if (status == PENDING) s.pending += value;
                else if (status == PAID) s.paid += value;
                else if (status == FAILED || status == HELD) s.parked += value;
                else if (refunded) s.refunded += value;
                else s.cancelledOpen += value;
                require(!refunded || status == CANCELLED, "a transfer not cancelled was refunded");
            }
            for (uint8 kind = 0; kind < 2; ++kind) {
                Standing memory s = st[dir][kind];
                (uint256 requested, uint256 released, uint256 refunded) = handler.ledger(dir, kind);
                require(
                    requested == released + s.pending + s.parked + s.cancelledOpen + refunded,
                    "requested != released + pending + parked + cancelled + refunded"
                );
                require(refunded == s.refunded, "value refunded != value of the cancelled transfers refunded");
                require(released == s.paid, "value released != value of the transfers paid");
            }
        }
        (uint256 klayReq0, uint256 klayRel0, uint256 klayRef0) = handler.ledger(0, KLAY);
        (uint256 klayReq1, uint256 klayRel1, uint256 klayRef1) = handler.ledger(1, KLAY);
        require(
            address(parent).balance + klayRel1 + klayRef0 == handler.klayFunded(PARENT) + klayReq0,
            "parent bridge KLAY balance != liquidity + locked - released - refunded"
        );
        require(
            address(child).balance + klayRel0 + klayRef1 == handler.klayFunded(CHILD) + klayReq1,
            "child bridge KLAY balance != liquidity + locked - released - refunded"
        );
        // Parent tokens locked in the parent bridge back the child tokens in circulation and those not settled yet.
        uint256 locked = handler.parentToken().balanceOf(address(parent));
        require(
            locked == handler.childToken().totalSupply() + _unsettled(st[0][KIP7]) + _unsettled(st[1][KIP7]),
            "parent tokens locked != child supply + not settled"
        );
        require(
            address(parent).balance >= _owedByDestination(st[1][KLAY]) + st[0][KLAY].cancelledOpen,
            "parent bridge cannot pay the KLAY it may owe"
        );
        require(
            address(child).balance >= _owedByDestination(st[0][KLAY]) + st[1][KLAY].cancelledOpen,
            "child bridge cannot pay the KLAY it may owe"
        );
        require(
            locked >= _owedByDestination(st[1][KIP7]) + st[0][KIP7].cancelledOpen,
            "parent bridge cannot release the tokens it may owe"
        );
        for (uint8 side = 0; side < 2; ++side) {
            address receiver = handler.feeReceivers(side);
            require(receiver.balance == handler.feesPaid(side, KLAY), "KLAY fees != fee receiver balance");
            uint256 tokenFees = side == PARENT
                ? handler.parentToken().balanceOf(receiver)
                : handler.childToken().balanceOf(receiver);
            require(tokenFees == handler.feesPaid(side, KIP7), "token fees != fee receiver balance");
        }
    }

    /// @notice Each request nonce paid at most once (counted from `HandleValueTransfer` events, at once, on a retry
    /// or on a release), exactly the handled ones (paid, failed, held, cancelled) read as handled, and the handle
    /// bookkeeping Klaytn's relayers read (`lowerHandleNonce`, `upperHandleNonce`, `recoveryBlockNumber`,
    /// `handleNoncesToBlockNums`, `closedValueTransferVotes`) agrees. A refunded nonce was never paid on its
    /// destination, where it stays cancelled; a paid nonce is never refunded on its source.
    function invariant_noNonceExecutesTwice() public view {
        for (uint8 dir = 0; dir < 2; ++dir) {
            Bridge dest = handler.bridges(1 - dir);
            TransferRecovery sourceRecovery = handler.bridges(dir).transferRecovery();
            uint256 count = handler.requestCount(dir);
            uint64 lower = type(uint64).max;
            uint64 upper = 0;
            for (uint64 n = 0; n < count; ++n) {
                (,,, uint8 executions, uint8 status, bool refunded) = handler.request(dir, n);
                require(executions <= 1, "a nonce executed twice");
                require((executions == 1) == (status == PAID), "payouts observed differ from the transfer's status");
                require(dest.isHandled(n) == (status != PENDING), "isHandled differs from the transfers handled");
                require(sourceRecovery.isRefunded(n) == refunded, "isRefunded differs from the refunds made");
                if (refunded) require(executions == 0 && status == CANCELLED, "a refunded nonce was paid");
                if (executions != 0) require(!sourceRecovery.isRefunded(n), "a paid nonce was refunded");
                if (status == PENDING && lower == type(uint64).max) lower = n;
                if (status != PENDING) upper = n;
            }
            if (lower == type(uint64).max) lower = uint64(count);
            require(!dest.isHandled(uint64(count)), "a nonce never requested reads as handled");
            require(!sourceRecovery.isRefunded(uint64(count)), "a nonce never requested reads as refunded");
            require(dest.lowerHandleNonce() == lower, "lowerHandleNonce is not the first unhandled nonce");
            require(dest.upperHandleNonce() == upper, "upperHandleNonce is not the highest handled nonce");
            uint64 recovery = 1;
            if (lower > 0) (,, recovery,,,) = handler.request(dir, lower - 1);
            require(dest.recoveryBlockNumber() == recovery, "recoveryBlockNumber is not the block of the last passed nonce");
            for (uint64 n = lower; n < count; ++n) {
                (,, uint64 blockNumber,, uint8 status,) = handler.request(dir, n);
                bool handled = status != PENDING;
                require(dest.closedValueTransferVotes(n) == handled, "closedValueTransferVotes is wrong");
                require(dest.handleNoncesToBlockNums(n) == (handled ? blockNumber : 0), "handleNoncesToBlockNums is wrong");
            }
        }
    }

    /// @notice Nothing executed below the threshold of distinct current operators (handles, cancellations, refunds),
    /// every action had the outcome the model predicts (the handler records any difference), and the bridges'
    /// operators, thresholds, configuration nonces and fees are the model's.
    function invariant_nothingExecutesBelowThreshold() public view {
        require(handler.violations() == 0, handler.firstViolation());
        for (uint8 side = 0; side < 2; ++side) {
            Bridge b = handler.bridges(side);
            (bool[5] memory isOp, uint8 count, uint8[2] memory threshold, uint64 configNonce, uint256 klayFee, uint256 tokenFee)
            = handler.model(side);
            require(b.getOperatorList().length == count, "operator count differs from the model");
            for (uint256 i = 0; i < 5; ++i) {
                require(b.operators(handler.operatorAddrs(i)) == isOp[i], "operator set differs from the model");
            }
            require(!b.operators(address(handler)), "the deployer is still an operator");
            require(b.operatorThresholds(0) == threshold[0], "value transfer threshold differs from the model");
            require(b.operatorThresholds(1) == threshold[1], "configuration threshold differs from the model");
            require(threshold[0] >= 1 && threshold[0] <= count, "value transfer threshold out of range");
            require(threshold[1] >= 1 && threshold[1] <= count, "configuration threshold out of range");
            require(b.configurationNonce() == configNonce, "configuration nonce differs from the model");
            require(b.feeOfKLAY() == klayFee, "KLAY fee differs from the model");
            require(b.feeOfERC20(handler.tokens(side)) == tokenFee, "token fee differs from the model");
        }
    }

    /// @notice Each destination's recovery ledger parks exactly the transfers that failed, are held or were cancelled,
    /// with their content as handled, and nothing else; each bridge's transfer limits and today's usage (requests,
    /// and handles: the transfers it paid out or held back by handles and the refunds it paid as a source) are the
    /// model's.
    function invariant_recoveryAndLimits() public view {
        for (uint8 dir = 0; dir < 2; ++dir) {
            TransferRecovery rec = handler.bridges(1 - dir).transferRecovery();
            uint256 count = handler.requestCount(dir);
            for (uint64 n = 0; n <= count; ++n) {
                uint8 status = PENDING;
                if (n < count) (,,,, status,) = handler.request(dir, n);
                (ITransferRecovery.ParkedStatus parked, bytes32 hash) = rec.parkedTransfer(n);
                ITransferRecovery.ParkedStatus expected = status == FAILED
                    ? ITransferRecovery.ParkedStatus.Failed
                    : status == HELD
                        ? ITransferRecovery.ParkedStatus.Held
                        : status == CANCELLED ? ITransferRecovery.ParkedStatus.Cancelled : ITransferRecovery.ParkedStatus.None;
                require(parked == expected, "parked status differs from the transfer's status");
                if (expected != ITransferRecovery.ParkedStatus.None) {
                    require(hash == handler.transferHash(dir, n), "parked content differs from the transfer handled");
                }
            }
        }
        for (uint8 side = 0; side < 2; ++side) {
            TransferLimits limits = handler.bridges(side).transferLimits();
            for (uint8 kind = 0; kind < 2; ++kind) {
                address token = kind == KLAY ? address(0) : handler.tokens(side);
                (ITransferLimits.Limits memory m, uint256 requestedToday, uint256 handledToday) = handler.limitModel(side, kind);
                ITransferLimits.Limits memory l = limits.limitsOf(token);
                require(
                    l.minPerTransfer == m.minPerTransfer && l.maxPerTransfer == m.maxPerTransfer
                        && l.dailyRequestLimit == m.dailyRequestLimit && l.dailyHandleLimit == m.dailyHandleLimit,
                    "transfer limits differ from the model"
                );
                require(limits.requestedToday(token) == requestedToday, "requests counted today differ from the model");
                require(limits.handledToday(token) == handledToday, "handles counted today differ from the model");
            }
        }
    }

    /// @dev What a destination may still pay out of a direction and asset: pending and parked transfers.
    function _owedByDestination(Standing memory s) private pure returns (uint256) {
        return s.pending + s.parked;
    }

    /// @dev What is neither paid nor refunded.
    function _unsettled(Standing memory s) private pure returns (uint256) {
        return s.pending + s.parked + s.cancelledOpen;
    }
}
