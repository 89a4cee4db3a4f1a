// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// External Imports
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

// Internal Imports
import {OperatorVotes} from "../common/OperatorVotes.sol";
import {IAnchoringReceiver} from "./IAnchoringReceiver.sol";

/// @title AnchoringReceiver: the parent-chain record of a service chain's blocks
/// @notice Deployed on the parent chain. The deployer is the owner and sole operator, with a threshold of 1; the
/// owner registers the service chain's operators and sets the anchoring threshold (vote type 0). An anchor is
/// accepted once, when the threshold of current operators agree on exactly its content, by either path:
/// - `submitAnchor`: one transaction per operator, Klaytn style. The vote is keyed by the block number and the hash
///   `keccak256(abi.encode(anchor))` of all the fields, in the order of `Anchor`.
/// - `submitSignedAnchors`: one transaction by anyone, carrying the operators' EIP-712 signatures (domain
///   "AnchoringReceiver", version "1", this chain and this contract) over each anchor. Nothing is stored per
///   operator on this path.
/// Rules, the same on both paths: the block hash is never zero; a new anchor must be above the latest anchored block
/// (the first may be any block, 0 included); the same anchor again is refused (`AlreadyAnchored`); a different
/// anchor for an anchored block is refused without reverting, so that the `ConflictingAnchor` report stays on chain.
/// @dev Storage is designed for gas: each anchor takes one fresh slot, its EIP-712 struct hash (a commitment to all
/// its fields), keyed by block number; the fields themselves travel in `AnchorAccepted`. `verifyAnchor` checks a
/// header against the commitment, and any difference in any field is a conflict. The latest block number and the
/// anchor count share one slot, written once per transaction.
contract AnchoringReceiver is OperatorVotes, EIP712, IAnchoringReceiver {
    /// @notice The EIP-712 type hash of `Anchor`.
    bytes32 public constant ANCHOR_TYPEHASH = keccak256(
        "Anchor(bytes32 blockHash,bytes32 parentHash,bytes32 transactionsRoot,bytes32 receiptsRoot,bytes32 stateRoot,"
        "bytes32 blocksRoot,uint64 blockNumber,uint64 blockCount,uint64 txCount)"
    );

    uint8 private constant VOTE_ANCHORING = 0;

    /// @dev One slot.
    struct AnchorState {
        uint64 latestAnchoredBlock;
        uint64 anchoredBlockCount;
    }

    AnchorState private _state;
    mapping(uint64 blockNumber => bytes32 anchorHash) private _anchorHashes;

    constructor() EIP712("AnchoringReceiver", "1") {}

    // ------------------------------------------------------------------ submit

    /// @notice An operator's vote for the anchor of child block `blockNumber`. When the votes of the threshold of
    /// current operators for exactly this content are in, the anchor is stored and `AnchorAccepted` is emitted.
    /// A different anchor for an already anchored block emits `ConflictingAnchor` and changes nothing.
    /// Operators only.
    /// @param blockNumber the child block
    /// @param blockHash its hash (not zero)
    /// @param parentHash its parent's hash
    /// @param transactionsRoot its transactions root
    /// @param receiptsRoot its receipts root
    /// @param stateRoot its state root
    /// @param blocksRoot the Merkle root over the `AnchoredBlock`s of the range (see `IAnchoringReceiver.Anchor`)
    /// @param blockCount the number of child blocks the anchor covers, ending at `blockNumber`
    /// @param txCount the number of child transactions in those blocks
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
    ) external {
        _operatorBit(msg.sender);
        Anchor memory anchor = Anchor({
            blockHash: blockHash,
            parentHash: parentHash,
            transactionsRoot: transactionsRoot,
            receiptsRoot: receiptsRoot,
            stateRoot: stateRoot,
            blocksRoot: blocksRoot,
            blockNumber: blockNumber,
            blockCount: blockCount,
            txCount: txCount
        });
        AnchorState memory state = _state;
        bytes32 submittedHash = _structHash(anchor);
        bytes32 anchoredHash = _admit(anchor, submittedHash, state);
        if (anchoredHash != 0) {
            emit ConflictingAnchor(blockNumber, anchoredHash, submittedHash, msg.sender);
            return;
        }
        if (!_castVote(VOTE_ANCHORING, blockNumber, submittedHash)) return;
        _accept(anchor, submittedHash, state);
        _state = state;
    }

    /// @notice Accepts `anchors`, in strictly ascending block order, each with the signatures of at least the
    /// threshold of current operators. Anyone may submit. `signatures[i]` is the concatenation of 65-byte
    /// `r ‖ s ‖ v` signatures over `anchorDigest(anchors[i])`, sorted by signer address, ascending. A signed anchor
    /// that differs from the one recorded for its block emits `ConflictingAnchor` and is skipped; every other refusal
    /// reverts the whole call.
    /// @param anchors the anchors, by ascending block number
    /// @param signatures one set of operator signatures per anchor
    function submitSignedAnchors(Anchor[] calldata anchors, bytes[] calldata signatures) external {
        uint256 anchorCount = anchors.length;
        if (anchorCount == 0) revert NoAnchors();
        if (signatures.length != anchorCount) revert SignatureSetCountMismatch(anchorCount, signatures.length);
        AnchorState memory state = _state;
        uint64 countBefore = state.anchoredBlockCount;
        uint64 previousBlockNumber;
        for (uint256 i = 0; i < anchorCount; ++i) {
            Anchor memory anchor = anchors[i];
            if (i != 0 && anchor.blockNumber <= previousBlockNumber) {
                revert AnchorsNotAscending(previousBlockNumber, anchor.blockNumber);
            }
            previousBlockNumber = anchor.blockNumber;
            bytes32 submittedHash = _structHash(anchor);
            bytes32 anchoredHash = _admit(anchor, submittedHash, state);
            _requireOperatorSignatures(VOTE_ANCHORING, _hashTypedDataV4(submittedHash), signatures[i]);
            if (anchoredHash != 0) {
                emit ConflictingAnchor(anchor.blockNumber, anchoredHash, submittedHash, msg.sender);
            } else {
                _accept(anchor, submittedHash, state);
            }
        }
        if (state.anchoredBlockCount != countBefore) _state = state;
    }

    // ------------------------------------------------------------------ views

    /// @notice The EIP-712 digest operators sign for `anchor`: the typed struct `ANCHOR_TYPEHASH` in this
    /// contract's domain (name "AnchoringReceiver", version "1", this chain id, this contract's address).
    /// @param anchor the anchor to sign
    /// @return the digest to sign
    function anchorDigest(Anchor calldata anchor) external view returns (bytes32) {
        return _hashTypedDataV4(_structHash(anchor));
    }

    /// @notice The commitment to the anchor of child block `blockNumber`: its EIP-712 struct hash (zero when the
    /// block is not anchored). The anchor's fields are in its `AnchorAccepted` event.
    /// @param blockNumber the child block
    /// @return the anchor's struct hash
    function anchorHash(uint64 blockNumber) external view returns (bytes32) {
        return _anchorHashes[blockNumber];
    }

    /// @notice Whether `anchor` is exactly the anchor accepted for its block: every field matches.
    /// @param anchor a child block header's anchor fields
    /// @return true when that very anchor was accepted
    function verifyAnchor(Anchor calldata anchor) external view returns (bool) {
        bytes32 stored = _anchorHashes[anchor.blockNumber];
        return stored != 0 && stored == _structHash(anchor);
    }

    /// @notice Whether `childBlock` is one of the blocks that `anchor` commits to, and `anchor` is exactly the anchor
    /// accepted for its block: the block lies in the anchor's range and `proof` is its OpenZeppelin Merkle proof
    /// (sorted pairs) against `anchor.blocksRoot`.
    /// @param anchor the accepted anchor of a range
    /// @param childBlock a child block of that range (the leaf)
    /// @param proof the leaf's Merkle proof
    /// @return true when both hold
    function verifyAnchoredBlock(Anchor calldata anchor, AnchoredBlock calldata childBlock, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        bytes32 stored = _anchorHashes[anchor.blockNumber];
        if (stored == 0 || stored != _structHash(anchor)) return false;
        if (childBlock.number > anchor.blockNumber || uint256(childBlock.number) + anchor.blockCount <= anchor.blockNumber) {
            return false;
        }
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(childBlock))));
        return MerkleProof.verifyCalldata(proof, anchor.blocksRoot, leaf);
    }

    /// @notice Whether child block `blockNumber` is anchored.
    /// @param blockNumber the child block
    /// @return whether an anchor of it was accepted
    function isAnchored(uint64 blockNumber) external view returns (bool) {
        return _anchorHashes[blockNumber] != 0;
    }

    /// @notice The highest anchored child block; 0 before the first anchor (`hasAnyAnchor` tells the two apart).
    /// @return the block number
    function latestAnchoredBlock() external view returns (uint64) {
        return _state.latestAnchoredBlock;
    }

    /// @notice How many anchors were accepted, by either path.
    /// @return the number of anchored blocks
    function anchoredBlockCount() external view returns (uint64) {
        return _state.anchoredBlockCount;
    }

    /// @notice Whether any anchor was accepted yet.
    /// @return false before the first anchor
    function hasAnyAnchor() external view returns (bool) {
        return _state.anchoredBlockCount != 0;
    }

    // ------------------------------------------------------------------ internal

    /// @dev One vote type: anchoring (0).
    function _voteTypeCount() internal pure override returns (uint8) {
        return 1;
    }

    /// @dev Checks `anchor` (whose struct hash is `submittedHash`) against the recorded anchors. Returns zero when it
    /// is new and may be accepted; returns the recorded anchor's hash when it conflicts with it. Reverts on a zero
    /// block hash, on the very anchor already recorded, and on a block at or below the latest one that is not anchored.
    function _admit(Anchor memory anchor, bytes32 submittedHash, AnchorState memory state)
        private
        view
        returns (bytes32)
    {
        uint64 blockNumber = anchor.blockNumber;
        if (anchor.blockHash == 0) revert ZeroBlockHash(blockNumber);
        if (state.anchoredBlockCount == 0 || blockNumber > state.latestAnchoredBlock) return 0;
        bytes32 anchoredHash = _anchorHashes[blockNumber];
        if (anchoredHash == 0) revert AnchorNotAfterLatest(blockNumber, state.latestAnchoredBlock);
        if (anchoredHash == submittedHash) revert AlreadyAnchored(blockNumber);
        return anchoredHash;
    }

    /// @dev Records `anchor`, emits `AnchorAccepted` and moves `state` (the caller writes it back).
    function _accept(Anchor memory anchor, bytes32 hash, AnchorState memory state) private {
        _anchorHashes[anchor.blockNumber] = hash;
        state.latestAnchoredBlock = anchor.blockNumber;
        ++state.anchoredBlockCount;
        emit AnchorAccepted(
            anchor.blockNumber,
            anchor.blockHash,
            anchor.parentHash,
            anchor.transactionsRoot,
            anchor.receiptsRoot,
            anchor.stateRoot,
            anchor.blocksRoot,
            anchor.blockCount,
            anchor.txCount
        );
    }

    /// @dev The EIP-712 struct hash of `anchor`: a static struct is encoded field by field, as EIP-712 asks.
    function _structHash(Anchor memory anchor) private pure returns (bytes32) {
        return keccak256(abi.encode(ANCHOR_TYPEHASH, anchor));
    }
}
