// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {MerklePatriciaProof} from "../anchoring/MerklePatriciaProof.sol";

/// @title Test fixture: exposes `MerklePatriciaProof.get` to the tests that check it against the ethereumjs trie.
contract MerklePatriciaProofHarness {
    /// @notice The value at `key` under `root`, as `proof` shows it.
    function get(bytes32 root, bytes calldata key, bytes[] calldata proof) external pure returns (bytes memory) {
        return MerklePatriciaProof.get(root, key, proof);
    }
}
