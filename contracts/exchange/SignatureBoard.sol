// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {ISignatureBoard} from "./ISignatureBoard.sol";

/// @title The part of the child bridge the board reads
/// @notice Its operator set, as the Bridge (and Klaytn's bridge) exposes it.
interface IOperatorSet {
    /// @notice Whether `account` is a current operator.
    function operators(address account) external view returns (bool);
}

/// @title SignatureBoard: the operators' signatures, exchanged on the child chain
/// @notice Deployed on the child chain beside the child bridge. Its current operators post their signatures of
/// signed actions as events, which every operator's relayer reads from the chain it already watches; nothing is
/// shared between their machines but the two chains. Who may post is checked against the child bridge's operator set
/// at each post, so a removed operator can post no more.
/// @dev The board stores nothing: a post is an event and nothing else, so no post can grow its state. It checks
/// neither digests nor signatures (it cannot rebuild the content); readers check every post against the chains and
/// the destination's operator set, and ignore what does not match.
contract SignatureBoard is ISignatureBoard {
    /// @inheritdoc ISignatureBoard
    uint256 public constant MAX_POSTS = 64;

    /// @inheritdoc ISignatureBoard
    address public immutable bridge;

    /// @param bridge_ the child bridge whose operators may post
    constructor(address bridge_) {
        if (bridge_.code.length == 0) revert BridgeNotContract(bridge_);
        bridge = bridge_;
    }

    /// @inheritdoc ISignatureBoard
    /// @dev Runs on the child chain. Reverts with `NotBridgeOperator` for a caller that is not a current operator of
    /// the child bridge, `NoPosts` / `TooManyPosts` for an empty or oversized list, `InvalidSignatureLength` for a
    /// signature that is not 65 bytes.
    function post(Post[] calldata posts) external {
        if (!IOperatorSet(bridge).operators(msg.sender)) revert NotBridgeOperator(msg.sender);
        uint256 count = posts.length;
        if (count == 0) revert NoPosts();
        if (count > MAX_POSTS) revert TooManyPosts(count, MAX_POSTS);
        for (uint256 i; i < count; ++i) {
            Post calldata entry = posts[i];
            if (entry.signature.length != 65) revert InvalidSignatureLength(i, entry.signature.length);
            emit Posted(msg.sender, entry.kind, entry.name, entry.digest, entry.signature);
        }
    }
}
