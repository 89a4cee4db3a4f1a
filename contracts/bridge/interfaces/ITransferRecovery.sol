// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {IBridgeTransfers} from "./IBridgeTransfers.sol";

/// @title Failed, held, cancelled and refunded transfers: the events and errors of a bridge's `TransferRecovery`
/// @notice Shared by `TransferRecovery` and its users, so that a refusal decodes with either ABI.
interface ITransferRecovery {
    /// @notice Where a handled transfer that was not paid out stands on its destination bridge.
    enum ParkedStatus {
        None,
        Failed,
        Held,
        Cancelled
    }

    /// @notice What the recovery ledger asks its bridge to pay.
    enum RecoveryAction {
        Retry,
        Release,
        Refund
    }

    /// @notice A failed transfer was paid on a retry, to its recipient, by `caller`.
    event TransferRetried(uint64 indexed handleNonce, address indexed caller);

    /// @notice The owner released a held transfer; `paid` false: its payout failed and it is now failed.
    event TransferReleased(uint64 indexed handleNonce, bool paid);

    /// @notice The operators cancelled the failed or held transfer of request `handleNonce` of the counterpart bridge:
    /// it will never be paid here; the counterpart bridge refunds its requester.
    event TransferCancelled(
        bytes32 requestTxHash,
        IBridgeTransfers.TokenType tokenType,
        address indexed from,
        address indexed to,
        address indexed tokenAddress,
        uint256 valueOrTokenId,
        uint64 handleNonce
    );

    /// @notice Request `requestNonce` of this bridge was returned to its requester `from`.
    event ValueTransferRefunded(
        bytes32 requestTxHash,
        IBridgeTransfers.TokenType tokenType,
        address indexed from,
        address indexed tokenAddress,
        uint256 valueOrTokenId,
        uint64 indexed requestNonce
    );

    /// @notice `operator` approved the cancellation or refund whose EIP-712 digest is `digest`; the approval runs once
    /// the value-transfer threshold of current operators approved it.
    event ApprovalCast(bytes32 indexed digest, address indexed operator);

    /// @notice Only the bridge that created this ledger may call.
    error NotBridge(address caller);
    /// @notice Only the bridge's owner may release a held transfer.
    error NotBridgeOwner(address caller);
    /// @notice Only an operator of the bridge may approve.
    error NotOperator(address caller);
    /// @notice `operator` approved this already.
    error AlreadyApproved(address operator);
    /// @notice No transfer of request `nonce` is parked here, with exactly this content, in the state the call needs
    /// (failed to retry, held to release, failed or held to cancel); `status` is what is parked under `nonce` now
    /// (`None`: nothing, or it was paid).
    error TransferNotParked(uint64 nonce, ParkedStatus status);
    /// @notice The retried payout failed again (the transfer stays failed); `reason` is what the recipient or token
    /// returned.
    error PayoutFailed(uint64 nonce, bytes reason);
    /// @notice No request `nonce` was made on this bridge.
    error UnknownRequest(uint64 nonce);
    /// @notice Request `nonce` was refunded already.
    error AlreadyRefunded(uint64 nonce);
    /// @notice The refund could not be paid (nothing changed); `reason` is what the requester or token returned.
    error RefundFailed(uint64 nonce, bytes reason);
}
