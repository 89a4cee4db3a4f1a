// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Bridge} from "../../contracts/bridge/Bridge.sol";
import {TransferRecovery} from "../../contracts/bridge/TransferRecovery.sol";
import {BridgeHandler} from "./BridgeHandler.sol";

/// @title Fixed sequences of the invariant handler's actions that reach paths a short random campaign seldom does
/// @notice Each drives `BridgeHandler` with chosen seeds, so the handler's model predicts and checks every call as in
/// the campaign (any difference is a violation), and then asserts that the path was really taken.
contract HandlerScenariosTest {
    /// @dev Added to a `cancelTransfer` mode: the source's operators do not refund the cancelled transfer at once.
    uint256 internal constant REFUND_LATER = 1 << 40;

    BridgeHandler internal handler;

    function setUp() public {
        handler = new BridgeHandler();
    }

    /// @notice A KLAY request of the parent that fails on the child is cancelled there; its refund on the parent is
    /// above the parent's KLAY maximum per transfer (RefundAboveLimits, approval and all), the approval pending is
    /// voided by an operator removed and registered again (its approval never counts again), and under a daily
    /// handle limit that allows it the refund is paid and counted in the parent's handles of the day.
    function test_refundAboveLimitsThenVoidedApprovalsThenPaid() public {
        Bridge parent = handler.bridges(0);
        TransferRecovery rec = parent.transferRecovery();
        // user 0 -> the switchable recipient (refusing KLAY), 1 KLAY, not a plain payment
        handler.requestKLAY(0, 0, 1 ether, 256);
        require(handler.requestCount(0) == 1, "request not made");
        handler.voteHandleByAll(0, 0, 0);
        (,,,, uint8 status,) = handler.request(0, 0);
        require(status == handler.FAILED(), "payout did not fail");
        handler.cancelTransfer(0, 0, 0, 1 | REFUND_LATER); // every key in turn
        (,,,, status,) = handler.request(0, 0);
        require(status == handler.CANCELLED(), "not cancelled");

        // parent KLAY: maximum 0.25 KLAY per transfer, no daily limits
        handler.setLimits(0, 1, 1, 0);
        handler.refundTransfer(0, 0, 0, 1); // keys 0, 1, 2...: key 0 recorded, keys 1 and 2 reach the threshold
        require(handler.stat("refunds refused by limits") == 2, "refund not refused by the limits");
        require(!rec.isRefunded(0), "refunded above the limits");

        // key 0 removed and registered again: its pending approval is void
        handler.removeOperator(0, 0);
        handler.addOperator(0, 0);
        // parent KLAY: no maximum, daily handle limit 1.25 KLAY
        handler.setLimits(0, 1, 0, 1 << 16);
        handler.refundTransfer(0, 0, 1, 3); // key 1 alone: below the threshold
        require(!rec.isRefunded(0), "a voided approval counted");
        handler.refundTransfer(0, 0, 0, 3); // key 0: the threshold
        require(rec.isRefunded(0), "refund not paid");
        require(parent.transferLimits().handledToday(address(0)) == 1 ether, "refund not counted against the limits");
        require(handler.violations() == 0, handler.firstViolation());
    }

    /// @notice A request refunded once is never refunded again: every key's approval of a second refund, by call or
    /// by signatures, is refused (AlreadyRefunded) and moves nothing; the model checks each call.
    function test_secondRefundOfOneRequestIsRefused() public {
        Bridge parent = handler.bridges(0);
        TransferRecovery rec = parent.transferRecovery();
        handler.requestKLAY(0, 0, 1 ether, 256);
        handler.voteHandleByAll(0, 0, 0);
        handler.cancelTransfer(0, 0, 0, 1 | REFUND_LATER);
        handler.refundTransfer(0, 0, 0, 1);
        require(rec.isRefunded(0), "not refunded");
        require(handler.stat("refunds") == 1, "refund not booked");
        uint256 refused = handler.stat("refunds refused");
        uint256 balance = address(parent).balance;
        for (uint256 op = 0; op < 3; op++) {
            handler.refundTransfer(0, 0, op, 1); // by call
            handler.refundTransfer(0, 0, op, 2); // by signatures
        }
        require(handler.stat("refunds") == 1, "refunded twice");
        require(handler.stat("refunds refused") > refused, "the second refund was not tried");
        require(address(parent).balance == balance, "value moved");
        require(handler.violations() == 0, handler.firstViolation());
    }
}
