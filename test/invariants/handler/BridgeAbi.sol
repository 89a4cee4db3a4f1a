// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {IBridgeTransfers} from "../../../contracts/bridge/interfaces/IBridgeTransfers.sol";

/// @title The bridge's signed-batch entry points, as the invariant handler calls them
/// @dev The transfer is the protocol's one `IBridgeTransfers.Transfer`.
interface ISignedHandlesAbi {
    /// @notice The EIP-712 digest the operators sign for `transfers`.
    function batchDigest(IBridgeTransfers.Transfer[] calldata transfers) external view returns (bytes32);

    /// @notice Handles `transfers`, approved by the operators' `signatures` of `batchDigest(transfers)`.
    function handleSignedTransfers(IBridgeTransfers.Transfer[] calldata transfers, bytes calldata signatures) external;
}

/// @title A bridge's recovery ledger (`transferRecovery()`), as the invariant handler calls it
interface IRecoveryLedgerAbi {
    /// @notice The EIP-712 digest the operators sign to cancel `transfer` on its destination.
    function cancelDigest(IBridgeTransfers.Transfer calldata transfer) external view returns (bytes32);

    /// @notice The EIP-712 digest the operators sign to refund `transfer` on its source.
    function refundDigest(IBridgeTransfers.Transfer calldata transfer) external view returns (bytes32);

    /// @notice The operators whose approval of `digest` is pending.
    function approvalsOf(bytes32 digest) external view returns (address[] memory);

    /// @notice Pays a failed transfer to its recipient again.
    function retryTransfer(IBridgeTransfers.Transfer calldata transfer) external;

    /// @notice The owner releases a held transfer.
    function releaseHeldTransfer(IBridgeTransfers.Transfer calldata transfer) external;

    /// @notice An operator's approval (empty `signatures`) or the operators' signatures cancelling a parked transfer.
    function cancelTransfer(IBridgeTransfers.Transfer calldata transfer, bytes calldata signatures) external;

    /// @notice An operator's approval (empty `signatures`) or the operators' signatures refunding a cancelled request.
    function refundTransfer(IBridgeTransfers.Transfer calldata transfer, bytes calldata signatures) external;
}
