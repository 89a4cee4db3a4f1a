// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice One transfer as the bridge's external ABI carries it (signed batches, retries, releases, cancellations,
/// refunds): the tuple `(bytes32,uint8,address,address,address,uint256,uint64,uint64,string,bytes)`.
/// @dev Declared from the ABI rather than imported from the contracts' internals, so that the handler depends only on
/// what the bridge exposes: the selectors and the EIP-712 hashes are those of this tuple whatever the contracts name it.
struct Transfer {
    bytes32 requestTxHash;
    uint8 tokenType;
    address from;
    address to;
    address tokenAddress;
    uint256 valueOrTokenId;
    uint64 requestNonce;
    uint64 requestBlockNumber;
    string tokenURI;
    bytes extraData;
}

/// @title The bridge's signed-batch entry points, as the invariant handler calls them
interface ISignedHandlesAbi {
    /// @notice The EIP-712 digest the operators sign for `transfers`.
    function batchDigest(Transfer[] calldata transfers) external view returns (bytes32);

    /// @notice Handles `transfers`, approved by the operators' `signatures` of `batchDigest(transfers)`.
    function handleSignedTransfers(Transfer[] calldata transfers, bytes calldata signatures) external;
}

/// @title A bridge's recovery ledger (`transferRecovery()`), as the invariant handler calls it
interface IRecoveryLedgerAbi {
    /// @notice The EIP-712 digest the operators sign to cancel `transfer` on its destination.
    function cancelDigest(Transfer calldata transfer) external view returns (bytes32);

    /// @notice The EIP-712 digest the operators sign to refund `transfer` on its source.
    function refundDigest(Transfer calldata transfer) external view returns (bytes32);

    /// @notice The operators whose approval of `digest` is pending.
    function approvalsOf(bytes32 digest) external view returns (address[] memory);

    /// @notice Pays a failed transfer to its recipient again.
    function retryTransfer(Transfer calldata transfer) external;

    /// @notice The owner releases a held transfer.
    function releaseHeldTransfer(Transfer calldata transfer) external;

    /// @notice An operator's approval (empty `signatures`) or the operators' signatures cancelling a parked transfer.
    function cancelTransfer(Transfer calldata transfer, bytes calldata signatures) external;

    /// @notice An operator's approval (empty `signatures`) or the operators' signatures refunding a cancelled request.
    function refundTransfer(Transfer calldata transfer, bytes calldata signatures) external;
}

/// @title Events and errors of the bridge the handler reads by their ABI
interface IBridgeEventsAbi {
    /// @notice A transfer was paid on its destination.
    event HandleValueTransfer(
        bytes32 requestTxHash,
        uint8 tokenType,
        address indexed from,
        address indexed to,
        address indexed tokenAddress,
        uint256 valueOrTokenId,
        uint64 handleNonce,
        uint64 lowerHandleNonce,
        bytes extraData
    );

    /// @notice A handled transfer's payout failed: parked as failed.
    event HandleValueTransferFailed(
        bytes32 requestTxHash,
        uint8 tokenType,
        address indexed from,
        address indexed to,
        address indexed tokenAddress,
        uint256 valueOrTokenId,
        uint64 handleNonce,
        bytes reason
    );

    /// @notice A handled transfer above the destination's limits: parked as held.
    event TransferHeld(
        bytes32 requestTxHash,
        uint8 tokenType,
        address indexed from,
        address indexed to,
        address indexed tokenAddress,
        uint256 valueOrTokenId,
        uint64 handleNonce
    );

    /// @notice A refund above the source's handle limits.
    error RefundAboveLimits(uint64 nonce);

    /// @notice Request `nonce` was refunded already.
    error AlreadyRefunded(uint64 nonce);
}
