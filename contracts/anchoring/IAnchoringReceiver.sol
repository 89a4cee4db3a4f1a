// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {IOperatorVotes} from "../common/IOperatorVotes.sol";

/// @title The anchoring of a service chain on its parent chain: the anchor, its events, errors and functions
/// @notice Operators record blocks of the child chain (block hash, parent hash, roots, and the number of blocks and
/// transactions of the range the anchor covers, the fields Klaytn's anchoring transaction carries) and a Merkle root
/// over every block of that range, so that any block of it can be proven (`verifyAnchoredBlock`). An anchor is accepted
/// when the threshold of current operators agree on exactly its content, either by one vote each
/// (`submitAnchor`) or by EIP-712 signatures that anyone may submit (`submitSignedAnchors`). Anchors move forward
/// only; a block is anchored once; a different anchor for an anchored block is refused and reported.
interface IAnchoringReceiver is IOperatorVotes {
    /// @notice One anchored block of the child chain.
    /// @param blockHash the hash of the block (never zero)
    /// @param parentHash the hash of its parent block
    /// @param transactionsRoot the block's transactions root
    /// @param receiptsRoot the block's receipts root
    /// @param stateRoot the block's state root
    /// @param blocksRoot the root of the OpenZeppelin standard Merkle tree whose leaves are the `AnchoredBlock`s of
    /// the range: the `blockCount` blocks that end at `blockNumber`
    /// @param blockNumber the number of the block
    /// @param blockCount the number of child blocks the anchor covers, ending at `blockNumber`
    /// @param txCount the number of child transactions in those blocks
    struct Anchor {
        bytes32 blockHash;
        bytes32 parentHash;
        bytes32 transactionsRoot;
        bytes32 receiptsRoot;
        bytes32 stateRoot;
        bytes32 blocksRoot;
        uint64 blockNumber;
        uint64 blockCount;
        uint64 txCount;
    }

    /// @notice One block of an anchored range, a leaf of the anchor's `blocksRoot`: the leaf is
    /// `keccak256(bytes.concat(keccak256(abi.encode(number, hash, transactionsRoot, receiptsRoot))))`.
    /// @param number the block number
    /// @param hash the block hash
    /// @param transactionsRoot the root its transactions are proven against
    /// @param receiptsRoot the root its receipts are proven against
    struct AnchoredBlock {
        uint64 number;
        bytes32 hash;
        bytes32 transactionsRoot;
        bytes32 receiptsRoot;
    }

    /// @notice Child block `blockNumber` was anchored with this content.
    event AnchorAccepted(
        uint64 indexed blockNumber,
        bytes32 indexed blockHash,
        bytes32 parentHash,
        bytes32 transactionsRoot,
        bytes32 receiptsRoot,
        bytes32 stateRoot,
        bytes32 blocksRoot,
        uint64 blockCount,
        uint64 txCount
    );

    /// @notice An anchor different from the one recorded for `blockNumber` was submitted by `submitter` (an operator
    /// on the vote path; on the signed path the account that sent the threshold of operator signatures over it). It
    /// was refused: nothing changed.
    /// `anchoredHash` and `submittedHash` are the two anchors' EIP-712 struct hashes.
    event ConflictingAnchor(
        uint64 indexed blockNumber,
        bytes32 anchoredHash,
        bytes32 submittedHash,
        address indexed submitter
    );

    /// @notice An anchor must name a block hash.
    error ZeroBlockHash(uint64 blockNumber);
    /// @notice Anchors move forward: `blockNumber` is not above the latest anchored block `latest`.
    error AnchorNotAfterLatest(uint64 blockNumber, uint64 latest);
    /// @notice Block `blockNumber` is already anchored with exactly this content.
    error AlreadyAnchored(uint64 blockNumber);
    /// @notice A signed submission carries no anchor.
    error NoAnchors();
    /// @notice A signed submission needs one set of signatures per anchor.
    error SignatureSetCountMismatch(uint256 anchorCount, uint256 signatureSetCount);
    /// @notice The anchors of one signed submission must have strictly ascending block numbers.
    error AnchorsNotAscending(uint64 previousBlockNumber, uint64 blockNumber);

    /// @notice The EIP-712 type hash of `Anchor`.
    function ANCHOR_TYPEHASH() external view returns (bytes32);

    /// @notice An operator's vote for an anchor of child block `blockNumber`; the anchor is accepted when the
    /// threshold of current operators voted for exactly the same content. Operators only.
    function submitAnchor(
        uint64 blockNumber,
        bytes32 blockHash,
        bytes32 parentHash,
        bytes32 transactionsRoot,
        bytes32 receiptsRoot,
        bytes32 stateRoot,
        bytes32 blocksRoot,
        uint64 blockCount,
        uint64 txCount
    ) external;

    /// @notice Accepts `anchors`, each signed by at least the threshold of current operators. Anyone may submit.
    function submitSignedAnchors(Anchor[] calldata anchors, bytes[] calldata signatures) external;

    /// @notice The EIP-712 digest operators sign for `anchor`.
    function anchorDigest(Anchor calldata anchor) external view returns (bytes32);

    /// @notice The EIP-712 struct hash of the anchor accepted for `blockNumber` (zero when none).
    function anchorHash(uint64 blockNumber) external view returns (bytes32);

    /// @notice Whether `anchor` is exactly the anchor accepted for its block.
    function verifyAnchor(Anchor calldata anchor) external view returns (bool);

    /// @notice Whether `childBlock` is one of the blocks that `anchor`, the anchor accepted for its block, commits to:
    /// `proof` is its OpenZeppelin Merkle proof against `anchor.blocksRoot`.
    function verifyAnchoredBlock(Anchor calldata anchor, AnchoredBlock calldata childBlock, bytes32[] calldata proof)
        external
        view
        returns (bool);

    /// @notice Whether child block `blockNumber` is anchored.
    function isAnchored(uint64 blockNumber) external view returns (bool);

    /// @notice The highest anchored child block number (0 before the first anchor: see `hasAnyAnchor`).
    function latestAnchoredBlock() external view returns (uint64);

    /// @notice How many anchors were accepted.
    function anchoredBlockCount() external view returns (uint64);

    /// @notice Whether any anchor was accepted (tells "none yet" from an anchor of block 0).
    function hasAnyAnchor() external view returns (bool);
}
