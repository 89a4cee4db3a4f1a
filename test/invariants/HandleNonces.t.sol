// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Bridge} from "../../contracts/bridge/Bridge.sol";
import {IBridgeTransfers} from "../../contracts/bridge/interfaces/IBridgeTransfers.sol";
import {VM} from "./Vm.sol";

/// @title Fuzz tests of the handle-nonce bookkeeping against a plain reference model
/// @notice Request nonces are handled in random orders, with gaps, through both handle paths (this contract's
/// operator vote at threshold 1, or a batch signed by a second operator key); after every handle the bridge's
/// `lowerHandleNonce`, `upperHandleNonce`, `recoveryBlockNumber`, `isHandled`, `closedValueTransferVotes` and
/// `handleNoncesToBlockNums` must equal the model's, and a handled nonce must be refused or skipped.
contract HandleNoncesTest {
    /// @dev Klaytn's bound: one handle moves `lowerHandleNonce` over at most this many nonces handled ahead (+1).
    uint64 internal constant STEP = 200;
    uint256 internal constant SIGNER_KEY = 0x5157;
    address internal constant RECIPIENT = address(0xBEEF);

    Bridge internal bridge;

    // The reference model.
    mapping(uint64 => bool) internal _handled;
    mapping(uint64 => uint64) internal _blockOf;
    uint64 internal _lower;
    uint64 internal _upper;
    uint64 internal _recovery = 1;

    function setUp() public {
        bridge = new Bridge(false);
        bridge.registerOperator(VM.addr(SIGNER_KEY));
        VM.deal(address(this), 10 ether);
        bridge.chargeWithoutEvent{value: 10 ether}();
    }

    /// @notice Up to 64 nonces handled in a random order, some left out, each by a random path.
    function testFuzz_bookkeepingMatchesModel(uint256 seed, uint8 countSeed, uint8 keepSeed) public {
        uint64 count = 1 + uint64(countSeed % 64);
        uint64[] memory order = _shuffle(seed, count);
        uint256 keep = 1 + uint256(keepSeed) % count; // handle a prefix of the shuffled nonces: the rest are gaps
        for (uint256 i = 0; i < keep; ++i) {
            _handle(order[i], uint256(keccak256(abi.encode(seed, "path", i))) % 2 == 0);
            _check(count);
            // A replay of a random handled nonce: the vote is refused, the signed batch skips it.
            uint64 again = order[uint256(keccak256(abi.encode(seed, "replay", i))) % (i + 1)];
            _replay(again);
        }
    }

    /// @notice Nonces 1..230 handled ahead, then nonce 0: `lowerHandleNonce` moves 201 nonces in that handle, and the
    /// rest with the next handles, as Klaytn bounds it.
    function test_lowerNonceMovesAtMostStepPerHandle() public {
        uint64 count = 232;
        for (uint64 n = 1; n <= 230; ++n) {
            _handle(n, n % 3 == 0);
        }
        _check(count);
        _handle(0, false);
        _check(count);
        require(bridge.lowerHandleNonce() == STEP + 1, "lower moved more or less than the step");
        _handle(231, true);
        _check(count);
        require(bridge.lowerHandleNonce() == count, "lower did not catch up");
    }

    // ------------------------------------------------------------------ helpers

    function _handle(uint64 nonce, bool signed) private {
        uint64 blockNumber = _blockNumber(nonce);
        if (signed) {
            IBridgeTransfers.Transfer[] memory batch = _batch(nonce);
            bridge.handleSignedTransfers(batch, _sign(batch));
        } else {
            bridge.handleKLAYTransfer(_txHash(nonce), address(this), RECIPIENT, 1, nonce, blockNumber, "");
        }
        // The model.
        require(nonce >= _lower && !_handled[nonce], "model: handled twice");
        _handled[nonce] = true;
        _blockOf[nonce] = blockNumber;
        if (nonce > _upper) _upper = nonce;
        uint64 limit = _lower + STEP < _upper ? _lower + STEP : _upper;
        uint64 i = _lower;
        while (i <= limit && _handled[i]) {
            _recovery = _blockOf[i];
            ++i;
        }
        _lower = i;
    }

    function _replay(uint64 nonce) private {
        uint256 paid = RECIPIENT.balance;
        try bridge.handleKLAYTransfer(_txHash(nonce), address(this), RECIPIENT, 1, nonce, _blockNumber(nonce), "") {
            revert("a handled nonce was voted again");
        } catch {}
        IBridgeTransfers.Transfer[] memory batch = _batch(nonce);
        bridge.handleSignedTransfers(batch, _sign(batch));
        require(RECIPIENT.balance == paid, "a replay paid out");
    }

    function _check(uint64 count) private view {
        require(bridge.lowerHandleNonce() == _lower, "lowerHandleNonce differs from the model");
        require(bridge.upperHandleNonce() == _upper, "upperHandleNonce differs from the model");
        require(bridge.recoveryBlockNumber() == _recovery, "recoveryBlockNumber differs from the model");
        for (uint64 n = 0; n <= count; ++n) {
            bool handled = _handled[n];
            require(bridge.isHandled(n) == handled, "isHandled differs from the model");
            bool ahead = n >= _lower && handled;
            require(bridge.closedValueTransferVotes(n) == ahead, "closedValueTransferVotes differs from the model");
            require(bridge.handleNoncesToBlockNums(n) == (ahead ? _blockOf[n] : 0), "handleNoncesToBlockNums differs");
        }
        require(RECIPIENT.balance == _paidCount(count), "paid out other than once per handled nonce");
    }

    function _paidCount(uint64 count) private view returns (uint256 paid) {
        for (uint64 n = 0; n <= count; ++n) {
            if (_handled[n]) ++paid;
        }
    }

    function _batch(uint64 nonce) private view returns (IBridgeTransfers.Transfer[] memory batch) {
        batch = new IBridgeTransfers.Transfer[](1);
        batch[0] = IBridgeTransfers.Transfer({
            requestTxHash: _txHash(nonce),
            tokenType: 0,
            from: address(this),
            to: RECIPIENT,
            tokenAddress: address(0),
            valueOrTokenId: 1,
            requestNonce: nonce,
            requestBlockNumber: _blockNumber(nonce),
            tokenURI: "",
            extraData: ""
        });
    }

    function _sign(IBridgeTransfers.Transfer[] memory batch) private view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = VM.sign(SIGNER_KEY, bridge.batchDigest(batch));
        return abi.encodePacked(r, s, v);
    }

    function _shuffle(uint256 seed, uint64 count) private pure returns (uint64[] memory order) {
        order = new uint64[](count);
        for (uint64 i = 0; i < count; ++i) {
            order[i] = i;
        }
        for (uint256 i = count - 1; i > 0; --i) {
            uint256 j = uint256(keccak256(abi.encode(seed, i))) % (i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }

    function _blockNumber(uint64 nonce) private pure returns (uint64) {
        return 1 + uint64(uint256(keccak256(abi.encode("block", nonce))) % 1e9);
    }

    function _txHash(uint64 nonce) private pure returns (bytes32) {
        return keccak256(abi.encode("request tx", nonce));
    }
}
