// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// External Imports
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

// Internal Imports
import {BridgeCore} from "./BridgeCore.sol";
import {IBridgeSignedHandles} from "./interfaces/IBridgeSignedHandles.sol";
import {hashTransfer} from "./libraries/TransferHashing.sol";

/// @title BridgeSignedHandles: a batch of transfers approved by the operators' EIP-712 signatures, in one transaction
/// @notice The cheap handle path. The operators sign a `HandleBatch` (every field the per-operator vote covers, for
/// each transfer) under a domain bound to this chain and this bridge; anyone may submit the batch with at least the
/// value-transfer threshold of signatures from current operators. It runs the same execution core as the
/// per-operator votes: a request nonce executes once, whichever path reaches it first; nonces of the batch that are
/// already handled are skipped. Nothing is stored per operator.
abstract contract BridgeSignedHandles is BridgeCore, EIP712, IBridgeSignedHandles {
    /// @dev EIP-712 type hash of `HandleBatch(Transfer[] transfers)`:
    /// `keccak256(abi.encodePacked("HandleBatch(Transfer[] transfers)", TRANSFER_TYPE))`, written out as
    /// `TRANSFER_TYPE_HASH` is (the bridge's `batchDigest` is checked against the relayer's in its tests).
    bytes32 private constant HANDLE_BATCH_TYPE_HASH = 0x892a2caaf27368cc02a547daf714301026c48c8cf83bc114a002fdbf5facaf1a;

    constructor() EIP712("ServiceChainBridge", "1") {}

    /// @inheritdoc IBridgeSignedHandles
    function handleSignedTransfers(Transfer[] calldata transfers, bytes calldata signatures) external nonReentrant {
        if (transfers.length == 0) revert EmptyBatch();
        _requireOperatorSignatures(VOTE_VALUE_TRANSFER, batchDigest(transfers), signatures);
        for (uint256 i = 0; i < transfers.length; ++i) {
            Transfer calldata t = transfers[i];
            if (isHandled(t.requestNonce)) continue;
            _executeHandle(t, false);
        }
    }

    /// @inheritdoc IBridgeSignedHandles
    function batchDigest(Transfer[] calldata transfers) public view returns (bytes32) {
        bytes32[] memory hashes = new bytes32[](transfers.length);
        for (uint256 i = 0; i < transfers.length; ++i) {
            hashes[i] = hashTransfer(transfers[i]);
        }
        return _hashTypedDataV4(keccak256(abi.encode(HANDLE_BATCH_TYPE_HASH, keccak256(abi.encodePacked(hashes)))));
    }
}
