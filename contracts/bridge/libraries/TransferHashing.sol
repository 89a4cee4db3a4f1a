// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {IBridgeTransfers} from "../interfaces/IBridgeTransfers.sol";

/// @dev EIP-712 type of `IBridgeTransfers.Transfer`, shared by the signed batches and the recovery ledger's approvals.
string constant TRANSFER_TYPE =
    "Transfer(bytes32 requestTxHash,uint8 tokenType,address from,address to,address tokenAddress,uint256 valueOrTokenId,uint64 requestNonce,uint64 requestBlockNumber,string tokenURI,bytes extraData)";

/// @dev EIP-712 type hash of `Transfer`: `keccak256(bytes(TRANSFER_TYPE))`, written out, as the compiler would hash the
/// string on every use (test/bridge/signed-handles.ts checks the bridge's digests against the relayer's).
bytes32 constant TRANSFER_TYPE_HASH = 0x7d9658566ddd7047cddefb4290198ff7cfd29b5bde29933f81cbf85c194486ee;

/// @dev EIP-712 `hashStruct` of one transfer, for the bridge's batches and its recovery ledger's approvals. The eight
/// static fields head the calldata struct in the order of the type, so they are hashed straight from calldata (a dirty
/// word only yields a digest nobody signed).
function hashTransfer(IBridgeTransfers.Transfer calldata t) pure returns (bytes32 structHash) {
    bytes32 typeHash = TRANSFER_TYPE_HASH;
    string calldata uri = t.tokenURI;
    bytes calldata extraData = t.extraData;
    assembly ("memory-safe") {
        // both dynamic fields hashed where they lie in calldata, copied to free memory (not allocated: nothing
        // outlives this function)
        let ptr := mload(0x40)
        calldatacopy(ptr, uri.offset, uri.length)
        let uriHash := keccak256(ptr, uri.length)
        calldatacopy(ptr, extraData.offset, extraData.length)
        let extraHash := keccak256(ptr, extraData.length)
        mstore(ptr, typeHash)
        calldatacopy(add(ptr, 0x20), t, 0x100)
        mstore(add(ptr, 0x120), uriHash)
        mstore(add(ptr, 0x140), extraHash)
        structHash := keccak256(ptr, 0x160)
    }
}

/// @dev What a recovery ledger records of a parked transfer, and what it checks a transfer against: the hash of its
/// ABI encoding. The bridge parks from memory, the ledger checks from calldata; both encode the same struct.
function contentHashOf(IBridgeTransfers.Transfer memory t) pure returns (bytes32) {
    return keccak256(abi.encode(t));
}
