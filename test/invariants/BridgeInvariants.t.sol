// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Bridge} from "../../contracts/bridge/Bridge.sol";
import {BridgeHandler} from "./BridgeHandler.sol";

/// @title Invariants of a parent / child bridge pair under random sequences of requests, handles (votes and signed
/// batches), replays, operator changes, threshold changes and fee votes
/// @notice Run counts come from the Solidity test profiles in `hardhat.config.ts`: a short campaign inside
/// `npm test`, at least 10,000 runs per invariant in `npm run test:invariants`. The only fuzzed contract is the
/// handler (`targetContracts`); see `BridgeHandler.sol` for the actions and their ghost accounting.
contract BridgeInvariantsTest {
    uint8 internal constant PARENT = 0;
    uint8 internal constant CHILD = 1;
    uint8 internal constant KLAY = 0;
    uint8 internal constant KIP7 = 1;

    BridgeHandler internal handler;

    function setUp() public {
        handler = new BridgeHandler();
    }

    /// @notice The fuzzer calls the handler only, never the bridges or tokens it deployed.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @notice Value locked or burnt on the source equals value released or minted on the destination plus what is
    /// pending (requested, not handled: read from the destination bridge) plus what was refunded, for KLAY and KIP7
    /// in both directions; the bridges' real balances and the child token's supply agree; every bridge holds at
    /// least what its pending handles will pay out; fees reached the fee receivers.
    function invariant_valueConserved() public view {
        Bridge parent = handler.bridges(PARENT);
        Bridge child = handler.bridges(CHILD);
        uint256[2][2] memory pending; // [direction][asset]
        for (uint8 dir = 0; dir < 2; ++dir) {
            Bridge dest = dir == 0 ? child : parent;
            uint256 count = handler.requestCount(dir);
            for (uint64 n = 0; n < count; ++n) {
                (uint8 kind, uint256 value,,) = handler.request(dir, n);
                if (!dest.isHandled(n)) pending[dir][kind] += value;
            }
            for (uint8 kind = 0; kind < 2; ++kind) {
                (uint256 requested, uint256 released, uint256 refunded) = handler.ledger(dir, kind);
                require(requested == released + pending[dir][kind] + refunded, "requested != released + pending + refunded");
            }
        }
        (uint256 klayReq0, uint256 klayRel0, uint256 klayRef0) = handler.ledger(0, KLAY);
        (uint256 klayReq1, uint256 klayRel1, uint256 klayRef1) = handler.ledger(1, KLAY);
        require(
            address(parent).balance + klayRel1 + klayRef0 == handler.klayFunded(PARENT) + klayReq0,
            "parent bridge KLAY balance != liquidity + locked - released"
        );
        require(
            address(child).balance + klayRel0 + klayRef1 == handler.klayFunded(CHILD) + klayReq1,
            "child bridge KLAY balance != liquidity + locked - released"
        );
        // Parent tokens locked in the parent bridge back the child tokens in circulation and those in flight.
        uint256 locked = handler.parentToken().balanceOf(address(parent));
        require(
            locked == handler.childToken().totalSupply() + pending[0][KIP7] + pending[1][KIP7],
            "parent tokens locked != child supply + in flight"
        );
        require(address(parent).balance >= pending[1][KLAY], "parent bridge cannot pay its pending KLAY handles");
        require(address(child).balance >= pending[0][KLAY], "child bridge cannot pay its pending KLAY handles");
        require(locked >= pending[1][KIP7], "parent bridge cannot release its pending token handles");
        for (uint8 side = 0; side < 2; ++side) {
            address receiver = handler.feeReceivers(side);
            require(receiver.balance == handler.feesPaid(side, KLAY), "KLAY fees != fee receiver balance");
            uint256 tokenFees = side == PARENT
                ? handler.parentToken().balanceOf(receiver)
                : handler.childToken().balanceOf(receiver);
            require(tokenFees == handler.feesPaid(side, KIP7), "token fees != fee receiver balance");
        }
    }

    /// @notice Each request nonce executed at most once (counted from `HandleValueTransfer` events), exactly the
    /// executed ones read as handled, and the handle bookkeeping Klaytn's relayers read (`lowerHandleNonce`,
    /// `upperHandleNonce`, `recoveryBlockNumber`, `handleNoncesToBlockNums`, `closedValueTransferVotes`) agrees.
    function invariant_noNonceExecutesTwice() public view {
        for (uint8 dir = 0; dir < 2; ++dir) {
            Bridge dest = handler.bridges(1 - dir);
            uint256 count = handler.requestCount(dir);
            uint64 lower = type(uint64).max;
            uint64 upper = 0;
            for (uint64 n = 0; n < count; ++n) {
                (,,, uint8 executions) = handler.request(dir, n);
                require(executions <= 1, "a nonce executed twice");
                require(dest.isHandled(n) == (executions == 1), "isHandled differs from the executions seen");
                if (executions == 0 && lower == type(uint64).max) lower = n;
                if (executions == 1) upper = n;
            }
            if (lower == type(uint64).max) lower = uint64(count);
            require(!dest.isHandled(uint64(count)), "a nonce never requested reads as handled");
            require(dest.lowerHandleNonce() == lower, "lowerHandleNonce is not the first unhandled nonce");
            require(dest.upperHandleNonce() == upper, "upperHandleNonce is not the highest handled nonce");
            uint64 recovery = 1;
            if (lower > 0) (,, recovery,) = handler.request(dir, lower - 1);
            require(dest.recoveryBlockNumber() == recovery, "recoveryBlockNumber is not the block of the last passed nonce");
            for (uint64 n = lower; n < count; ++n) {
                (,, uint64 blockNumber, uint8 executions) = handler.request(dir, n);
                require(dest.closedValueTransferVotes(n) == (executions == 1), "closedValueTransferVotes is wrong");
                require(
                    dest.handleNoncesToBlockNums(n) == (executions == 1 ? blockNumber : 0),
                    "handleNoncesToBlockNums is wrong"
                );
            }
        }
    }

    /// @notice Nothing executed below the threshold of distinct current operators, every vote, signed batch,
    /// operator change, threshold change and fee vote had the outcome the model predicts (the handler records any
    /// difference), and the bridges' operators, thresholds, configuration nonces and fees are the model's.
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
}
