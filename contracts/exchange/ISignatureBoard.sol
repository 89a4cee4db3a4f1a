// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title The signature board: events and errors
/// @notice The operators' relayers exchange their signatures of signed actions (handle batches, anchors,
/// cancellations, refunds) as posts on the child chain. A post names its action, carries the EIP-712 digest signed
/// and the 65-byte signature; readers rebuild the content from the chains, never from the post.
interface ISignatureBoard {
    /// @notice The kinds of signed action a post can carry.
    enum Kind {
        Batch,
        Anchor,
        Cancel,
        Refund
    }

    /// @notice One operator's signature of one action.
    /// @param kind what is signed
    /// @param name which action, by kind: a batch's direction and nonce run, an anchor's block, a transfer's side
    /// and nonce (see the relayer's board transport for the layout); the content is rebuilt from the chains
    /// @param digest the EIP-712 digest signed
    /// @param signature 65 bytes, r ‖ s ‖ v
    struct Post {
        Kind kind;
        bytes32 name;
        bytes32 digest;
        bytes signature;
    }

    /// @notice `operator` posted its `signature` of `digest`, for the action `name` of `kind`.
    event Posted(address indexed operator, Kind indexed kind, bytes32 name, bytes32 digest, bytes signature);

    /// @notice The caller is not a current operator of the child bridge.
    error NotBridgeOperator(address account);
    /// @notice A transaction must carry at least one post.
    error NoPosts();
    /// @notice More posts than `max` in one transaction.
    error TooManyPosts(uint256 count, uint256 max);
    /// @notice Post `index` carries a signature of `length` bytes instead of 65.
    error InvalidSignatureLength(uint256 index, uint256 length);
    /// @notice The bridge address given at deployment holds no contract.
    error BridgeNotContract(address bridge);

    /// @notice The child bridge whose current operators may post.
    function bridge() external view returns (address);

    /// @notice The most posts one transaction may carry.
    function MAX_POSTS() external view returns (uint256);

    /// @notice Posts the caller's signatures, one `Posted` event each. Current operators of `bridge` only.
    function post(Post[] calldata posts) external;
}
