// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Bridge} from "../../../contracts/bridge/Bridge.sol";
import {VM} from "../Vm.sol";
import {IBridgeTransfers} from "../../../contracts/bridge/interfaces/IBridgeTransfers.sol";
import {ISignedHandlesAbi} from "./BridgeAbi.sol";
import {HandlerModels} from "./HandlerModels.sol";

/// @title HandleActions: the destination handles requests, by operator votes and by signed batches, and replays
/// @notice Votes (some with a wrong content, never up to the threshold), every operator voting one request, signed
/// batches (altered, out of order, repeated signers, a token named as the other kind) and replays of handled
/// requests; each outcome (paid, failed, held, refused, skipped) is predicted and read back from the events.
abstract contract HandleActions is HandlerModels {
    // ================================================================== actions: handles

    /// @notice One operator key's vote on the destination for a request of direction `dirSeed % 2`; one time in
    /// five its content is wrong (another value or recipient). A wrong content is never voted up to the threshold
    /// (the operators' honest majority the bridge assumes), so it must never execute.
    function voteHandle(uint256 dirSeed, uint256 nonceSeed, uint256 opSeed, uint256 contentSeed) external {
        _stat("action: voteHandle");
        uint8 dir = uint8(dirSeed % 2);
        Request[] storage reqs = _requests(dir);
        if (reqs.length == 0) return;
        uint64 nonce = uint64(nonceSeed % reqs.length);
        uint256 op = opSeed % KEYS;
        bool wrong = contentSeed % 5 == 0;
        bytes memory data = _voteCalldata(dir, nonce, wrong ? 1 + (contentSeed >> 8) % 2 : 0);
        _vote(dir, nonce, op, data, wrong);
    }

    /// @notice Votes a request (the first pending one from `nonceSeed`, direction `dirSeed % 2` first; a handled one
    /// when none is pending) by every operator key in turn, from `opSeed`, until it is handled or all voted: the
    /// relayers of an honest operator set converging on one nonce.
    function voteHandleByAll(uint256 dirSeed, uint256 nonceSeed, uint256 opSeed) external {
        _stat("action: voteHandleByAll");
        (uint8 dir, uint64 nonce,, bool exists) = _find(dirSeed, nonceSeed, 1 << PENDING);
        if (!exists) return;
        Request[] storage reqs = _requests(dir);
        bytes memory data = _voteCalldata(dir, nonce, 0);
        for (uint256 i = 0; i < KEYS; ++i) {
            if (reqs[nonce].status != PENDING) break;
            _vote(dir, nonce, (opSeed % KEYS + i) % KEYS, data, false);
        }
    }

    /// @notice A signed batch of 1 to 3 requests of direction `dirSeed % 2` (repeats and handled nonces included),
    /// signed by a random subset of the five keys (operators or not), submitted by a user. Now and then the batch
    /// is altered after signing, or the signatures are out of order or repeated, or its first transfer names its
    /// token as the other kind: all refused.
    function signedHandle(uint256 dirSeed, uint256 nonceSeed, uint256 signerSeed, uint256 modeSeed) external {
        _stat("action: signedHandle");
        uint8 dir = uint8(dirSeed % 2);
        uint8 dest = 1 - dir;
        Request[] storage reqs = _requests(dir);
        if (reqs.length == 0) return;
        IBridgeTransfers.Transfer[] memory batch = new IBridgeTransfers.Transfer[](1 + nonceSeed % 3);
        for (uint256 i = 0; i < batch.length; ++i) {
            uint64 nonce = uint64(uint256(keccak256(abi.encode(nonceSeed, i))) % reqs.length);
            batch[i] = _transfer(dir, nonce);
        }
        uint256 mode = modeSeed % 8;
        // Token kinds: the first transfer signed as an NFT (KIP17) transfer of its token, which is registered as a
        // fungible KIP7 (or, for KLAY, is no token at all): refused (`TokenKindMismatch` / `TokenNotRegistered`), the
        // whole batch with it, unless its nonce is handled already (skipped).
        bool kindConfused = mode == 3 && reqs[batch[0].requestNonce].status == PENDING;
        if (mode == 3) batch[0].tokenType = KIP17;
        Bridge b = bridges[dest];
        bytes32 digest = ISignedHandlesAbi(address(b)).batchDigest(batch);

        // Signers: a subset of the keys, sorted by address as the bridge requires.
        uint256 mask = signerSeed % (1 << KEYS);
        address[] memory signers = _sortedSigners(mask);
        bool expectOk = !kindConfused;
        if (signers.length < _model[dest].threshold[VALUE_VOTE]) expectOk = false;
        for (uint256 i = 0; i < signers.length; ++i) {
            if (!_model[dest].isOp[_keyIndex(signers[i])]) expectOk = false;
        }
        if (mode == 1 && signers.length >= 2) {
            (signers[0], signers[1]) = (signers[1], signers[0]);
            expectOk = false;
        } else if (mode == 2 && signers.length >= 1) {
            address[] memory doubled = new address[](signers.length + 1);
            for (uint256 i = 0; i < signers.length; ++i) {
                doubled[i] = signers[i];
            }
            doubled[signers.length] = signers[signers.length - 1];
            signers = doubled;
            expectOk = false;
        }
        bytes memory signatures;
        for (uint256 i = 0; i < signers.length; ++i) {
            (uint8 v, bytes32 r, bytes32 s) = VM.sign(_keys[_keyIndex(signers[i])], digest);
            signatures = abi.encodePacked(signatures, r, s, v);
        }
        if (mode == 0) {
            batch[0].valueOrTokenId += 1; // altered after signing: the signatures recover to other addresses
            expectOk = false;
        }

        // Expected outcomes: each nonce of the batch not handled yet, once, in the batch's order (the handle limits
        // count them in that order).
        LimitModel[2] memory lm = _limitsOf(dest);
        uint256[] memory expected = new uint256[](batch.length);
        uint256 count = 0;
        if (expectOk) {
            for (uint256 i = 0; i < batch.length; ++i) {
                uint64 nonce = batch[i].requestNonce;
                bool earlier = false;
                for (uint256 j = 0; j < i; ++j) {
                    if (batch[j].requestNonce == nonce) earlier = true;
                }
                if (!earlier && reqs[nonce].status == PENDING) {
                    expected[count++] = _outcome(nonce, _predictHandle(dir, nonce, lm));
                }
            }
        }
        assembly ("memory-safe") {
            mstore(expected, count)
        }

        VM.recordLogs();
        Snapshot memory before = _snapshot(dest);
        bool ok = _call(
            users[modeSeed % USERS],
            address(b),
            0,
            abi.encodeCall(ISignedHandlesAbi.handleSignedTransfers, (batch, signatures))
        );
        uint256[] memory seen = _observeHandles(dir, ok, before);
        if (!_expectCall(ok, expectOk, "signed batch")) return;
        if (ok) _commitLimits(dest, lm);
        _expectOutcomes(seen, expected, "signed batch: outcomes differ from the approved batch");
        _stat(ok ? "signed batch accepted" : "signed batch refused");
    }

    /// @notice Replays a handled request of direction `dirSeed % 2` (paid, parked or cancelled): a vote by an
    /// operator (refused) and a signed batch by all operators (accepted, nothing moves, nothing changes status).
    function replayHandled(uint256 dirSeed, uint256 nonceSeed, uint256 opSeed) external {
        _stat("action: replayHandled");
        uint8 dir = uint8(dirSeed % 2);
        Request[] storage reqs = _requests(dir);
        uint256 n = reqs.length;
        for (uint256 k = 0; k < n; ++k) {
            uint64 nonce = uint64((nonceSeed % n + k) % n);
            if (reqs[nonce].status == PENDING) continue;
            _vote(dir, nonce, opSeed % KEYS, _voteCalldata(dir, nonce, 0), false);

            uint8 dest = 1 - dir;
            IBridgeTransfers.Transfer[] memory batch = new IBridgeTransfers.Transfer[](1);
            batch[0] = _transfer(dir, nonce);
            bytes memory signatures = _operatorSignatures(dest, ISignedHandlesAbi(address(bridges[dest])).batchDigest(batch));
            VM.recordLogs();
            Snapshot memory before = _snapshot(dest);
            bool ok = _call(
                users[opSeed % USERS],
                address(bridges[dest]),
                0,
                abi.encodeCall(ISignedHandlesAbi.handleSignedTransfers, (batch, signatures))
            );
            uint256 outcomes = _observeHandles(dir, ok, before).length;
            if (!_expectCall(ok, true, "signed replay")) return;
            if (outcomes != 0) _violation("signed replay handled a nonce again");
            _stat("replays");
            return;
        }
    }

    /// @dev Casts `op`'s vote `data` for request `nonce` of direction `dir` and checks the outcome with the model.
    function _vote(uint8 dir, uint64 nonce, uint256 op, bytes memory data, bool wrong) internal {
        uint8 dest = 1 - dir;
        OperatorModel storage m = _model[dest];
        bytes32 content = keccak256(data);
        bool expectOk = m.isOp[op] && _requests(dir)[nonce].status == PENDING;
        bool expectExec = expectOk && _countWith(dest, VALUE_VOTE, nonce, content, op) >= m.threshold[VALUE_VOTE];
        if (wrong && expectExec) return; // honest majority: a wrong content never reaches the threshold
        LimitModel[2] memory lm = _limitsOf(dest);
        uint256[] memory expected = new uint256[](expectExec ? 1 : 0);
        if (expectExec) expected[0] = _outcome(nonce, _predictHandle(dir, nonce, lm));

        VM.recordLogs();
        Snapshot memory before = _snapshot(dest);
        bool ok = _call(operatorAddrs[op], address(bridges[dest]), 0, data);
        uint256[] memory seen = _observeHandles(dir, ok, before); // books whatever was handled, expected or not
        if (!_expectCall(ok, expectOk, "handle vote")) return;
        if (expectExec) {
            _commitLimits(dest, lm);
            _expectOutcomes(seen, expected, "handle vote reached the threshold: outcome differs from the model");
            _stat(wrong ? "wrong vote executed" : "votes executed");
        } else {
            if (seen.length != 0) _violation("handle executed below the threshold of current operators");
            if (ok) _votes[_voteId(dest, VALUE_VOTE, nonce, content)][op] = m.generation[op];
            _stat(ok ? (wrong ? "wrong votes cast" : "votes cast") : "votes refused");
        }
    }

}
