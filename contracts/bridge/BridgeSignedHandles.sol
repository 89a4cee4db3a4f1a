// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// External Imports
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

// Internal Imports
import {BridgeCore} from "./BridgeCore.sol";

/// @dev EIP-712 type of one transfer, shared with `TransferRecovery`.
string constant TRANSFER_TYPE =
    "Transfer(bytes32 requestTxHash,uint8 tokenType,address from,address to,address tokenAddress,uint256 valueOrTokenId,uint64 requestNonce,uint64 requestBlockNumber,string tokenURI,bytes extraData)";

/// @dev EIP-712 type hash of `Transfer`.
bytes32 constant TRANSFER_TYPE_HASH = keccak256(bytes(TRANSFER_TYPE));

/// @title BridgeSignedHandles: a batch of transfers approved by the operators' EIP-712 signatures, in one transaction
/// @notice The cheap handle path. The operators sign a `HandleBatch` (every field the per-operator vote covers, for
/// each transfer) under a domain bound to this chain and this bridge; anyone may submit the batch with at least the
/// value-transfer threshold of signatures from current operators. It runs the same execution core as the
/// per-operator votes: a request nonce executes once, whichever path reaches it first; nonces of the batch that are
/// already handled are skipped. Nothing is stored per operator.
abstract contract BridgeSignedHandles is BridgeCore, EIP712 {
    /// @notice One transfer of a signed batch: the counterpart bridge's request, with the destination token.
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

    /// @notice EIP-712 type hash of `Transfer`.
    bytes32 public constant TRANSFER_TYPEHASH = TRANSFER_TYPE_HASH;

    /// @notice EIP-712 type hash of `HandleBatch(Transfer[] transfers)`.
    bytes32 public constant HANDLE_BATCH_TYPEHASH =
        keccak256(abi.encodePacked("HandleBatch(Transfer[] transfers)", TRANSFER_TYPE));

    /// @notice The batch is empty.
    error EmptyBatch();
    /// @notice `tokenType` is not 0 (KLAY), 1 (KIP7) or 2 (KIP17).
    error InvalidTokenType(uint8 tokenType);

    constructor() EIP712("ServiceChainBridge", "1") {}

    /// @notice Destination chain: executes every transfer of `transfers` not handled yet, approved by `signatures`:
    /// 65-byte `r ‖ s ‖ v` signatures of current operators over `batchDigest(transfers)`, sorted by signer address
    /// ascending, at least the value-transfer threshold of them. Anyone may call.
    function handleSignedTransfers(Transfer[] calldata transfers, bytes calldata signatures) external nonReentrant {
        if (transfers.length == 0) revert EmptyBatch();
        _requireOperatorSignatures(VOTE_VALUE_TRANSFER, batchDigest(transfers), signatures);
        for (uint256 i = 0; i < transfers.length; ++i) {
            Transfer calldata t = transfers[i];
            if (isHandled(t.requestNonce)) continue;
            _executeHandle(_toHandleRequest(t), false);
        }
    }

    /// @notice The EIP-712 digest the operators sign for `transfers` on this bridge and chain.
    function batchDigest(Transfer[] calldata transfers) public view returns (bytes32) {
        bytes32[] memory hashes = new bytes32[](transfers.length);
        for (uint256 i = 0; i < transfers.length; ++i) {
            hashes[i] = hashTransfer(transfers[i]);
        }
        return _hashTypedDataV4(keccak256(abi.encode(HANDLE_BATCH_TYPEHASH, keccak256(abi.encodePacked(hashes)))));
    }

    /// @dev The transfer as the execution core takes it; refuses an unknown token type.
    function _toHandleRequest(Transfer calldata t) internal pure returns (HandleRequest memory) {
        if (t.tokenType > uint8(TokenType.ERC721)) revert InvalidTokenType(t.tokenType);
        return HandleRequest({
            requestTxHash: t.requestTxHash,
            tokenType: TokenType(t.tokenType),
            from: t.from,
            to: t.to,
            tokenAddress: t.tokenAddress,
            valueOrTokenId: t.valueOrTokenId,
            requestNonce: t.requestNonce,
            requestBlockNumber: t.requestBlockNumber,
            tokenURI: t.tokenURI,
            extraData: t.extraData
        });
    }
}

/// @dev EIP-712 `hashStruct` of one transfer, for the bridge's batches and its recovery ledger's approvals. The eight
/// static fields head the calldata struct in the order of the type, so they are hashed straight from calldata (a dirty
/// word only yields a digest nobody signed).
function hashTransfer(BridgeSignedHandles.Transfer calldata t) pure returns (bytes32 structHash) {
    bytes32 uriHash = keccak256(bytes(t.tokenURI));
    bytes32 extraHash = keccak256(t.extraData);
    bytes32 typeHash = TRANSFER_TYPE_HASH;
    assembly ("memory-safe") {
        let ptr := mload(0x40)
        mstore(ptr, typeHash)
        calldatacopy(add(ptr, 0x20), t, 0x100)
        mstore(add(ptr, 0x120), uriHash)
        mstore(add(ptr, 0x140), extraHash)
        structHash := keccak256(ptr, 0x160)
    }
}
