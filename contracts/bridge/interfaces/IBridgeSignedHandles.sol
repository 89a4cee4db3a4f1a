// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {IBridgeTransfers} from "./IBridgeTransfers.sol";

/// @title Signed handles: a batch of transfers approved by the operators' EIP-712 signatures, in one transaction
/// @notice The functions of the cheap handle path and its error.
interface IBridgeSignedHandles {
    /// @notice The batch is empty.
    error EmptyBatch();

    /// @notice Destination chain: executes every transfer of `transfers` not handled yet, approved by `signatures`:
    /// 65-byte `r ‖ s ‖ v` signatures of current operators over `batchDigest(transfers)`, sorted by signer address
    /// ascending, at least the value-transfer threshold of them. Anyone may call.
    function handleSignedTransfers(IBridgeTransfers.Transfer[] calldata transfers, bytes calldata signatures)
        external;

    /// @notice The EIP-712 digest the operators sign for `transfers` on this bridge and chain.
    function batchDigest(IBridgeTransfers.Transfer[] calldata transfers) external view returns (bytes32);
}
