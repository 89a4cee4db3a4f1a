// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// External Imports
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

// Internal Imports
import {IOperatorVotes} from "./IOperatorVotes.sol";

/// @title OperatorVotes: an owner-managed operator set with per-operator votes
/// @notice The deployer starts as owner and sole operator; every threshold starts at 1 (Klaytn's bridge semantics).
/// At most `MAX_OPERATOR` operators. A vote is keyed by (vote type, nonce, content hash); the content is accepted
/// when the votes of distinct *current* operators for that exact content reach the threshold of the vote type.
/// @dev Each operator owns one bit of a 16-bit mask; a vote stores the mask of its voters in one storage slot that is
/// deleted when the vote closes, so nothing per operator is left behind. Votes are counted against the current
/// operator mask, so a removed operator's votes stop counting at once. A bit is only handed to a new operator after
/// every unused bit is taken; handing a used bit out again moves the vote epoch on, which drops all pending votes, so
/// a newcomer never inherits a predecessor's votes. Every loop is bounded by `MAX_OPERATOR`.
///
/// Derived contracts set `_voteTypeCount()` and call `_castVote` from their own entry points.
abstract contract OperatorVotes is Ownable, IOperatorVotes {
    /// @notice The largest operator set (Klaytn's limit).
    uint64 public constant MAX_OPERATOR = 12;

    struct OperatorSet {
        uint16 activeBits; // one bit per current operator
        uint16 usedBits; // bits handed out during this epoch
        uint32 epoch; // moves on when a used bit is handed out again
        uint8 count; // number of current operators
        uint8 valueThreshold; // vote type 0
        uint8 configThreshold; // vote type 1
        address roster; // data contract whose code is STOP ‖ the current operators as 32-byte words (SSTORE2)
    }

    OperatorSet internal _operatorSet;

    /// @dev operator => its bit index + 1 (0: not an operator)
    mapping(address => uint8) private _operatorSlot;

    /// @notice The current operators, in no particular order.
    address[] public operatorList;

    /// @dev keccak(voteType, epoch, nonce, contentHash) => mask of the operators who voted for it
    mapping(bytes32 => uint256) private _voters;

    constructor() Ownable(msg.sender) {
        _operatorSet.valueThreshold = 1;
        _operatorSet.configThreshold = 1;
        _addOperator(msg.sender);
    }

    // ------------------------------------------------------------------ views

    /// @notice Klaytn's `isOwner()`: whether the caller is the owner.
    function isOwner() external view returns (bool) {
        return msg.sender == owner();
    }

    /// @notice Whether `account` is a current operator.
    function operators(address account) public view returns (bool) {
        return _operatorSlot[account] != 0;
    }

    /// @notice The data contract that lists the current operators (see `_writeRoster`): a new address on every
    /// operator change, so it identifies one operator set.
    function operatorRoster() external view returns (address) {
        return _operatorSet.roster;
    }

    /// @notice The current operators.
    function getOperatorList() external view returns (address[] memory) {
        return operatorList;
    }

    /// @notice The threshold of `voteType` (0 for a type this contract does not have).
    function operatorThresholds(uint8 voteType) public view returns (uint8) {
        if (voteType == 0) return _operatorSet.valueThreshold;
        if (voteType == 1 && _voteTypeCount() > 1) return _operatorSet.configThreshold;
        return 0;
    }

    // ------------------------------------------------------------------ owner

    /// @notice Adds `operator` to the operator set. Owner only.
    function registerOperator(address _operator) external onlyOwner {
        if (_operator == address(0)) revert ZeroAddress();
        if (_operatorSlot[_operator] != 0) revert OperatorAlreadyRegistered(_operator);
        if (operatorList.length >= MAX_OPERATOR) revert TooManyOperators(MAX_OPERATOR);
        _addOperator(_operator);
    }

    /// @notice Removes `operator`; its pending votes stop counting. Refused when a threshold would be left above the
    /// number of operators that remain (lower the threshold first). Owner only.
    function deregisterOperator(address _operator) external onlyOwner {
        address operator = _operator;
        uint8 slot = _operatorSlot[operator];
        if (slot == 0) revert OperatorNotRegistered(operator);
        OperatorSet memory set = _operatorSet;
        uint256 remaining = set.count - 1;
        uint8 typeCount = _voteTypeCount();
        for (uint8 voteType = 0; voteType < typeCount; ++voteType) {
            uint8 threshold = operatorThresholds(voteType);
            if (threshold > remaining) revert ThresholdAboveOperatorCount(voteType, threshold, remaining);
        }
        set.activeBits &= ~uint16(1 << (slot - 1));
        --set.count;
        _operatorSet = set;
        delete _operatorSlot[operator];
        uint256 last = operatorList.length - 1;
        for (uint256 i = 0; i <= last; ++i) {
            if (operatorList[i] == operator) {
                operatorList[i] = operatorList[last];
                operatorList.pop();
                break;
            }
        }
        _operatorSet.roster = _writeRoster();
        emit OperatorDeregistered(operator);
    }

    /// @notice Sets the threshold of `voteType` (0: value transfer or anchoring, 1: configuration). It must be at
    /// least 1 and at most the number of operators. Owner only.
    function setOperatorThreshold(uint8 _voteType, uint8 _threshold) external onlyOwner {
        if (_voteType >= _voteTypeCount()) revert InvalidVoteType(_voteType);
        uint256 count = _operatorSet.count;
        if (_threshold == 0 || _threshold > count) revert InvalidThreshold(_threshold, count);
        if (_voteType == 0) _operatorSet.valueThreshold = _threshold;
        else _operatorSet.configThreshold = _threshold;
        emit OperatorThresholdChanged(_voteType, _threshold);
    }

    // ------------------------------------------------------------------ internal

    /// @dev How many vote types the derived contract has (1 or 2).
    function _voteTypeCount() internal pure virtual returns (uint8);

    /// @dev Reverts with `NotOperator` unless `account` is a current operator; returns its bit.
    function _operatorBit(address account) internal view returns (uint256) {
        uint8 slot = _operatorSlot[account];
        if (slot == 0) revert NotOperator(account);
        return uint256(1) << (slot - 1);
    }

    /// @dev Records the caller's vote for `contentHash` at `nonce`; returns true when the vote reaches the
    /// threshold, in which case the vote's storage is released. The caller must be an operator.
    function _castVote(uint8 voteType, uint64 nonce, bytes32 contentHash) internal returns (bool accepted) {
        uint256 bit = _operatorBit(msg.sender);
        OperatorSet memory set = _operatorSet;
        bytes32 voteId = keccak256(abi.encode(voteType, set.epoch, nonce, contentHash));
        uint256 voters = _voters[voteId] | bit;
        emit VoteCast(voteType, nonce, msg.sender, contentHash);
        uint8 threshold = voteType == 0 ? set.valueThreshold : set.configThreshold;
        if (_countBits(voters & set.activeBits) >= threshold) {
            delete _voters[voteId];
            return true;
        }
        _voters[voteId] = voters;
        return false;
    }

    /// @dev Requires that current operators, at least the threshold of `voteType` of them, signed `digest`.
    /// `signatures` is the concatenation of 65-byte `r ‖ s ‖ v` signatures sorted by signer address, ascending, so
    /// a repeated signer is refused in the same pass. OpenZeppelin's ECDSA refuses malleable (high-s) signatures and
    /// signatures that recover to the zero address. Every signature must come from a current operator.
    function _requireOperatorSignatures(uint8 voteType, bytes32 digest, bytes calldata signatures) internal view {
        if (signatures.length % 65 != 0) revert InvalidSignaturesLength(signatures.length);
        uint256 count = signatures.length / 65;
        OperatorSet memory set = _operatorSet;
        uint8 threshold = voteType == 0 ? set.valueThreshold : set.configThreshold;
        if (count < threshold) revert NotEnoughSignatures(count, threshold);
        address[] memory roster = _readRoster(set.roster, set.count);
        address previous = address(0);
        for (uint256 i = 0; i < count; ++i) {
            uint256 offset = i * 65;
            bytes32 r = bytes32(signatures[offset:offset + 32]);
            bytes32 s = bytes32(signatures[offset + 32:offset + 64]);
            uint8 v = uint8(signatures[offset + 64]);
            address signer = ECDSA.recover(digest, v, r, s);
            if (signer <= previous) revert SignersNotSorted(previous, signer);
            if (!_contains(roster, signer)) revert SignerNotOperator(signer);
            previous = signer;
        }
    }

    function _addOperator(address operator) private {
        OperatorSet memory set = _operatorSet;
        uint16 free = ~set.activeBits;
        uint16 fresh = free & ~set.usedBits;
        uint16 pick;
        if (fresh != 0) {
            pick = fresh & (~fresh + 1); // lowest unused bit
        } else {
            pick = free & (~free + 1); // reuse a bit: start a new epoch so no old vote carries over
            ++set.epoch;
            set.usedBits = set.activeBits;
        }
        set.activeBits |= pick;
        set.usedBits |= pick;
        ++set.count;
        _operatorSlot[operator] = _bitIndex(pick) + 1;
        operatorList.push(operator);
        set.roster = _writeRoster();
        _operatorSet = set;
        emit OperatorRegistered(operator);
    }

    /// @dev The roster pattern (SSTORE2): a data contract holds the current operators, so a signed batch checks all
    /// its signers with one cold code read instead of one cold storage read per signer. Its creation code is
    /// PUSH2 len, DUP1, PUSH1 0x0a, RETURNDATASIZE, CODECOPY, RETURNDATASIZE, RETURN; its code starts with STOP
    /// so it cannot be called. Written on every operator change; returns the new roster's address.
    function _writeRoster() private returns (address roster) {
        bytes memory code = abi.encodePacked(hex"00", operatorList);
        bytes memory creation = abi.encodePacked(hex"61", uint16(code.length), hex"80600a3d393df3", code);
        assembly ("memory-safe") {
            roster := create(0, add(creation, 0x20), mload(creation))
        }
        if (roster == address(0)) revert RosterNotWritten();
    }

    /// @dev The `count` current operators, as 32-byte words read from the roster's code.
    function _readRoster(address roster, uint256 count) private view returns (address[] memory operatorsNow) {
        operatorsNow = new address[](count);
        assembly ("memory-safe") {
            extcodecopy(roster, add(operatorsNow, 0x20), 1, mul(count, 0x20))
        }
    }

    function _contains(address[] memory list, address account) private pure returns (bool) {
        for (uint256 i = 0; i < list.length; ++i) {
            if (list[i] == account) return true;
        }
        return false;
    }

    function _bitIndex(uint16 singleBit) private pure returns (uint8 index) {
        while (singleBit > 1) {
            singleBit >>= 1;
            ++index;
        }
    }

    function _countBits(uint256 mask) internal pure returns (uint256 count) {
        while (mask != 0) {
            mask &= mask - 1;
            ++count;
        }
    }
}
