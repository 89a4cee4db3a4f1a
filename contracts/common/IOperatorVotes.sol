// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title The operator set and its votes: events and errors
/// @notice Shared by the Bridge and the AnchoringReceiver. The owner manages the operators and the threshold of
/// each vote type; operators vote, and a content is accepted when `threshold` distinct current operators voted for
/// exactly that content.
interface IOperatorVotes {
    /// @notice `operator` was added to the operator set.
    event OperatorRegistered(address indexed operator);
    /// @notice `operator` was removed from the operator set; its pending votes no longer count.
    event OperatorDeregistered(address indexed operator);
    /// @notice The threshold of `voteType` became `threshold`.
    event OperatorThresholdChanged(uint8 indexed voteType, uint8 threshold);
    /// @notice `operator` voted for `contentHash` at `nonce` of `voteType`.
    event VoteCast(uint8 indexed voteType, uint64 indexed nonce, address indexed operator, bytes32 contentHash);

    /// @notice The caller is not a current operator.
    error NotOperator(address account);
    /// @notice The address given is the zero address.
    error ZeroAddress();
    /// @notice `operator` is already registered.
    error OperatorAlreadyRegistered(address operator);
    /// @notice `operator` is not registered.
    error OperatorNotRegistered(address operator);
    /// @notice The operator set is full.
    error TooManyOperators(uint256 max);
    /// @notice `voteType` is not a vote type of this contract.
    error InvalidVoteType(uint8 voteType);
    /// @notice `threshold` is zero or above the `operatorCount`.
    error InvalidThreshold(uint8 threshold, uint256 operatorCount);
    /// @notice Removing an operator would leave the threshold of `voteType` above the operators left.
    error ThresholdAboveOperatorCount(uint8 voteType, uint8 threshold, uint256 operatorCount);
    /// @notice The signatures are not a whole number of 65-byte signatures.
    error InvalidSignaturesLength(uint256 length);
    /// @notice Fewer signatures than the threshold.
    error NotEnoughSignatures(uint256 count, uint256 threshold);
    /// @notice Signatures must be sorted by signer, ascending, each signer once.
    error SignersNotSorted(address previous, address signer);
    /// @notice A signature recovers to `signer`, who is not a current operator.
    error SignerNotOperator(address signer);
    /// @notice The operator roster could not be written (out of gas).
    error RosterNotWritten();
}
