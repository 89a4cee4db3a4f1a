// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title MerklePatriciaProof: an item of a transactions or receipts trie, proven against the trie's root
/// @notice Reads an Ethereum Merkle-Patricia inclusion proof (the nodes from the root to the leaf, as `eth_getProof`
/// and the ethereumjs trie give them) straight from calldata: each node referenced by hash must hash to it, a node
/// shorter than 32 bytes is read where its parent embeds it, and the key's nibbles are followed through branch,
/// extension and leaf nodes. Returns the value at the key as a calldata slice, or reverts. Also the RLP item reader
/// that the receipt decoding shares. Keys of transactions and receipts tries are `rlp(index)`, a prefix-free code,
/// so no value sits in a branch node.
library MerklePatriciaProof {
    /// @notice The proof does not lead to a value at the key under the root (a node that does not hash to its
    /// reference, a path that diverges, a missing child, or too few nodes).
    error InvalidTrieProof(uint256 nodeIndex);
    /// @notice An RLP item runs past the end of its data, or has the wrong kind.
    error MalformedRlp(uint256 offset);

    /// @notice The value stored at `key` in the trie whose root is `root`, proven by `proof`.
    /// @param root the trie's root hash
    /// @param key the key (for a transactions or receipts trie: the RLP of the index)
    /// @param proof the RLP-encoded nodes from the root to the leaf
    /// @return value the value at the key
    function get(bytes32 root, bytes memory key, bytes[] calldata proof) internal pure returns (bytes calldata value) {
        uint256 consumed;
        uint256 nodeIndex;
        if (proof.length == 0) revert InvalidTrieProof(0);
        bytes calldata node = proof[0];
        value = node[0:0];
        if (keccak256(node) != root) revert InvalidTrieProof(0);
        while (true) {
            (uint256 childStart, uint256 childEnd, bool embedded, bool isValue, uint256 nowConsumed) =
                _step(node, key, consumed, nodeIndex);
            consumed = nowConsumed;
            if (isValue) return node[childStart:childEnd];
            if (embedded) {
                // a node shorter than 32 bytes, embedded in its parent
                node = node[childStart:childEnd];
            } else {
                if (childEnd - childStart != 32) revert InvalidTrieProof(nodeIndex);
                bytes32 childHash = bytes32(node[childStart:childEnd]);
                ++nodeIndex;
                if (nodeIndex >= proof.length) revert InvalidTrieProof(nodeIndex);
                node = proof[nodeIndex];
                if (keccak256(node) != childHash) revert InvalidTrieProof(nodeIndex);
            }
        }
    }

    /// @dev One node on the key's path: where the next node (or, at a leaf, the value) lies in `node`, whether it is
    /// embedded (a list) rather than referenced by hash, whether it is the value, and how many key nibbles are
    /// consumed after this node.
    function _step(bytes calldata node, bytes memory key, uint256 consumed, uint256 nodeIndex)
        private
        pure
        returns (uint256 start, uint256 end, bool embedded, bool isValue, uint256)
    {
        (uint256 listStart, uint256 listLength, bool isList) = item(node, 0);
        if (!isList) revert InvalidTrieProof(nodeIndex);
        (uint256 firstStart, uint256 firstLength,) = item(node, listStart);
        uint256 secondOffset = firstStart + firstLength;
        (uint256 secondStart, uint256 secondLength, bool secondIsList) = item(node, secondOffset);
        end = secondStart + secondLength;
        if (end != listStart + listLength) return _branchChild(node, listStart, key, consumed, nodeIndex);
        // leaf or extension: [hex-prefix path, value or child]
        if (firstLength == 0) revert InvalidTrieProof(nodeIndex);
        uint8 flag = uint8(node[firstStart]) >> 4;
        if (flag > 3) revert InvalidTrieProof(nodeIndex);
        uint256 pathNibbles = (firstLength - 1) * 2 + (flag & 1);
        if (consumed + pathNibbles > key.length * 2) revert InvalidTrieProof(nodeIndex);
        for (uint256 n = 0; n < pathNibbles; ++n) {
            uint256 at = n + 2 - (flag & 1);
            if (_nibble(node[firstStart + at / 2], at) != _nibble(key[(consumed + n) / 2], consumed + n)) {
                revert InvalidTrieProof(nodeIndex);
            }
        }
        consumed += pathNibbles;
        if (flag >= 2) {
            // leaf: the whole key is consumed, the value is the second item
            if (consumed != key.length * 2 || secondIsList) revert InvalidTrieProof(nodeIndex);
            return (secondStart, end, false, true, consumed);
        }
        return (secondIsList ? secondOffset : secondStart, end, secondIsList, false, consumed);
    }

    /// @dev A branch node (16 children and a value): the child at the key's next nibble.
    function _branchChild(bytes calldata node, uint256 listStart, bytes memory key, uint256 consumed, uint256 nodeIndex)
        private
        pure
        returns (uint256 start, uint256 end, bool embedded, bool isValue, uint256)
    {
        if (consumed >= key.length * 2) revert InvalidTrieProof(nodeIndex);
        uint256 offset = listStart;
        uint256 index = _nibble(key[consumed / 2], consumed);
        for (uint256 skip = 0; skip < index; ++skip) {
            (uint256 skippedStart, uint256 skippedLength,) = item(node, offset);
            offset = skippedStart + skippedLength;
        }
        uint256 length;
        (start, length, embedded) = item(node, offset);
        end = start + length;
        if (embedded) start = offset;
        return (start, end, embedded, false, consumed + 1);
    }

    /// @notice The RLP item at `offset` of `data`: where its payload starts, how long it is, whether it is a list.
    /// @param data the RLP data
    /// @param offset where the item starts
    /// @return start the payload's offset
    /// @return length the payload's length
    /// @return isList whether the item is a list
    function item(bytes calldata data, uint256 offset) internal pure returns (uint256 start, uint256 length, bool isList) {
        if (offset >= data.length) revert MalformedRlp(offset);
        uint8 prefix = uint8(data[offset]);
        if (prefix < 0x80) {
            (start, length) = (offset, 1);
        } else if (prefix < 0xb8) {
            (start, length) = (offset + 1, prefix - 0x80);
        } else if (prefix < 0xc0) {
            (start, length) = _long(data, offset, prefix - 0xb7);
        } else if (prefix < 0xf8) {
            (start, length, isList) = (offset + 1, prefix - 0xc0, true);
        } else {
            (start, length) = _long(data, offset, prefix - 0xf7);
            isList = true;
        }
        if (start + length > data.length) revert MalformedRlp(offset);
    }

    /// @dev A long item: `lengthOfLength` big-endian bytes of length after the prefix.
    function _long(bytes calldata data, uint256 offset, uint256 lengthOfLength)
        private
        pure
        returns (uint256 start, uint256 length)
    {
        start = offset + 1 + lengthOfLength;
        if (lengthOfLength > 4 || start > data.length) revert MalformedRlp(offset);
        for (uint256 i = offset + 1; i < start; ++i) {
            length = (length << 8) | uint8(data[i]);
        }
    }

    /// @dev Nibble `position` of a key or path, read from its byte `b`: the high nibble at even positions.
    function _nibble(bytes1 b, uint256 position) private pure returns (uint8) {
        return position % 2 == 0 ? uint8(b) >> 4 : uint8(b) & 0x0f;
    }
}
