// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {BridgeCore} from "./BridgeCore.sol";
import {TransferRecovery} from "./TransferRecovery.sol";
import {IBridgeRecovery} from "./interfaces/IBridgeRecovery.sol";
import {ITransferRecovery} from "./interfaces/ITransferRecovery.sol";
import {contentHashOf} from "./libraries/TransferHashing.sol";

/// @title BridgeRecovery: the bridge's side of failed, held, cancelled and refunded transfers
/// @notice The bridge creates its `TransferRecovery` ledger, parks there the handled transfers it did not pay (failed
/// or held), and pays on the ledger's behalf: a retry or a release to the recipient, a refund to the requester. Users
/// and operators call the ledger (`transferRecovery()`); the bridge checks the operators' signatures for it.
abstract contract BridgeRecovery is BridgeCore, IBridgeRecovery {
    /// @notice The ledger of this bridge's failed, held, cancelled and refunded transfers.
    TransferRecovery public immutable transferRecovery;

    /// @notice Only this bridge's `TransferRecovery` may ask it to pay.
    error NotTransferRecovery(address caller);
    /// @notice The refund of request `nonce` is above this bridge's handle limits (maximum per transfer or today's
    /// handle limit): submit it again once the limits allow it.
    error RefundAboveLimits(uint64 nonce);
    /// @notice The retry of the failed transfer of request `nonce` is above this bridge's handle limits (maximum per
    /// transfer or today's handle limit): retry it once the limits allow it, or have it cancelled and refunded.
    error RetryAboveLimits(uint64 nonce);

    constructor() {
        transferRecovery = new TransferRecovery();
    }

    /// @notice Pays `transfer` on behalf of `transferRecovery()`, which checked that it may: to its recipient with all
    /// the gas left (retry: `HandleValueTransfer` on success) or with the payout budget (release: a failure parks it as
    /// failed), or back to its requester `from` (refund, a request of this bridge). A retry and a refund count against
    /// the handle limits, as a handle's payout does (`RetryAboveLimits` / `RefundAboveLimits` beyond them: nothing
    /// changes, the call may be made again once the limits allow it); a release is the owner's decision and is not
    /// counted. A token must be registered, as the kind the transfer names.
    function recoveryPayout(Transfer calldata transfer, ITransferRecovery.RecoveryAction action)
        external
        nonReentrant
        returns (bool paid, bytes memory reason)
    {
        if (msg.sender != address(transferRecovery)) revert NotTransferRecovery(msg.sender);
        Transfer memory t = transfer;
        // the asset's checks (a token must still be registered, as its kind) and what `t` counts against the limits
        uint256 limitUnits = _requireHandleable(t, _nonces.klayHandleLimited);
        bool release = action == ITransferRecovery.RecoveryAction.Release;
        // value leaving this bridge by a retry or a refund counts against its handle limits, as value paid out by a
        // handle: beyond them it waits (reverts; it may be submitted again once the day's limit allows); a release is
        // the owner's decision and is not counted
        if (!release && limitUnits != 0 && !_consumeHandleLimit(t.tokenAddress, limitUnits)) {
            if (action == ITransferRecovery.RecoveryAction.Refund) revert RefundAboveLimits(t.requestNonce);
            revert RetryAboveLimits(t.requestNonce);
        }
        if (action == ITransferRecovery.RecoveryAction.Refund) return _transferTo(t, t.from, false);
        return _deliver(t, _nonces.lower, release);
    }

    /// @notice Reverts unless `signatures` are the value-transfer threshold of current operators' signatures of
    /// `digest`, 65 bytes each, sorted by signer (the check of `handleSignedTransfers`).
    function checkOperatorSignatures(bytes32 digest, bytes calldata signatures) external view {
        _requireOperatorSignatures(VOTE_VALUE_TRANSFER, digest, signatures);
    }

    function _park(Transfer memory r, bool held) internal override {
        transferRecovery.park(r.requestNonce, contentHashOf(r), held);
    }
}
