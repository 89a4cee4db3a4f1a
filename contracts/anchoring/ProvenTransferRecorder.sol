// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {IReceiptVerifier} from "./IReceiptVerifier.sol";

/// @title ProvenTransferRecorder: an example parent-chain contract that acts on a proven child-chain event
/// @notice Records, once each, the ERC20/KIP7 `Transfer` events that one child-chain token emitted in successful
/// child transactions, as proven by a `ReceiptVerifier` against the anchors: anyone may submit a receipt proof and
/// the index of the log; the recorder checks it, credits the recipient's `provenReceived` and emits
/// `ChildTransferProven`. A log is acted on once (keyed by block, transaction index and log index).
contract ProvenTransferRecorder {
    /// @notice `keccak256("Transfer(address,address,uint256)")`.
    bytes32 public constant TRANSFER_TOPIC = keccak256("Transfer(address,address,uint256)");

    /// @notice The verifier proofs are checked with.
    IReceiptVerifier public immutable verifier;
    /// @notice The child-chain token whose transfers are recorded.
    address public immutable childToken;

    /// @notice The total each child account received, as proven.
    mapping(address account => uint256 amount) public provenReceived;
    mapping(bytes32 logId => bool recorded) private _recorded;

    /// @notice A child-chain transfer of `childToken` was proven and recorded.
    event ChildTransferProven(uint64 indexed childBlock, address indexed from, address indexed to, uint256 value);

    /// @notice The proven transaction failed on the child chain.
    error TransactionFailed(uint64 childBlock, uint256 transactionIndex, uint256 status);
    /// @notice The receipt has no log `logIndex`, or that log is not a `Transfer` of `childToken`.
    error NotATransferOfTheToken(uint256 logIndex);
    /// @notice This log was recorded already.
    error AlreadyRecorded(uint64 childBlock, uint256 transactionIndex, uint256 logIndex);

    constructor(IReceiptVerifier verifier_, address childToken_) {
        verifier = verifier_;
        childToken = childToken_;
    }

    /// @notice Records log `logIndex` of the proven receipt: a `Transfer` of `childToken` in a successful child
    /// transaction, once. Anyone may call; the proof is the authority.
    /// @param proof the receipt proof (see `IReceiptVerifier.ReceiptProof`)
    /// @param logIndex the index of the Transfer log in the receipt
    function record(IReceiptVerifier.ReceiptProof calldata proof, uint256 logIndex) external {
        (uint256 status, IReceiptVerifier.Log[] memory logs) = verifier.verifyReceipt(proof);
        uint64 childBlock = proof.childBlock.number;
        if (status != 1) revert TransactionFailed(childBlock, proof.transactionIndex, status);
        if (logIndex >= logs.length) revert NotATransferOfTheToken(logIndex);
        IReceiptVerifier.Log memory log = logs[logIndex];
        if (log.emitter != childToken || log.topics.length != 3 || log.topics[0] != TRANSFER_TOPIC) {
            revert NotATransferOfTheToken(logIndex);
        }
        bytes32 logId = keccak256(abi.encode(childBlock, proof.transactionIndex, logIndex));
        if (_recorded[logId]) revert AlreadyRecorded(childBlock, proof.transactionIndex, logIndex);
        _recorded[logId] = true;
        address from = address(uint160(uint256(log.topics[1])));
        address to = address(uint160(uint256(log.topics[2])));
        uint256 value = abi.decode(log.data, (uint256));
        provenReceived[to] += value;
        emit ChildTransferProven(childBlock, from, to, value);
    }
}
