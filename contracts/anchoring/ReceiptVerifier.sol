// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {IAnchoringReceiver} from "./IAnchoringReceiver.sol";
import {IReceiptVerifier} from "./IReceiptVerifier.sol";
import {MerklePatriciaProof} from "./MerklePatriciaProof.sol";

/// @title ReceiptVerifier: a child-chain receipt, proven against the anchors on the parent chain
/// @notice Deployed on the parent chain beside the AnchoringReceiver. `verifyReceipt` checks that the anchor is the
/// one accepted for its block and that the block is in its range (`AnchoringReceiver.verifyAnchoredBlock`), then
/// follows the receipt's Merkle-Patricia proof under the block's receipts root (`MerklePatriciaProof`, read from
/// calldata) and decodes the receipt. Stateless: anyone may call it; contracts that act on a proven event keep their
/// own record of what they acted on (see `ProvenTransferRecorder`).
contract ReceiptVerifier is IReceiptVerifier {
    /// @notice The anchoring receiver whose anchors proofs are checked against.
    IAnchoringReceiver public immutable receiver;

    constructor(IAnchoringReceiver receiver_) {
        receiver = receiver_;
    }

    /// @notice Checks `proof` and returns the receipt's status (1: success; Kaia's error codes above 1) and logs.
    /// Reverts with `BlockNotAnchored`, `MerklePatriciaProof.InvalidTrieProof` or `MalformedReceipt` when a part
    /// does not hold.
    /// @param proof the anchor, the block, its Merkle proof, the receipt's index and its trie proof
    /// @return status the receipt's status
    /// @return logs the receipt's logs
    function verifyReceipt(ReceiptProof calldata proof) external view returns (uint256 status, Log[] memory logs) {
        uint64 blockNumber = proof.childBlock.number;
        if (!receiver.verifyAnchoredBlock(proof.anchor, proof.childBlock, proof.blockProof)) {
            revert BlockNotAnchored(blockNumber);
        }
        bytes calldata receipt =
            MerklePatriciaProof.get(proof.childBlock.receiptsRoot, _indexKey(proof.transactionIndex), proof.receiptProof);
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

    /// @dev `[status, gas, bloom, logs]`, after the type byte of a typed Ethereum receipt; each log
    /// `[address, topics, data]`.
    function _decodeReceipt(bytes calldata receipt, uint64 blockNumber, uint256 index)
        private
        pure
        returns (uint256 status, Log[] memory logs)
    {
        uint256 offset = uint8(receipt[0]) < 0x7f ? 1 : 0;
        (uint256 start, uint256 length, bool isList) = MerklePatriciaProof.item(receipt, offset);
        if (!isList || start + length != receipt.length) revert MalformedReceipt(blockNumber, index);
        (uint256 statusStart, uint256 statusLength, bool statusIsList) = MerklePatriciaProof.item(receipt, start);
        if (statusIsList || statusLength > 32) revert MalformedReceipt(blockNumber, index);
        for (uint256 i = statusStart; i < statusStart + statusLength; ++i) {
            status = (status << 8) | uint8(receipt[i]);
        }
        // skip the gas and the bloom
        offset = statusStart + statusLength;
        for (uint256 skip = 0; skip < 2; ++skip) {
            (uint256 fieldStart, uint256 fieldLength,) = MerklePatriciaProof.item(receipt, offset);
            offset = fieldStart + fieldLength;
        }
        (uint256 logsStart, uint256 logsLength, bool logsIsList) = MerklePatriciaProof.item(receipt, offset);
        if (!logsIsList || logsStart + logsLength != receipt.length) revert MalformedReceipt(blockNumber, index);
        logs = new Log[](_count(receipt, logsStart, logsStart + logsLength));
        offset = logsStart;
        for (uint256 i = 0; i < logs.length; ++i) {
            (uint256 logStart, uint256 logLength,) = MerklePatriciaProof.item(receipt, offset);
            offset = logStart + logLength;
            logs[i] = _decodeLog(receipt, logStart, blockNumber, index);
        }
    }

    /// @dev One log `[address, topics, data]` whose payload starts at `start`.
    function _decodeLog(bytes calldata receipt, uint256 start, uint64 blockNumber, uint256 index)
        private
        pure
        returns (Log memory log)
    {
        (uint256 addressStart, uint256 addressLength,) = MerklePatriciaProof.item(receipt, start);
        if (addressLength != 20) revert MalformedReceipt(blockNumber, index);
        log.emitter = address(bytes20(receipt[addressStart:addressStart + 20]));
        (uint256 topicsStart, uint256 topicsLength, bool topicsIsList) =
            MerklePatriciaProof.item(receipt, addressStart + 20);
        if (!topicsIsList) revert MalformedReceipt(blockNumber, index);
        uint256 topicsEnd = topicsStart + topicsLength;
        log.topics = new bytes32[](_count(receipt, topicsStart, topicsEnd));
        uint256 offset = topicsStart;
        for (uint256 t = 0; t < log.topics.length; ++t) {
            (uint256 topicStart, uint256 topicLength,) = MerklePatriciaProof.item(receipt, offset);
            if (topicLength != 32) revert MalformedReceipt(blockNumber, index);
            log.topics[t] = bytes32(receipt[topicStart:topicStart + 32]);
            offset = topicStart + 32;
        }
        (uint256 dataStart, uint256 dataLength,) = MerklePatriciaProof.item(receipt, topicsEnd);
        log.data = receipt[dataStart:dataStart + dataLength];
    }

    /// @dev How many RLP items lie between `start` and `end`.
    function _count(bytes calldata data, uint256 start, uint256 end) private pure returns (uint256 count) {
        while (start < end) {
            (uint256 itemStart, uint256 itemLength,) = MerklePatriciaProof.item(data, start);
            start = itemStart + itemLength;
            ++count;
        }
    }
}
