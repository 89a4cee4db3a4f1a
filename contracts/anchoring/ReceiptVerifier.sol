// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// External Imports
import {EthereumTrie} from "@polytope-labs/solidity-merkle-trees/src/EthereumTrie.sol";
import {StorageValue} from "@polytope-labs/solidity-merkle-trees/src/trie/Node.sol";
import {RLPReader} from "@polytope-labs/solidity-merkle-trees/src/trie/ethereum/RLPReader.sol";

// Internal Imports
import {IAnchoringReceiver} from "./IAnchoringReceiver.sol";
import {IReceiptVerifier} from "./IReceiptVerifier.sol";

/// @title ReceiptVerifier: a child-chain receipt, proven against the anchors on the parent chain
/// @notice Deployed on the parent chain beside the AnchoringReceiver. `verifyReceipt` checks that the anchor is the
/// one accepted for its block and that the block is in its range (`AnchoringReceiver.verifyAnchoredBlock`), then
/// walks the receipt's Merkle-Patricia proof under the block's receipts root with polytope-labs'
/// `solidity-merkle-trees` (`EthereumTrie`, maintained, Apache-2.0, compiles with our 0.8.30), and decodes the receipt
/// with its RLP reader. Stateless: anyone may call it; contracts that act on a proven event keep their own record of
/// what they acted on (see `ProvenTransferRecorder`).
contract ReceiptVerifier is IReceiptVerifier {
    using RLPReader for RLPReader.RLPItem;

    /// @notice The anchoring receiver whose anchors proofs are checked against.
    IAnchoringReceiver public immutable receiver;

    constructor(IAnchoringReceiver receiver_) {
        receiver = receiver_;
    }

    /// @notice Checks `proof` and returns the receipt's status (1: success; Kaia's error codes above 1) and logs.
    /// Reverts with `BlockNotAnchored`, `ReceiptNotInBlock` or `MalformedReceipt` when a part does not hold.
    /// @param proof the anchor, the block, its Merkle proof, the receipt's index and its trie proof
    /// @return status the receipt's status
    /// @return logs the receipt's logs
    function verifyReceipt(ReceiptProof calldata proof) external view returns (uint256 status, Log[] memory logs) {
        uint64 blockNumber = proof.childBlock.number;
        if (!receiver.verifyAnchoredBlock(proof.anchor, proof.childBlock, proof.blockProof)) {
            revert BlockNotAnchored(blockNumber);
        }
        bytes[] memory keys = new bytes[](1);
        keys[0] = _indexKey(proof.transactionIndex);
        StorageValue[] memory values = EthereumTrie.VerifyProof(proof.childBlock.receiptsRoot, proof.receiptProof, keys);
        bytes memory receipt = values[0].value;
        if (receipt.length == 0) revert ReceiptNotInBlock(blockNumber, proof.transactionIndex);
        return _decodeReceipt(receipt, blockNumber, proof.transactionIndex);
    }

    /// @dev The trie key of item `index`: the RLP of the index.
    function _indexKey(uint256 index) private pure returns (bytes memory) {
        if (index == 0) return hex"80";
        if (index < 0x80) return abi.encodePacked(uint8(index));
        if (index < 0x100) return abi.encodePacked(uint8(0x81), uint8(index));
        return abi.encodePacked(uint8(0x82), uint16(index));
    }

    /// @dev `[status, gas, bloom, logs]`, after the type byte of a typed Ethereum receipt.
    function _decodeReceipt(bytes memory receipt, uint64 blockNumber, uint256 index)
        private
        pure
        returns (uint256 status, Log[] memory logs)
    {
        RLPReader.RLPItem memory item = RLPReader.toRlpItem(receipt);
        if (uint8(receipt[0]) < 0x7f) {
            // typed receipt: skip the type byte
            --item.len;
            ++item.memPtr;
        }
        if (!item.isList()) revert MalformedReceipt(blockNumber, index);
        RLPReader.RLPItem[] memory fields = item.toList();
        if (fields.length != 4) revert MalformedReceipt(blockNumber, index);
        status = fields[0].toUint();
        RLPReader.RLPItem[] memory rawLogs = fields[3].toList();
        logs = new Log[](rawLogs.length);
        for (uint256 i = 0; i < rawLogs.length; ++i) {
            RLPReader.RLPItem[] memory parts = rawLogs[i].toList();
            RLPReader.RLPItem[] memory rawTopics = parts[1].toList();
            bytes32[] memory topics = new bytes32[](rawTopics.length);
            for (uint256 t = 0; t < rawTopics.length; ++t) {
                topics[t] = bytes32(rawTopics[t].toUint());
            }
            logs[i] = Log({emitter: parts[0].toAddress(), topics: topics, data: parts[2].toBytes()});
        }
    }
}
