// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {IAnchoringReceiver} from "./IAnchoringReceiver.sol";

/// @title Proofs of child-chain receipts against the anchors on the parent chain: the proof, the result, the errors
/// @notice A receipt proof names an accepted anchor, one block of its range (a leaf of the anchor's `blocksRoot`)
/// with its Merkle proof, and the Merkle-Patricia proof of the receipt at `transactionIndex` under that block's
/// receipts root (Kaia's `DeriveShaImpl` 0, the trie, and Ethereum's). Receipts encoded either way are read: typed
/// Ethereum receipts (a type byte, then `[status, cumulativeGasUsed, logsBloom, logs]`) and Kaia's
/// `[status, gasUsed, logsBloom, logs]`.
interface IReceiptVerifier {
    /// @notice A receipt of a child block and what proves it.
    /// @param anchor the accepted anchor whose range holds the block
    /// @param childBlock the block (a leaf of `anchor.blocksRoot`)
    /// @param blockProof the leaf's OpenZeppelin Merkle proof
    /// @param transactionIndex the receipt's index in the block
    /// @param receiptProof the trie nodes from the receipts root to the receipt
    struct ReceiptProof {
        IAnchoringReceiver.Anchor anchor;
        IAnchoringReceiver.AnchoredBlock childBlock;
        bytes32[] blockProof;
        uint256 transactionIndex;
        bytes[] receiptProof;
    }

    /// @notice One log of a proven receipt.
    struct Log {
        address emitter;
        bytes32[] topics;
        bytes data;
    }

    /// @notice The block is not in the range of an accepted anchor (or the anchor is not the accepted one).
    error BlockNotAnchored(uint64 blockNumber);
    /// @notice The trie holds an empty value at `transactionIndex` under the block's receipts root.
    error ReceiptNotInBlock(uint64 blockNumber, uint256 transactionIndex);
    /// @notice The proven item is not a receipt (not a list of four fields).
    error MalformedReceipt(uint64 blockNumber, uint256 transactionIndex);

    /// @notice The anchoring receiver whose anchors proofs are checked against.
    function receiver() external view returns (IAnchoringReceiver);

    /// @notice Checks `proof` and returns the receipt's status (1: success) and logs; reverts when any part fails.
    function verifyReceipt(ReceiptProof calldata proof) external view returns (uint256 status, Log[] memory logs);
}
