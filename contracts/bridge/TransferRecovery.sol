// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// External Imports
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {BitMaps} from "@openzeppelin/contracts/utils/structs/BitMaps.sol";

// Internal Imports
import {IBridgeTransfers} from "./interfaces/IBridgeTransfers.sol";
import {IRecoverableBridge} from "./interfaces/IBridgeRecovery.sol";
import {ITransferRecovery} from "./interfaces/ITransferRecovery.sol";
import {TRANSFER_TYPE, contentHashOf, hashTransfer} from "./libraries/TransferHashing.sol";

/// @title TransferRecovery: failed and held transfers are retried, released or refunded, never stuck
/// @notice Each Bridge creates one and alone parks transfers in it. On the destination chain, a transfer whose payout
/// failed waits here as failed: anyone may `retryTransfer` it to the same recipient (the operators approved exactly
/// that content already), or the operators approve `cancelTransfer`; a transfer held above the bridge's limits waits
/// until the bridge owner's `releaseHeldTransfer`, or the operators cancel it. On the source chain the operators then
/// approve `refundTransfer`, which returns the asset to the requester (released by the bridge, or minted back by a
/// mint/burn bridge), once per request nonce. Operators approve either by one call each (empty `signatures`) or with
/// their EIP-712 signatures in one call by anyone; the value-transfer threshold of the bridge's current operators
/// applies either way. Approvals given one by one count only while the operator set is unchanged: any operator change
/// (`operatorRoster()` moves) voids the approvals pending, so a removed operator's approval never counts, not even
/// after it is registered again.
/// @dev Kept apart from the Bridge so that the Bridge stays under the contract size limit; the cheap paths never
/// call it. The EIP-712 domain ("ServiceChainBridgeRecovery", "1") binds approvals to this chain and this ledger,
/// which belongs to one bridge.
contract TransferRecovery is EIP712, ReentrancyGuardTransient, ITransferRecovery {
    using BitMaps for BitMaps.BitMap;

    /// @dev Approvals of one digest given one by one, under the operator set whose roster is `roster`.
    struct Approvals {
        address roster;
        address[] operators;
    }

    /// @dev A transfer not paid out: `contentHash` is `contentHashOf(transfer)`, `keccak256(abi.encode(transfer))`.
    struct Parked {
        bytes32 contentHash;
        ParkedStatus status;
    }

    /// @notice EIP-712 type hash of `CancelTransfer(Transfer transfer)`.
    bytes32 public constant CANCEL_TRANSFER_TYPEHASH =
        keccak256(abi.encodePacked("CancelTransfer(Transfer transfer)", TRANSFER_TYPE));

    /// @notice EIP-712 type hash of `RefundTransfer(Transfer transfer)`.
    bytes32 public constant REFUND_TRANSFER_TYPEHASH =
        keccak256(abi.encodePacked("RefundTransfer(Transfer transfer)", TRANSFER_TYPE));

    /// @notice The bridge this ledger belongs to.
    IRecoverableBridge public immutable bridge;

    mapping(uint64 => Parked) private _parked;
    BitMaps.BitMap private _refunded;
    mapping(bytes32 => Approvals) private _approvals;

    constructor() EIP712("ServiceChainBridgeRecovery", "1") {
        bridge = IRecoverableBridge(msg.sender);
    }

    // ------------------------------------------------------------------ views

    /// @notice Where the handled transfer of request `nonce` of the counterpart bridge stands when it was not paid out
    /// (None when it was paid or not handled), and the hash of its content.
    function parkedTransfer(uint64 nonce) external view returns (ParkedStatus status, bytes32 transferHash) {
        Parked memory parked = _parked[nonce];
        return (parked.status, parked.contentHash);
    }

    /// @notice Whether request `nonce` of this bridge was refunded.
    function isRefunded(uint64 nonce) external view returns (bool) {
        return _refunded.get(nonce);
    }

    /// @notice The operators whose approval of `digest` is pending and still counts (none once the operator set
    /// changed since they approved).
    function approvalsOf(bytes32 digest) external view returns (address[] memory) {
        Approvals storage approvals = _approvals[digest];
        if (approvals.roster != bridge.operatorRoster()) return new address[](0);
        return approvals.operators;
    }

    /// @notice What a parked record holds for `transfer`: `keccak256(abi.encode(transfer))`.
    function contentHash(IBridgeTransfers.Transfer calldata transfer) public pure returns (bytes32) {
        return contentHashOf(transfer);
    }

    /// @notice The EIP-712 digest the operators sign to cancel `transfer` here.
    function cancelDigest(IBridgeTransfers.Transfer calldata transfer) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(CANCEL_TRANSFER_TYPEHASH, hashTransfer(transfer))));
    }

    /// @notice The EIP-712 digest the operators sign to refund `transfer` (a request of this bridge) here.
    function refundDigest(IBridgeTransfers.Transfer calldata transfer) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(REFUND_TRANSFER_TYPEHASH, hashTransfer(transfer))));
    }

    // ------------------------------------------------------------------ bridge

    /// @notice Records a handled transfer that was not paid: held above the limits, or failed. Bridge only; the bridge
    /// emits `TransferHeld` or `HandleValueTransferFailed`.
    function park(uint64 nonce, bytes32 transferHash, bool held) external {
        if (msg.sender != address(bridge)) revert NotBridge(msg.sender);
        _parked[nonce] = Parked(transferHash, held ? ParkedStatus.Held : ParkedStatus.Failed);
    }

    // ------------------------------------------------------------------ destination chain

    /// @notice Pays a failed transfer again, to the same recipient, with all the gas the call brings. Anyone may call;
    /// `transfer` must be exactly the failed one. Reverts (the transfer stays failed) when the payout fails again.
    function retryTransfer(IBridgeTransfers.Transfer calldata transfer) external nonReentrant {
        _take(transfer, ParkedStatus.Failed);
        (bool paid, bytes memory reason) = bridge.recoveryPayout(transfer, RecoveryAction.Retry);
        if (!paid) revert PayoutFailed(transfer.requestNonce, reason);
        emit TransferRetried(transfer.requestNonce, msg.sender);
    }

    /// @notice Pays out a transfer held above the limits. When the payout fails, the transfer becomes failed (retry or
    /// cancel). The bridge's owner only.
    function releaseHeldTransfer(IBridgeTransfers.Transfer calldata transfer) external nonReentrant {
        if (msg.sender != bridge.owner()) revert NotBridgeOwner(msg.sender);
        _take(transfer, ParkedStatus.Held);
        (bool paid,) = bridge.recoveryPayout(transfer, RecoveryAction.Release);
        emit TransferReleased(transfer.requestNonce, paid);
    }

    /// @notice The operators' approval to cancel a failed or held transfer, so that the source bridge refunds it. With
    /// empty `signatures` this is the caller's approval (an operator); otherwise `signatures` are the operators'
    /// EIP-712 signatures of `cancelDigest(transfer)`, sorted by signer, and anyone may submit them.
    function cancelTransfer(IBridgeTransfers.Transfer calldata transfer, bytes calldata signatures)
        external
        nonReentrant
    {
        uint64 nonce = transfer.requestNonce;
        Parked memory parked = _parked[nonce];
        bool cancellable = parked.status == ParkedStatus.Failed || parked.status == ParkedStatus.Held;
        if (!cancellable || parked.contentHash != contentHash(transfer)) {
            revert TransferNotParked(nonce, parked.status);
        }
        if (!_approved(cancelDigest(transfer), signatures)) return;
        _parked[nonce].status = ParkedStatus.Cancelled;
        emit TransferCancelled(
            transfer.requestTxHash,
            IBridgeTransfers.TokenType(transfer.tokenType),
            transfer.from,
            transfer.to,
            transfer.tokenAddress,
            transfer.valueOrTokenId,
            nonce
        );
    }

    // ------------------------------------------------------------------ source chain

    /// @notice The operators' approval to return request `transfer.requestNonce` of this bridge to its requester
    /// `transfer.from`, after the counterpart bridge cancelled it (`transfer` as requested here: this chain's token).
    /// Paid once per request nonce. With empty `signatures` this is the caller's approval (an operator); otherwise
    /// the operators' EIP-712 signatures of `refundDigest(transfer)`, sorted by signer, submitted by anyone.
    function refundTransfer(IBridgeTransfers.Transfer calldata transfer, bytes calldata signatures)
        external
        nonReentrant
    {
        uint64 nonce = transfer.requestNonce;
        if (nonce >= bridge.requestNonce()) revert UnknownRequest(nonce);
        if (_refunded.get(nonce)) revert AlreadyRefunded(nonce);
        if (transfer.from == address(0)) revert IBridgeTransfers.ZeroRecipient();
        if (!_approved(refundDigest(transfer), signatures)) return;
        _refunded.set(nonce);
        (bool paid, bytes memory reason) = bridge.recoveryPayout(transfer, RecoveryAction.Refund);
        if (!paid) revert RefundFailed(nonce, reason);
        emit ValueTransferRefunded(
            transfer.requestTxHash,
            IBridgeTransfers.TokenType(transfer.tokenType),
            transfer.from,
            transfer.tokenAddress,
            transfer.valueOrTokenId,
            nonce
        );
    }

    // ------------------------------------------------------------------ internal

    /// @dev Removes the record of `transfer`, which must be parked with `status` and exactly this content.
    function _take(IBridgeTransfers.Transfer calldata transfer, ParkedStatus status) private {
        uint64 nonce = transfer.requestNonce;
        Parked memory parked = _parked[nonce];
        if (parked.status != status || parked.contentHash != contentHash(transfer)) {
            revert TransferNotParked(nonce, parked.status);
        }
        delete _parked[nonce];
    }

    /// @dev An operator approval of `digest`: the caller's (empty `signatures`), or the threshold of current operators'
    /// signatures checked by the bridge. True when approved.
    function _approved(bytes32 digest, bytes calldata signatures) private returns (bool) {
        if (signatures.length != 0) {
            bridge.checkOperatorSignatures(digest, signatures);
            return true;
        }
        if (!bridge.operators(msg.sender)) revert NotOperator(msg.sender);
        Approvals storage approvals = _approvals[digest];
        address roster = bridge.operatorRoster();
        if (approvals.roster != roster) {
            // approvals given under another operator set are void
            delete approvals.operators;
            approvals.roster = roster;
        }
        address[] storage voters = approvals.operators;
        for (uint256 i = 0; i < voters.length; ++i) {
            if (voters[i] == msg.sender) revert AlreadyApproved(msg.sender);
        }
        emit ApprovalCast(digest, msg.sender);
        if (voters.length + 1 >= bridge.operatorThresholds(0)) {
            delete _approvals[digest];
            return true;
        }
        voters.push(msg.sender);
        return false;
    }
}
