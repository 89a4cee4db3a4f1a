// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Bridge} from "../../contracts/bridge/Bridge.sol";
import {BridgeRecovery} from "../../contracts/bridge/BridgeRecovery.sol";
import {BridgeSignedHandles} from "../../contracts/bridge/BridgeSignedHandles.sol";
import {TransferLimits} from "../../contracts/bridge/TransferLimits.sol";
import {TransferRecovery} from "../../contracts/bridge/TransferRecovery.sol";
import {IBridgeTransfers} from "../../contracts/bridge/interfaces/IBridgeTransfers.sol";
import {ITransferLimits} from "../../contracts/bridge/interfaces/ITransferLimits.sol";
import {PausableKIP7Token, PausableServiceChainKIP7, SwitchableRecipient} from "./TestDoubles.sol";
import {VM, Vm} from "./Vm.sol";

/// @title BridgeHandler: the actions an invariant campaign strings together on a parent / child bridge pair
/// @notice Owns two bridges on one EVM: the parent (lock mode, holding a KIP7 token) and the child (mint/burn mode,
/// minting a service-chain KIP7), KLAY both ways. Both tokens can be paused by the handler, and one recipient is a
/// contract the handler switches between accepting and refusing KLAY: payouts fail now and then. It plays users, the
/// owner and five operator keys (the operators of each side are a subset of them: they vote with `vm.prank` and
/// sign with `vm.sign`). Every action takes bounded random inputs, predicts the bridge's answer from a model, performs
/// the call, and records in ghost state what happened: requests with their content and where each stands on its
/// destination (pending, paid, failed, held, cancelled) and whether it was refunded on its source, value moved.
/// @dev The handler never reverts (the campaign runs with `failOnRevert`): a bridge answer that differs from the
/// model is recorded by `_violation` and reported by an invariant, with the first message kept. To add an action:
/// predict its outcome, call through `_call`, book what it moved in `_ledger` and the request's status, and let the
/// invariants in `BridgeInvariants.t.sol` see it.
contract BridgeHandler {
    // ------------------------------------------------------------------ constants

    uint8 internal constant PARENT = 0;
    uint8 internal constant CHILD = 1;
    uint8 internal constant KLAY = 0;
    uint8 internal constant KIP7 = 1;
    uint8 internal constant VALUE_VOTE = 0;
    uint8 internal constant CONFIG_VOTE = 1;

    /// @notice Where a request stands on its destination bridge.
    uint8 public constant PENDING = 0; // not handled
    uint8 public constant PAID = 1; // handled and paid (`HandleValueTransfer`), at once, on a retry or on a release
    uint8 public constant FAILED = 2; // handled, payout failed: parked as failed
    uint8 public constant HELD = 3; // handled above the destination's limits: parked as held
    uint8 public constant CANCELLED = 4; // parked, then cancelled by the operators: to be refunded on the source

    uint256 internal constant KEYS = 5;
    uint256 internal constant USERS = 3;
    uint256 internal constant MAX_REQUESTS = 150; // below the bridge's 200-nonce step: lowerHandleNonce is exact
    uint256 internal constant MAX_KLAY = 5 ether;
    uint256 internal constant MAX_TOKEN = 1_000e18;
    uint256 public constant LIQUIDITY = 10_000 ether;

    bytes32 internal immutable HANDLE_TOPIC = IBridgeTransfers.HandleValueTransfer.selector;
    bytes32 internal immutable FAILED_TOPIC = IBridgeTransfers.HandleValueTransferFailed.selector;
    bytes32 internal immutable HELD_TOPIC = IBridgeTransfers.TransferHeld.selector;

    // ------------------------------------------------------------------ deployment

    Bridge[2] public bridges;
    PausableKIP7Token public parentToken;
    PausableServiceChainKIP7 public childToken;
    address[2] public tokens; // the KIP7 token of each side
    address[2] public feeReceivers;
    /// @notice A recipient contract that refuses KLAY while the handler says so.
    SwitchableRecipient public recipient;

    uint256[KEYS] internal _keys;
    address[KEYS] public operatorAddrs;
    address[USERS] public users;

    // ------------------------------------------------------------------ models

    struct OperatorModel {
        bool[KEYS] isOp;
        uint32[KEYS] generation; // moves on at each registration, so a re-registered key's old votes do not count
        uint8 count;
        uint8[2] threshold;
        uint32 epoch; // the bridge drops every pending vote when it reuses an operator bit
        uint8 usedBits;
        uint32 roster; // moves on at every operator change (register or deregister), as the bridge's operatorRoster()
        uint64 configNonce;
        uint256 klayFee;
        uint256 tokenFee;
        bool feeOn;
        bool running;
    }

    OperatorModel[2] internal _model; // by side

    /// @dev vote id => generation of each operator key that cast it (0: none)
    mapping(bytes32 => uint32[KEYS]) internal _votes;

    /// @dev Recovery approvals (cancellations on a destination, refunds on a source) pending for one EIP-712 digest:
    /// which keys approved, under which operator set (`OperatorModel.roster` of the ledger's side then). The ledger
    /// records approvals with its bridge's operator roster: any operator change voids all of them (a removed key's
    /// approval never counts again, not even once it is registered again), and under one set a key approves once.
    struct Approvals {
        uint32 roster;
        bool[KEYS] approved;
    }

    mapping(bytes32 => Approvals) internal _approvals;

    /// @dev The transfer limits of one asset on one side, and what was counted against them on a day.
    struct LimitModel {
        uint128 min;
        uint128 max;
        uint128 dailyRequest;
        uint128 dailyHandle;
        bool on; // any of the four set: requests and handles consult the limits
        uint64 requestDay;
        uint256 requestUsed;
        uint64 handleDay;
        uint256 handleUsed;
    }

    LimitModel[2][2] internal _limits; // [side][asset]

    struct Request {
        uint8 kind;
        address from;
        address to;
        uint256 value;
        uint64 blockNumber;
        bytes32 txHash;
        bytes extraData;
        uint8 executions; // HandleValueTransfer events seen for this nonce on the destination
        uint8 status; // PENDING, PAID, FAILED, HELD or CANCELLED, as observed on the destination
        bool refunded; // returned to `from` on the source
    }

    /// @dev by direction (0: parent to child, requested on the parent; 1: child to parent); index = request nonce
    Request[] internal _requests0;
    Request[] internal _requests1;

    struct Ledger {
        uint256 requested; // locked or burnt on the source
        uint256 released; // released or minted on the destination
        uint256 refunded; // returned to the requester on the source (released or minted back)
    }

    Ledger[2][2] internal _ledger; // [direction][asset]
    uint256[2][2] public feesPaid; // [side][asset]
    uint256[2] public klayFunded; // [side]: liquidity added without a request

    uint256 public violations;
    string public firstViolation;

    /// @notice How often each kind of outcome happened, so a campaign that does nothing useful is visible.
    mapping(bytes32 => uint256) internal stats;

    constructor() payable {
        Bridge parent = new Bridge(false);
        Bridge child = new Bridge(true);
        bridges = [parent, child];
        parent.setCounterPartBridge(address(child));
        child.setCounterPartBridge(address(parent));

        parentToken = new PausableKIP7Token("Parent Token", "PT");
        childToken = new PausableServiceChainKIP7("Child Token", "CT", address(child));
        tokens = [address(parentToken), address(childToken)];
        parent.registerToken(address(parentToken), address(childToken));
        child.registerToken(address(childToken), address(parentToken));
        recipient = new SwitchableRecipient();
        recipient.setRefusing(true); // payouts to it fail until the campaign switches it

        for (uint256 i = 0; i < KEYS; ++i) {
            _keys[i] = uint256(keccak256(abi.encode("operator key", i)));
            operatorAddrs[i] = VM.addr(_keys[i]);
        }
        for (uint256 i = 0; i < USERS; ++i) {
            users[i] = address(uint160(0x10000 + i));
        }
        feeReceivers = [address(0xFEE0), address(0xFEE1)];

        for (uint8 side = 0; side < 2; ++side) {
            Bridge b = bridges[side];
            // The deployer (this handler) starts as the sole operator: bit 0 of the bridge's operator mask.
            for (uint256 i = 0; i < 3; ++i) {
                b.registerOperator(operatorAddrs[i]);
            }
            b.deregisterOperator(address(this));
            b.setOperatorThreshold(VALUE_VOTE, 2);
            b.setOperatorThreshold(CONFIG_VOTE, 2);
            b.setFeeReceiver(feeReceivers[side]);
            VM.deal(address(this), LIQUIDITY);
            b.chargeWithoutEvent{value: LIQUIDITY}();
            klayFunded[side] = LIQUIDITY;

            OperatorModel storage m = _model[side];
            for (uint256 i = 0; i < 3; ++i) {
                m.isOp[i] = true;
                m.generation[i] = 1;
            }
            m.count = 3;
            m.usedBits = 4;
            m.threshold = [2, 2];
            m.feeOn = true;
            m.running = true;
        }
    }

    // ================================================================== actions: requests

    /// @notice A user requests KLAY on side `sideSeed % 2`: `requestKLAYTransfer`, or a plain payment. The recipient
    /// is one time in three the switchable contract. A request beyond the side's KLAY limits is refused and changes nothing.
    function requestKLAY(uint256 sideSeed, uint256 userSeed, uint256 amountSeed, uint256 feeSeed) external {
        uint8 side = uint8(sideSeed % 2);
        if (_requests(side).length >= MAX_REQUESTS) return;
        OperatorModel storage m = _model[side];
        Bridge b = bridges[side];
        address user = users[userSeed % USERS];
        address to = _recipientOf(userSeed >> 8);
        uint256 amount = amountSeed % (MAX_KLAY + 1); // zero now and then: refused
        bool plain = (feeSeed >> 8) % 4 == 0;
        uint256 fee = m.feeOn ? m.klayFee : 0;
        uint256 feeLimit;
        bytes memory data;
        bytes memory extra = abi.encode("klay", _requests(side).length);
        bool expectOk;
        if (plain) {
            // receive(): the request is msg.value - feeOfKLAY for the sender; the fee limit is feeOfKLAY.
            to = user;
            extra = "";
            feeLimit = m.klayFee;
            expectOk = m.running && amount > 0;
        } else {
            feeLimit = feeSeed % 4 == 0 && fee > 0 ? fee - 1 : fee + (feeSeed % 3) * 0.01 ether;
            data = abi.encodeCall(bridges[0].requestKLAYTransfer, (to, amount, extra));
            expectOk = m.running && amount > 0 && feeLimit >= fee;
        }
        bool withinLimits = _requestWithinLimits(side, KLAY, amount);
        expectOk = expectOk && withinLimits;
        uint256 sent = amount + feeLimit;
        VM.deal(user, sent);
        Snapshot memory before = _snapshot(side);
        uint256 receiverBefore = feeReceivers[side].balance;
        uint64 nonceBefore = b.requestNonce();
        uint256 usedBefore = _transferLimits(side).requestedToday(address(0));

        bool ok = _call(user, address(b), sent, data);
        if (!_expectCall(ok, expectOk, "KLAY request")) return;
        if (!ok) {
            _refusedCleanly(side, KLAY, before, nonceBefore, usedBefore);
            if (!withinLimits) _stat("requests refused by limits");
            return;
        }

        if (b.requestNonce() != nonceBefore + 1) _violation("KLAY request did not take one nonce");
        if (address(b).balance != before.klay + amount) _violation("KLAY request locked a wrong amount");
        if (feeReceivers[side].balance != receiverBefore + fee) _violation("KLAY request paid a wrong fee");
        if (user.balance != feeLimit - fee) _violation("KLAY request kept the change");
        feesPaid[side][KLAY] += fee;
        _consumeRequest(side, KLAY, amount);
        _record(side, KLAY, user, to, amount, extra);
    }

    /// @notice A user requests the KIP7 token of side `sideSeed % 2`: approve and `requestERC20Transfer`, a KIP7
    /// `safeTransfer` to the bridge, or (child) the token's one-step `requestValueTransfer`. Refused while the token
    /// is paused or beyond its limits, changing nothing.
    function requestKIP7(uint256 sideSeed, uint256 userSeed, uint256 amountSeed, uint256 feeSeed) external {
        uint8 side = uint8(sideSeed % 2);
        if (_requests(side).length >= MAX_REQUESTS) return;
        OperatorModel storage m = _model[side];
        Bridge b = bridges[side];
        address token = tokens[side];
        address user = users[userSeed % USERS];
        address to = _recipientOf(userSeed >> 8);
        uint256 fee = m.feeOn ? m.tokenFee : 0;
        uint256 feeLimit = feeSeed % 4 == 0 && fee > 0 ? fee - 1 : fee + (feeSeed % 3) * 1e15;
        bool paused = _paused(side);
        uint256 amount;
        if (side == PARENT) {
            amount = amountSeed % (MAX_TOKEN + 1);
            if (!paused) parentToken.mint(user, amount + feeLimit);
        } else {
            // Child tokens exist only as minted by the child bridge: a user sends back what it received.
            uint256 balance = childToken.balanceOf(user);
            if (balance <= feeLimit) {
                _stat("KIP7 request skipped: no child tokens");
                return;
            }
            amount = amountSeed % (balance - feeLimit + 1);
        }
        bytes memory extra = abi.encode("kip7", _requests(side).length);
        uint256 path = (feeSeed >> 8) % 3;
        bool expectOk = m.running && amount > 0 && feeLimit >= fee;
        bytes memory data;
        uint256 credited = amount;
        if (path == 0) {
            if (!_call(user, token, 0, abi.encodeCall(parentToken.approve, (address(b), amount + feeLimit)))) {
                _violation("approve failed");
                return;
            }
            data = abi.encodeCall(bridges[0].requestERC20Transfer, (token, to, amount, feeLimit, extra));
        } else if (path == 1) {
            // safeTransfer(bridge, amount, abi.encode(to, extra)): the bridge takes the fee out of what arrived.
            data = abi.encodeWithSignature(
                "safeTransfer(address,uint256,bytes)", address(b), amount, abi.encode(to, extra)
            );
            expectOk = m.running && amount > fee;
            credited = expectOk ? amount - fee : amount;
            feeLimit = fee;
        } else if (side == CHILD) {
            data = abi.encodeCall(childToken.requestValueTransfer, (amount, to, feeLimit, extra));
        } else {
            data = abi.encodeCall(bridges[0].requestERC20Transfer, (token, to, amount, feeLimit, extra));
            if (!_call(user, token, 0, abi.encodeCall(parentToken.approve, (address(b), amount + feeLimit)))) {
                _violation("approve failed");
                return;
            }
        }
        address target = path == 0 || (path == 2 && side == PARENT) ? address(b) : token;
        bool withinLimits = _requestWithinLimits(side, KIP7, credited);
        expectOk = expectOk && !paused && withinLimits;

        Snapshot memory before = _snapshot(side);
        uint256 receiverBefore = _tokenBalance(side, feeReceivers[side]);
        uint256 userBefore = _tokenBalance(side, user);
        uint64 nonceBefore = b.requestNonce();
        uint256 usedBefore = _transferLimits(side).requestedToday(token);

        bool ok = _call(user, target, 0, data);
        if (!_expectCall(ok, expectOk, "KIP7 request")) return;
        if (!ok) {
            _refusedCleanly(side, KIP7, before, nonceBefore, usedBefore);
            _stat(paused ? "KIP7 requests refused: paused" : withinLimits ? "KIP7 requests refused" : "requests refused by limits");
            return;
        }

        if (b.requestNonce() != nonceBefore + 1) _violation("KIP7 request did not take one nonce");
        if (_tokenBalance(side, feeReceivers[side]) != receiverBefore + fee) _violation("KIP7 request: wrong fee");
        uint256 spent = path == 1 ? amount : credited + fee;
        if (userBefore != _tokenBalance(side, user) + spent) _violation("KIP7 request: wrong amount taken");
        if (side == PARENT) {
            if (_tokenBalance(side, address(b)) != before.tokenBalance + credited) _violation("KIP7 lock: wrong amount");
        } else {
            if (_tokenBalance(side, address(b)) != before.tokenBalance) _violation("KIP7 burn: bridge kept tokens");
            if (before.childSupply != childToken.totalSupply() + credited) _violation("KIP7 burn: wrong amount burnt");
        }
        feesPaid[side][KIP7] += fee;
        _consumeRequest(side, KIP7, credited);
        _record(side, KIP7, user, to, credited, extra);
    }

    // ================================================================== actions: handles

    /// @notice One operator key's vote on the destination for a request of direction `dirSeed % 2`; one time in
    /// five its content is wrong (another value or recipient). A wrong content is never voted up to the threshold
    /// (the operators' honest majority the bridge assumes), so it must never execute.
    function voteHandle(uint256 dirSeed, uint256 nonceSeed, uint256 opSeed, uint256 contentSeed) external {
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
        uint8 dir = uint8(dirSeed % 2);
        uint8 dest = 1 - dir;
        Request[] storage reqs = _requests(dir);
        if (reqs.length == 0) return;
        BridgeSignedHandles.Transfer[] memory batch = new BridgeSignedHandles.Transfer[](1 + nonceSeed % 3);
        for (uint256 i = 0; i < batch.length; ++i) {
            uint64 nonce = uint64(uint256(keccak256(abi.encode(nonceSeed, i))) % reqs.length);
            batch[i] = _transfer(dir, nonce);
        }
        uint256 mode = modeSeed % 8;
        // Token kinds: the first transfer signed as an NFT (KIP17) transfer of its token, which is registered as a
        // fungible KIP7 (or, for KLAY, is no token at all): refused (`TokenKindMismatch` / `TokenNotRegistered`), the
        // whole batch with it, unless its nonce is handled already (skipped).
        bool kindConfused = mode == 3 && reqs[batch[0].requestNonce].status == PENDING;
        if (mode == 3) batch[0].tokenType = uint8(IBridgeTransfers.TokenType.ERC721);
        Bridge b = bridges[dest];
        bytes32 digest = b.batchDigest(batch);

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
            abi.encodeCall(bridges[0].handleSignedTransfers, (batch, signatures))
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
        uint8 dir = uint8(dirSeed % 2);
        Request[] storage reqs = _requests(dir);
        uint256 n = reqs.length;
        for (uint256 k = 0; k < n; ++k) {
            uint64 nonce = uint64((nonceSeed % n + k) % n);
            if (reqs[nonce].status == PENDING) continue;
            _vote(dir, nonce, opSeed % KEYS, _voteCalldata(dir, nonce, 0), false);

            uint8 dest = 1 - dir;
            BridgeSignedHandles.Transfer[] memory batch = new BridgeSignedHandles.Transfer[](1);
            batch[0] = _transfer(dir, nonce);
            bytes memory signatures = _operatorSignatures(dest, bridges[dest].batchDigest(batch));
            VM.recordLogs();
            Snapshot memory before = _snapshot(dest);
            bool ok = _call(
                users[opSeed % USERS],
                address(bridges[dest]),
                0,
                abi.encodeCall(bridges[0].handleSignedTransfers, (batch, signatures))
            );
            uint256 outcomes = _observeHandles(dir, ok, before).length;
            if (!_expectCall(ok, true, "signed replay")) return;
            if (outcomes != 0) _violation("signed replay handled a nonce again");
            _stat("replays");
            return;
        }
    }

    // ================================================================== actions: operators and configuration

    /// @notice The owner registers an operator key on side `sideSeed % 2` (refused when it is one already); every
    /// pending recovery approval of the side is void.
    function addOperator(uint256 sideSeed, uint256 opSeed) external {
        uint8 side = uint8(sideSeed % 2);
        uint256 op = opSeed % KEYS;
        OperatorModel storage m = _model[side];
        bool expectOk = !m.isOp[op];
        bool ok = _call(address(this), address(bridges[side]), 0, abi.encodeCall(bridges[0].registerOperator, (operatorAddrs[op])));
        if (!_expectCall(ok, expectOk, "registerOperator") || !ok) return;
        // The bridge hands out an unused operator bit while one is left (16 bits), else reuses one and drops every
        // pending vote by moving to a new epoch.
        if (m.usedBits < 16) {
            ++m.usedBits;
        } else {
            ++m.epoch;
            m.usedBits = m.count + 1;
        }
        m.isOp[op] = true;
        ++m.generation[op];
        ++m.count;
        ++m.roster; // a new operator set: pending recovery approvals are void
    }

    /// @notice The owner removes an operator key on side `sideSeed % 2` (refused when a threshold would exceed the
    /// operators left); its pending votes stop counting, and every pending recovery approval of the side is void.
    function removeOperator(uint256 sideSeed, uint256 opSeed) external {
        uint8 side = uint8(sideSeed % 2);
        uint256 op = opSeed % KEYS;
        OperatorModel storage m = _model[side];
        bool expectOk = m.isOp[op] && m.count - 1 >= m.threshold[0] && m.count - 1 >= m.threshold[1];
        bool ok = _call(address(this), address(bridges[side]), 0, abi.encodeCall(bridges[0].deregisterOperator, (operatorAddrs[op])));
        if (!_expectCall(ok, expectOk, "deregisterOperator") || !ok) return;
        m.isOp[op] = false;
        --m.count;
        ++m.roster; // a new operator set: pending recovery approvals are void
    }

    /// @notice The owner sets the threshold of a vote type on side `sideSeed % 2` to 0..6 (refused unless
    /// 1 <= threshold <= operators).
    function setThreshold(uint256 sideSeed, uint256 typeSeed, uint256 thresholdSeed) external {
        uint8 side = uint8(sideSeed % 2);
        uint8 voteType = uint8(typeSeed % 2);
        uint8 threshold = uint8(thresholdSeed % 7);
        OperatorModel storage m = _model[side];
        bool expectOk = threshold >= 1 && threshold <= m.count;
        bool ok = _call(
            address(this), address(bridges[side]), 0, abi.encodeCall(bridges[0].setOperatorThreshold, (voteType, threshold))
        );
        if (!_expectCall(ok, expectOk, "setOperatorThreshold") || !ok) return;
        m.threshold[voteType] = threshold;
    }

    /// @notice An operator key's configuration vote on side `sideSeed % 2`: the KLAY fee or the token fee, one of
    /// five values, at the current configuration nonce (one time in eight a wrong one: refused).
    function voteFee(uint256 sideSeed, uint256 opSeed, uint256 feeSeed, uint256 nonceSeed) external {
        uint8 side = uint8(sideSeed % 2);
        uint256 op = opSeed % KEYS;
        OperatorModel storage m = _model[side];
        bool klay = feeSeed % 2 == 0;
        uint256 fee = ((feeSeed >> 8) % 5) * (klay ? 0.01 ether : 1e15);
        uint64 nonce = nonceSeed % 8 == 0 ? m.configNonce + 1 : m.configNonce;
        bytes memory data = klay
            ? abi.encodeCall(bridges[0].setKLAYFee, (fee, nonce))
            : abi.encodeCall(bridges[0].setERC20Fee, (tokens[side], fee, nonce));
        bool expectOk = m.isOp[op] && nonce == m.configNonce;
        bool applies = expectOk && _countWith(side, CONFIG_VOTE, nonce, keccak256(data), op) >= m.threshold[CONFIG_VOTE];

        bool ok = _call(operatorAddrs[op], address(bridges[side]), 0, data);
        if (!_expectCall(ok, expectOk, "fee vote") || !ok) return;
        Bridge b = bridges[side];
        if (applies) {
            if (klay) m.klayFee = fee;
            else m.tokenFee = fee;
            ++m.configNonce;
            _stat("fee changes");
        } else {
            _votes[_voteId(side, CONFIG_VOTE, nonce, keccak256(data))][op] = m.generation[op];
        }
        if (b.feeOfKLAY() != m.klayFee || b.feeOfERC20(tokens[side]) != m.tokenFee) {
            _violation(applies ? "fee vote reached the threshold but the fee did not change" : "fee changed below the threshold");
        }
    }

    /// @notice The owner sets or clears the fee receiver of side `sideSeed % 2`.
    function setFeeReceiver(uint256 sideSeed, bool on) external {
        uint8 side = uint8(sideSeed % 2);
        bridges[side].setFeeReceiver(on ? feeReceivers[side] : address(0));
        _model[side].feeOn = on;
    }

    /// @notice The owner stops or restarts requests on side `sideSeed % 2`.
    function setRunning(uint256 sideSeed, bool running) external {
        uint8 side = uint8(sideSeed % 2);
        bridges[side].start(running);
        _model[side].running = running;
    }

    /// @notice Anyone adds KLAY liquidity to side `sideSeed % 2`.
    function fund(uint256 sideSeed, uint256 amountSeed) external {
        uint8 side = uint8(sideSeed % 2);
        uint256 amount = amountSeed % (MAX_KLAY + 1);
        VM.deal(address(this), amount);
        bridges[side].chargeWithoutEvent{value: amount}();
        klayFunded[side] += amount;
    }

    // ================================================================== actions: failed and held transfers

    /// @notice Anyone retries a failed transfer (the first from `nonceSeed`, direction `dirSeed % 2` first) on its
    /// destination: paid to its recipient when the recipient or the token accepts now, refused otherwise (it stays
    /// failed). A retry counts against the destination's handle limits: above them it is refused (`RetryAboveLimits`)
    /// and counts only when it pays. One time in five the retry names another recipient: refused, a retry cannot
    /// redirect. When nothing failed, it names any transfer: refused.
    function retryTransfer(uint256 dirSeed, uint256 nonceSeed, uint256 callerSeed) external {
        (uint8 dir, uint64 nonce, bool found, bool exists) = _find(dirSeed, nonceSeed, 1 << FAILED);
        if (!exists) return;
        uint8 dest = 1 - dir;
        Request storage r = _requests(dir)[nonce];
        BridgeSignedHandles.Transfer memory t = _transfer(dir, nonce);
        bool redirect = callerSeed % 5 == 0;
        if (redirect) t.to = t.to == users[0] ? users[1] : users[0];
        // a retry counts against the destination's handle limits: above them it reverts `RetryAboveLimits`
        bool withinLimits = _handleWithinLimits(dest, r.kind, r.value);
        bool expectOk = found && !redirect && withinLimits && _payoutWorks(dest, r.kind, r.to);
        uint256[] memory expected = new uint256[](expectOk ? 1 : 0);
        if (expectOk) expected[0] = _outcome(nonce, PAID);

        VM.recordLogs();
        Snapshot memory before = _snapshot(dest);
        bool ok = _call(
            users[(callerSeed >> 8) % USERS],
            address(_recovery(dest)),
            0,
            abi.encodeCall(TransferRecovery.retryTransfer, (t))
        );
        uint256[] memory seen = _observeHandles(dir, ok, before);
        if (!_expectCall(ok, expectOk, "retry")) return;
        _expectOutcomes(seen, expected, "retry: outcome differs from the model");
        if (ok) _consumeHandle(dest, r.kind, r.value);
        _stat(
            ok
                ? "retries paid"
                : !found || redirect ? "retries refused: not failed" : !withinLimits ? "retries refused: above the limits" : "retries refused: fails again"
        );
    }

    /// @notice The owner releases a held transfer (the first from `nonceSeed`, direction `dirSeed % 2` first): paid, or
    /// failed when its payout fails. One time in six a user tries (refused: owner only), one time in six the owner
    /// names another recipient (refused: the owner cannot redirect). When nothing is held: refused.
    function releaseHeld(uint256 dirSeed, uint256 nonceSeed, uint256 callerSeed) external {
        (uint8 dir, uint64 nonce, bool found, bool exists) = _find(dirSeed, nonceSeed, 1 << HELD);
        if (!exists) return;
        uint8 dest = 1 - dir;
        Request storage r = _requests(dir)[nonce];
        BridgeSignedHandles.Transfer memory t = _transfer(dir, nonce);
        uint256 mode = callerSeed % 6;
        if (mode == 1) t.to = t.to == users[0] ? users[1] : users[0];
        bool expectOk = found && mode > 1;
        uint256[] memory expected = new uint256[](expectOk ? 1 : 0);
        if (expectOk) expected[0] = _outcome(nonce, _payoutWorks(dest, r.kind, r.to) ? PAID : FAILED);

        VM.recordLogs();
        Snapshot memory before = _snapshot(dest);
        bool ok = _call(
            mode == 0 ? users[(callerSeed >> 8) % USERS] : address(this),
            address(_recovery(dest)),
            0,
            abi.encodeCall(TransferRecovery.releaseHeldTransfer, (t))
        );
        uint256[] memory seen = _observeHandles(dir, ok, before);
        if (!_expectCall(ok, expectOk, "release")) return;
        _expectOutcomes(seen, expected, "release: outcome differs from the model");
        _stat(ok ? (r.status == PAID ? "releases paid" : "releases failed") : "releases refused");
    }

    /// @notice The destination's operators cancel a parked (failed or held) transfer (the first from `nonceSeed`,
    /// direction `dirSeed % 2` first): one key's approval, every key's in turn until it is cancelled, or the
    /// signatures of a subset of the keys submitted by a user. When nothing is parked, the same on any transfer:
    /// refused.
    function cancelTransfer(uint256 dirSeed, uint256 nonceSeed, uint256 opSeed, uint256 modeSeed) external {
        (uint8 dir, uint64 nonce, bool found, bool exists) = _find(dirSeed, nonceSeed, (1 << FAILED) | (1 << HELD));
        if (!exists) return;
        _approveRecovery(dir, nonce, found, true, opSeed, modeSeed);
    }

    /// @notice The source's operators refund a cancelled transfer not refunded yet (the first from `nonceSeed`,
    /// direction `dirSeed % 2` first) to its requester, approved as `cancelTransfer` approves. The refund counts
    /// against the source's handle limits: above them it reverts `RefundAboveLimits`, approval and all, and waits for
    /// another day or other limits. When none awaits its refund, a
    /// dishonest minority: one key approves the refund of a transfer that was not cancelled (never up to the
    /// threshold), or of a request refunded already or never made (refused).
    function refundTransfer(uint256 dirSeed, uint256 nonceSeed, uint256 opSeed, uint256 modeSeed) external {
        (uint8 dir, uint64 nonce, bool found, bool exists) = _find(dirSeed, nonceSeed, 1 << CANCELLED);
        if (!exists) return;
        if (found) {
            _approveRecovery(dir, nonce, true, false, opSeed, modeSeed);
        } else {
            _dishonestRefund(dir, nonce, opSeed % KEYS, modeSeed);
        }
    }

    // ================================================================== actions: limits, payout failures, time

    /// @notice The owner sets the transfer limits of KLAY or the token on side `sideSeed % 2`, or clears them (all
    /// zero) one time in four. Each of the four is now and then zero (no limit); a minimum above the maximum is
    /// refused.
    function setLimits(uint256 sideSeed, uint256 minSeed, uint256 maxSeed, uint256 dailySeed) external {
        uint8 side = uint8(sideSeed % 2);
        uint8 kind = uint8((sideSeed >> 8) % 2);
        uint256 unit = kind == KLAY ? MAX_KLAY : MAX_TOKEN;
        uint128 min;
        uint128 max;
        uint128 dailyRequest;
        uint128 dailyHandle;
        if (minSeed % 4 != 0) {
            min = (minSeed >> 8) % 3 == 0 ? 0 : uint128(unit * ((minSeed >> 16) % 12) / 200);
            max = maxSeed % 3 == 0 ? 0 : uint128(unit * (1 + (maxSeed >> 8) % 10) / 20);
            dailyRequest = dailySeed % 3 == 0 ? 0 : uint128(unit * (1 + (dailySeed >> 8) % 16) / 4);
            dailyHandle = (dailySeed >> 16) % 3 == 0 ? 0 : uint128(unit * (1 + (dailySeed >> 24) % 8) / 4);
        }
        bool expectOk = max == 0 || min <= max;
        address token = kind == KLAY ? address(0) : tokens[side];
        bool ok = _call(
            address(this),
            address(bridges[side]),
            0,
            abi.encodeCall(bridges[0].setTransferLimits, (token, min, max, dailyRequest, dailyHandle))
        );
        if (!_expectCall(ok, expectOk, "setTransferLimits") || !ok) return;
        LimitModel storage l = _limits[side][kind];
        (l.min, l.max, l.dailyRequest, l.dailyHandle) = (min, max, dailyRequest, dailyHandle);
        l.on = min != 0 || max != 0 || dailyRequest != 0 || dailyHandle != 0;
        _stat(l.on ? "limits set" : "limits cleared");
    }

    /// @notice The handler pauses or resumes the KIP7 token of side `sideSeed % 2`: while paused, payouts of it fail
    /// (parked as failed), refunds of it and requests of it are refused.
    function setTokenPaused(uint256 sideSeed, bool paused) external {
        if (sideSeed % 2 == PARENT) parentToken.setPaused(paused);
        else childToken.setPaused(paused);
    }

    /// @notice The switchable recipient refuses or accepts KLAY from now on.
    function setRecipientRefusing(bool refusing) external {
        recipient.setRefusing(refusing);
    }

    /// @notice A day passes: the daily limits start over.
    function nextDay() external {
        VM.warp(block.timestamp + 1 days);
    }

    // ================================================================== views for the invariants

    /// @notice Requests of direction `dir` (0: parent to child).
    function requestCount(uint8 dir) external view returns (uint256) {
        return _requests(dir).length;
    }

    /// @notice Request `nonce` of direction `dir`: asset, value, request block number, payouts observed, where it
    /// stands on the destination, whether it was refunded on the source.
    function request(uint8 dir, uint64 nonce)
        external
        view
        returns (uint8 kind, uint256 value, uint64 blockNumber, uint8 executions, uint8 status, bool refunded)
    {
        Request storage r = _requests(dir)[nonce];
        return (r.kind, r.value, r.blockNumber, r.executions, r.status, r.refunded);
    }

    /// @notice What the destination's recovery ledger must hold for request `nonce` of direction `dir` when it is
    /// parked: the hash of the transfer as handled.
    function transferHash(uint8 dir, uint64 nonce) external view returns (bytes32) {
        return keccak256(abi.encode(_transfer(dir, nonce)));
    }

    /// @notice The ledger of direction `dir` and asset `kind` (0: KLAY, 1: KIP7).
    function ledger(uint8 dir, uint8 kind) external view returns (uint256 requested, uint256 released, uint256 refunded) {
        Ledger storage l = _ledger[dir][kind];
        return (l.requested, l.released, l.refunded);
    }

    /// @notice The model's limits of asset `kind` on side `side`, and what was counted against them today.
    function limitModel(uint8 side, uint8 kind)
        external
        view
        returns (ITransferLimits.Limits memory limits, uint256 requestedToday, uint256 handledToday)
    {
        LimitModel storage l = _limits[side][kind];
        limits = ITransferLimits.Limits(l.min, l.max, l.dailyRequest, l.dailyHandle);
        requestedToday = l.requestDay == _today() ? l.requestUsed : 0;
        handledToday = l.handleDay == _today() ? l.handleUsed : 0;
    }

    /// @notice The model of side `side`: operator keys, thresholds, configuration nonce and fees.
    function model(uint8 side)
        external
        view
        returns (bool[KEYS] memory isOp, uint8 count, uint8[2] memory threshold, uint64 configNonce, uint256 klayFee, uint256 tokenFee)
    {
        OperatorModel storage m = _model[side];
        return (m.isOp, m.count, m.threshold, m.configNonce, m.klayFee, m.tokenFee);
    }

    /// @notice How often the outcome `what` happened in this run.
    function stat(string calldata what) external view returns (uint256) {
        return stats[keccak256(bytes(what))];
    }

    // ================================================================== internals: handles

    struct Snapshot {
        uint256 klay;
        uint256 tokenBalance;
        uint256 childSupply;
    }

    /// @dev Casts `op`'s vote `data` for request `nonce` of direction `dir` and checks the outcome with the model.
    function _vote(uint8 dir, uint64 nonce, uint256 op, bytes memory data, bool wrong) private {
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

    /// @dev The votes of current operators for (vote type, nonce, content) on `side`, counting `op`'s own.
    function _countWith(uint8 side, uint8 voteType, uint64 nonce, bytes32 content, uint256 op)
        private
        view
        returns (uint256 count)
    {
        OperatorModel storage m = _model[side];
        uint32[KEYS] storage cast = _votes[_voteId(side, voteType, nonce, content)];
        for (uint256 i = 0; i < KEYS; ++i) {
            if (m.isOp[i] && (i == op || cast[i] == m.generation[i])) ++count;
        }
    }

    function _voteId(uint8 side, uint8 voteType, uint64 nonce, bytes32 content) private view returns (bytes32) {
        return keccak256(abi.encode(side, voteType, _model[side].epoch, nonce, content));
    }

    /// @dev What handling request `nonce` of `dir` does now: held when above the destination's handle limits (else
    /// counted against them in `lm`), paid when the recipient and the token accept, failed otherwise.
    function _predictHandle(uint8 dir, uint64 nonce, LimitModel[2] memory lm) private view returns (uint8) {
        Request storage r = _requests(dir)[nonce];
        LimitModel memory l = lm[r.kind];
        bool works = _payoutWorks(1 - dir, r.kind, r.to);
        if (l.on) {
            uint64 today = _today();
            uint256 used = l.handleDay == today ? l.handleUsed : 0;
            if ((l.max != 0 && r.value > l.max) || (l.dailyHandle != 0 && used + r.value > l.dailyHandle)) return HELD;
            // only value that leaves counts: a payout that fails gives its amount back at once
            if (works) {
                l.handleDay = today;
                l.handleUsed = used + r.value;
            }
        }
        return works ? PAID : FAILED;
    }

    /// @dev Whether a payout of `kind` to `to` by the bridge of `side` succeeds now (the bridges never lack KLAY: an
    /// invariant checks that they cover what they owe).
    function _payoutWorks(uint8 side, uint8 kind, address to) private view returns (bool) {
        if (kind == KLAY) return to != address(recipient) || !recipient.refusing();
        return !_paused(side);
    }

    /// @dev Parses the `HandleValueTransfer`, `HandleValueTransferFailed` and `TransferHeld` events this action caused
    /// on the destination of `dir` (none when the call reverted), checks each against its request and what it
    /// changed, books it (status, payouts, value released) and checks that the value that left the bridge is what was
    /// paid. Returns the outcomes in event order, as `_outcome(nonce, status)`.
    function _observeHandles(uint8 dir, bool ok, Snapshot memory before) private returns (uint256[] memory seen) {
        Vm.Log[] memory logs = VM.getRecordedLogs();
        if (!ok) return new uint256[](0);
        uint8 dest = 1 - dir;
        seen = new uint256[](logs.length);
        uint256 n = 0;
        uint256[2] memory moved;
        Request[] storage reqs = _requests(dir);
        for (uint256 i = 0; i < logs.length; ++i) {
            Vm.Log memory log = logs[i];
            if (log.emitter != address(bridges[dest]) || log.topics.length != 4) continue;
            bytes32 topic = log.topics[0];
            uint8 outcome = topic == HANDLE_TOPIC ? PAID : topic == FAILED_TOPIC ? FAILED : topic == HELD_TOPIC ? HELD : PENDING;
            if (outcome == PENDING) continue;
            (, uint8 tokenType, uint256 value, uint64 nonce) = abi.decode(log.data, (bytes32, uint8, uint256, uint64));
            if (nonce >= reqs.length) {
                _violation("handled a nonce that was never requested");
                continue;
            }
            Request storage r = reqs[nonce];
            address from = address(uint160(uint256(log.topics[1])));
            address to = address(uint160(uint256(log.topics[2])));
            address token = address(uint160(uint256(log.topics[3])));
            if (
                tokenType != r.kind || value != r.value || from != r.from || to != r.to
                    || token != (r.kind == KLAY ? address(0) : tokens[dest])
            ) {
                _violation("handled content differs from the request");
            }
            uint8 prior = r.status;
            if (outcome == PAID) {
                if (prior == PAID || prior == CANCELLED) _violation("paid a transfer paid or cancelled already");
                if (++r.executions > 1) _violation("a nonce executed twice");
                uint8 kind = tokenType == 0 ? KLAY : KIP7;
                _ledger[dir][kind].released += value;
                moved[kind] += value;
                _stat("handles paid");
            } else if (outcome == FAILED) {
                if (prior != PENDING && prior != HELD) _violation("failed a transfer neither pending nor held");
                _stat("handles failed");
            } else {
                if (prior != PENDING) _violation("held a transfer handled already");
                _stat("handles held");
            }
            r.status = outcome;
            seen[n++] = _outcome(nonce, outcome);
        }
        assembly ("memory-safe") {
            mstore(seen, n)
        }
        Snapshot memory after_ = _snapshot(dest);
        if (before.klay != after_.klay + moved[KLAY]) _violation("KLAY left the bridge other than by its payouts");
        if (dest == PARENT) {
            if (before.tokenBalance != after_.tokenBalance + moved[KIP7]) _violation("tokens left the bridge other than by its payouts");
        } else {
            if (after_.childSupply != before.childSupply + moved[KIP7]) _violation("tokens minted other than by payouts");
        }
    }

    function _outcome(uint64 nonce, uint8 status) private pure returns (uint256) {
        return (uint256(nonce) << 8) | status;
    }

    function _expectOutcomes(uint256[] memory seen, uint256[] memory expected, string memory what) private {
        bool same = seen.length == expected.length;
        for (uint256 i = 0; same && i < seen.length; ++i) {
            same = seen[i] == expected[i];
        }
        if (!same) _violation(what);
    }

    // ================================================================== internals: recovery

    /// @dev The first request from `seed` whose status is in `mask` (a cancelled one only if not refunded yet), in
    /// direction `dirSeed % 2` or else the other; when there is none, request `seed` of direction `dirSeed % 2` and
    /// false (`exists` false when that direction has no request at all).
    function _find(uint256 dirSeed, uint256 seed, uint256 mask)
        private
        view
        returns (uint8 dir, uint64 nonce, bool found, bool exists)
    {
        for (uint256 d = 0; d < 2; ++d) {
            uint8 dd = uint8((dirSeed % 2 + d) % 2);
            Request[] storage reqs = _requests(dd);
            uint256 n = reqs.length;
            for (uint256 k = 0; k < n; ++k) {
                uint256 i = (seed % n + k) % n;
                Request storage r = reqs[i];
                if (mask & (1 << r.status) != 0 && !r.refunded) return (dd, uint64(i), true, true);
            }
        }
        dir = uint8(dirSeed % 2);
        uint256 count = _requests(dir).length;
        if (count != 0) return (dir, uint64(seed % count), false, true);
    }

    /// @dev Approves the cancellation (`cancel`, on the destination) or the refund (on the source) of request `nonce`
    /// of `dir`, `due` when the honest operators would: by signatures (mode 0), every key in turn (1, 2), or one key.
    function _approveRecovery(uint8 dir, uint64 nonce, bool due, bool cancel, uint256 opSeed, uint256 modeSeed) private {
        uint256 mode = modeSeed % 4;
        if (mode == 0) {
            _signedRecovery(dir, nonce, due, cancel, modeSeed >> 8);
        } else if (mode < 3) {
            Request storage r = _requests(dir)[nonce];
            for (uint256 i = 0; i < KEYS; ++i) {
                _recoveryApproval(dir, nonce, due, cancel, (opSeed % KEYS + i) % KEYS);
                if (!due || (cancel ? r.status == CANCELLED : r.refunded)) break;
            }
        } else {
            _recoveryApproval(dir, nonce, due, cancel, opSeed % KEYS);
        }
    }

    /// @dev One key's approval (empty signatures) of a cancellation or a refund.
    function _recoveryApproval(uint8 dir, uint64 nonce, bool due, bool cancel, uint256 op) private {
        uint8 side = cancel ? 1 - dir : dir;
        TransferRecovery rec = _recovery(side);
        BridgeSignedHandles.Transfer memory t = cancel ? _transfer(dir, nonce) : _sourceTransfer(dir, nonce);
        bytes32 digest = cancel ? rec.cancelDigest(t) : rec.refundDigest(t);
        (bool expectOk, bool reaches) = _approval(side, digest, op);
        expectOk = expectOk && due;
        reaches = reaches && expectOk;
        bytes memory revertData;
        if (reaches && !cancel) (expectOk, revertData) = _refundOutcome(dir, nonce); // reverts, approval and all
        bytes memory data = cancel
            ? abi.encodeCall(TransferRecovery.cancelTransfer, (t, ""))
            : abi.encodeCall(TransferRecovery.refundTransfer, (t, ""));
        if (_runRecovery(dir, nonce, cancel, operatorAddrs[op], data, expectOk, reaches, revertData)) {
            _bookApproval(side, digest, op, reaches);
        }
        _checkPendingApprovals(side, digest);
    }

    /// @dev A cancellation or a refund approved by the signatures of a subset of the keys (half the time exactly the
    /// current operators), submitted by a user.
    function _signedRecovery(uint8 dir, uint64 nonce, bool due, bool cancel, uint256 maskSeed) private {
        uint8 side = cancel ? 1 - dir : dir;
        TransferRecovery rec = _recovery(side);
        BridgeSignedHandles.Transfer memory t = cancel ? _transfer(dir, nonce) : _sourceTransfer(dir, nonce);
        bytes32 digest = cancel ? rec.cancelDigest(t) : rec.refundDigest(t);
        uint256 mask = maskSeed % 2 == 0 ? _operatorMask(side) : (maskSeed >> 8) % (1 << KEYS);
        address[] memory signers = _sortedSigners(mask);
        bool expectOk = due && signers.length >= _model[side].threshold[VALUE_VOTE];
        bytes memory signatures;
        for (uint256 i = 0; i < signers.length; ++i) {
            uint256 key = _keyIndex(signers[i]);
            if (!_model[side].isOp[key]) expectOk = false;
            (uint8 v, bytes32 r, bytes32 s) = VM.sign(_keys[key], digest);
            signatures = abi.encodePacked(signatures, r, s, v);
        }
        bytes memory revertData;
        if (expectOk && !cancel) (expectOk, revertData) = _refundOutcome(dir, nonce);
        bytes memory data = cancel
            ? abi.encodeCall(TransferRecovery.cancelTransfer, (t, signatures))
            : abi.encodeCall(TransferRecovery.refundTransfer, (t, signatures));
        _runRecovery(dir, nonce, cancel, users[maskSeed % USERS], data, expectOk, expectOk, revertData);
    }

    /// @dev A dishonest minority on the source of `dir`: one key approves the refund of request `nonce`, which was not
    /// cancelled (never up to the threshold: the honest majority the bridge assumes), or names a request refunded
    /// already or never made (refused).
    function _dishonestRefund(uint8 dir, uint64 nonce, uint256 op, uint256 modeSeed) private {
        Request storage r = _requests(dir)[nonce];
        TransferRecovery rec = _recovery(dir);
        BridgeSignedHandles.Transfer memory t = _sourceTransfer(dir, nonce);
        bool unknown = modeSeed % 4 == 0;
        if (unknown) t.requestNonce = uint64(_requests(dir).length);
        bytes32 digest = rec.refundDigest(t);
        (bool expectOk, bool reaches) = _approval(dir, digest, op);
        if (unknown || r.refunded) expectOk = false;
        else if (reaches) return;
        bytes memory data = abi.encodeCall(TransferRecovery.refundTransfer, (t, ""));
        if (_runRecovery(dir, nonce, false, operatorAddrs[op], data, expectOk, false, "")) {
            _bookApproval(dir, digest, op, false);
        }
        _checkPendingApprovals(dir, digest);
        _stat("dishonest refund approvals");
    }

    /// @dev Calls the recovery ledger of the destination (`cancel`) or the source of `dir` as `sender` with `data`,
    /// checks the outcome with the model (`executes`: the cancellation or the refund of request `nonce` takes
    /// effect; `revertData`, when not empty, the exact reason of an expected revert), books it (a refund counts
    /// against the source's handle limits) and checks that value moved only by a refund, exactly to the requester.
    /// Returns whether the call succeeded.
    function _runRecovery(
        uint8 dir,
        uint64 nonce,
        bool cancel,
        address sender,
        bytes memory data,
        bool expectOk,
        bool executes,
        bytes memory revertData
    ) private returns (bool ok) {
        uint8 side = cancel ? 1 - dir : dir;
        Request storage r = _requests(dir)[nonce];
        Snapshot memory before = _snapshot(side);
        uint256 fromBefore = r.kind == KLAY ? r.from.balance : _tokenBalance(side, r.from);
        bytes memory returned;
        (ok, returned) = _callReturning(sender, address(_recovery(side)), 0, data);
        if (!_expectCall(ok, expectOk, cancel ? "cancellation" : "refund") || !ok) {
            if (!ok && revertData.length != 0) {
                if (keccak256(returned) != keccak256(revertData)) _violation("refund reverted for another reason than its limits");
                _stat("refunds refused by limits");
            }
            _stat(cancel ? "cancellations refused" : "refunds refused");
            return ok;
        }
        uint256 moved = 0;
        if (executes && cancel) {
            r.status = CANCELLED;
            _stat("cancellations");
        } else if (executes) {
            moved = r.value;
            r.refunded = true;
            _ledger[dir][r.kind].refunded += moved;
            _consumeHandle(side, r.kind, moved);
            _stat("refunds");
        } else {
            _stat(cancel ? "cancel approvals" : "refund approvals");
        }
        Snapshot memory after_ = _snapshot(side);
        uint256 fromAfter = r.kind == KLAY ? r.from.balance : _tokenBalance(side, r.from);
        if (fromAfter != fromBefore + moved) _violation("a refund paid the requester other than the request's value");
        bool klay = r.kind == KLAY;
        bool minted = !klay && side == CHILD;
        if (before.klay != after_.klay + (klay ? moved : 0)) _violation("KLAY left the bridge other than by a refund");
        if (before.tokenBalance != after_.tokenBalance + (klay || minted ? 0 : moved)) {
            _violation("tokens left the bridge other than by a refund");
        }
        if (after_.childSupply != before.childSupply + (minted ? moved : 0)) _violation("tokens minted other than by a refund");
    }

    /// @dev Whether `op`'s approval of `digest` on `side` is accepted (an operator, not approved yet under the current
    /// operator set), and whether it reaches the value-transfer threshold: the approvals still pending (given under
    /// the current operator set; none after any operator change) plus this one.
    function _approval(uint8 side, bytes32 digest, uint256 op) private view returns (bool expectOk, bool reaches) {
        OperatorModel storage m = _model[side];
        if (!m.isOp[op]) return (false, false);
        uint256 count = 1;
        Approvals storage a = _approvals[digest];
        if (a.roster == m.roster) {
            if (a.approved[op]) return (false, false);
            for (uint256 i = 0; i < KEYS; ++i) {
                if (a.approved[i]) ++count;
            }
        }
        return (true, count >= m.threshold[VALUE_VOTE]);
    }

    /// @dev Books an accepted approval of `digest` on `side`: recorded under the current operator set (those of an
    /// earlier set dropped first), or (reaching the threshold) every approval of `digest` dropped.
    function _bookApproval(uint8 side, bytes32 digest, uint256 op, bool reaches) private {
        if (reaches) {
            delete _approvals[digest];
            return;
        }
        Approvals storage a = _approvals[digest];
        uint32 roster = _model[side].roster;
        if (a.roster != roster) {
            delete _approvals[digest];
            a.roster = roster;
        }
        a.approved[op] = true;
    }

    /// @dev Checks the approvals of `digest` the ledger of `side` reports pending (`approvalsOf`) against the model's.
    function _checkPendingApprovals(uint8 side, bytes32 digest) private {
        Approvals storage a = _approvals[digest];
        bool valid = a.roster == _model[side].roster;
        address[] memory listed = _recovery(side).approvalsOf(digest);
        uint256 count = 0;
        for (uint256 i = 0; i < KEYS; ++i) {
            if (valid && a.approved[i]) ++count;
        }
        bool same = listed.length == count;
        for (uint256 i = 0; same && i < listed.length; ++i) {
            uint256 key = _keyIndex(listed[i]);
            same = key < KEYS && a.approved[key];
        }
        if (!same) _violation("pending recovery approvals differ from the model");
    }

    /// @dev Whether the refund of request `nonce` of `dir`, approved, is paid now: within the source's handle limits
    /// (else it reverts `RefundAboveLimits`, returned as `revertData`), and paid: KLAY to the requester (a user)
    /// always, tokens unless the source's token is paused.
    function _refundOutcome(uint8 dir, uint64 nonce) private view returns (bool works, bytes memory revertData) {
        Request storage r = _requests(dir)[nonce];
        if (!_handleWithinLimits(dir, r.kind, r.value)) {
            return (false, abi.encodeWithSelector(BridgeRecovery.RefundAboveLimits.selector, nonce));
        }
        return (r.kind == KLAY || !_paused(dir), "");
    }

    // ================================================================== internals: limits

    function _limitsOf(uint8 side) private view returns (LimitModel[2] memory lm) {
        lm[0] = _limits[side][0];
        lm[1] = _limits[side][1];
    }

    function _commitLimits(uint8 side, LimitModel[2] memory lm) private {
        _limits[side][0] = lm[0];
        _limits[side][1] = lm[1];
    }

    /// @dev Whether a request of `amount` of `kind` on `side` is within the side's limits (always, without limits).
    function _requestWithinLimits(uint8 side, uint8 kind, uint256 amount) private view returns (bool) {
        LimitModel storage l = _limits[side][kind];
        if (!l.on) return true;
        uint256 used = l.requestDay == _today() ? l.requestUsed : 0;
        if (amount < l.min || (l.max != 0 && amount > l.max)) return false;
        return l.dailyRequest == 0 || used + amount <= l.dailyRequest;
    }

    /// @dev Whether `amount` of `kind` paid out by `side` (a refund) is within its handle limits (always, without
    /// limits): the bridge's `_checkHandle`, as `_predictHandle` models it for a handle.
    function _handleWithinLimits(uint8 side, uint8 kind, uint256 amount) private view returns (bool) {
        LimitModel storage l = _limits[side][kind];
        if (!l.on) return true;
        uint256 used = l.handleDay == _today() ? l.handleUsed : 0;
        return (l.max == 0 || amount <= l.max) && (l.dailyHandle == 0 || used + amount <= l.dailyHandle);
    }

    /// @dev Counts `amount` of `kind` paid out by `side` against today's handle usage (nothing without limits).
    function _consumeHandle(uint8 side, uint8 kind, uint256 amount) private {
        LimitModel storage l = _limits[side][kind];
        if (!l.on) return;
        uint64 today = _today();
        l.handleUsed = (l.handleDay == today ? l.handleUsed : 0) + amount;
        l.handleDay = today;
    }

    function _consumeRequest(uint8 side, uint8 kind, uint256 amount) private {
        LimitModel storage l = _limits[side][kind];
        if (!l.on) return;
        uint64 today = _today();
        l.requestUsed = (l.requestDay == today ? l.requestUsed : 0) + amount;
        l.requestDay = today;
    }

    function _today() private view returns (uint64) {
        return uint64(block.timestamp / 1 days);
    }

    /// @dev After a refused request: no nonce taken, no value moved into or out of the bridge, nothing counted
    /// against the limits.
    function _refusedCleanly(uint8 side, uint8 kind, Snapshot memory before, uint64 nonceBefore, uint256 usedBefore)
        private
    {
        Snapshot memory after_ = _snapshot(side);
        if (
            bridges[side].requestNonce() != nonceBefore || after_.klay != before.klay
                || after_.tokenBalance != before.tokenBalance || after_.childSupply != before.childSupply
        ) {
            _violation("a refused request changed the bridge");
        }
        address token = kind == KLAY ? address(0) : tokens[side];
        if (_transferLimits(side).requestedToday(token) != usedBefore) _violation("a refused request counted against the limits");
    }

    // ================================================================== internals: helpers

    function _snapshot(uint8 side) private view returns (Snapshot memory s) {
        s.klay = address(bridges[side]).balance;
        s.tokenBalance = _tokenBalance(side, address(bridges[side]));
        s.childSupply = childToken.totalSupply();
    }

    function _record(uint8 dir, uint8 kind, address from, address to, uint256 value, bytes memory extra) private {
        Request[] storage reqs = _requests(dir);
        reqs.push(
            Request({
                kind: kind,
                from: from,
                to: to,
                value: value,
                blockNumber: uint64(block.number + reqs.length * 3 + 1), // distinct, so recovery bookkeeping shows
                txHash: keccak256(abi.encode("request tx", dir, reqs.length)),
                extraData: extra,
                executions: 0,
                status: PENDING,
                refunded: false
            })
        );
        _ledger[dir][kind].requested += value;
        _stat(kind == KLAY ? "KLAY requests" : "KIP7 requests");
    }

    /// @dev The per-operator vote calldata for request `nonce` of `dir`; `wrong` 1: another value, 2: another recipient.
    function _voteCalldata(uint8 dir, uint64 nonce, uint256 wrong) private view returns (bytes memory) {
        Request storage r = _requests(dir)[nonce];
        uint256 value = wrong == 1 ? r.value + 1 : r.value;
        address to = wrong == 2 ? (r.to == users[0] ? users[1] : users[0]) : r.to;
        if (r.kind == KLAY) {
            return abi.encodeCall(bridges[0].handleKLAYTransfer, (r.txHash, r.from, to, value, nonce, r.blockNumber, r.extraData));
        }
        return abi.encodeCall(
            bridges[0].handleERC20Transfer, (r.txHash, r.from, to, tokens[1 - dir], value, nonce, r.blockNumber, r.extraData)
        );
    }

    /// @dev Request `nonce` of `dir` as its destination handles it (the destination's token).
    function _transfer(uint8 dir, uint64 nonce) private view returns (BridgeSignedHandles.Transfer memory t) {
        Request storage r = _requests(dir)[nonce];
        t.requestTxHash = r.txHash;
        t.tokenType = r.kind;
        t.from = r.from;
        t.to = r.to;
        t.tokenAddress = r.kind == KLAY ? address(0) : tokens[1 - dir];
        t.valueOrTokenId = r.value;
        t.requestNonce = nonce;
        t.requestBlockNumber = r.blockNumber;
        t.extraData = r.extraData;
    }

    /// @dev Request `nonce` of `dir` as its source refunds it (the source's token).
    function _sourceTransfer(uint8 dir, uint64 nonce) private view returns (BridgeSignedHandles.Transfer memory t) {
        t = _transfer(dir, nonce);
        if (t.tokenType != KLAY) t.tokenAddress = tokens[dir];
    }

    function _operatorMask(uint8 side) private view returns (uint256 mask) {
        for (uint256 i = 0; i < KEYS; ++i) {
            if (_model[side].isOp[i]) mask |= 1 << i;
        }
    }

    function _operatorSignatures(uint8 side, bytes32 digest) private view returns (bytes memory signatures) {
        address[] memory signers = _sortedSigners(_operatorMask(side));
        for (uint256 i = 0; i < signers.length; ++i) {
            (uint8 v, bytes32 r, bytes32 s) = VM.sign(_keys[_keyIndex(signers[i])], digest);
            signatures = abi.encodePacked(signatures, r, s, v);
        }
    }

    function _sortedSigners(uint256 mask) private view returns (address[] memory signers) {
        signers = new address[](KEYS);
        uint256 n = 0;
        for (uint256 i = 0; i < KEYS; ++i) {
            if (mask & (1 << i) == 0) continue;
            address a = operatorAddrs[i];
            uint256 j = n++;
            while (j > 0 && signers[j - 1] > a) {
                signers[j] = signers[j - 1];
                --j;
            }
            signers[j] = a;
        }
        assembly ("memory-safe") {
            mstore(signers, n)
        }
    }

    function _keyIndex(address a) private view returns (uint256) {
        for (uint256 i = 0; i < KEYS; ++i) {
            if (operatorAddrs[i] == a) return i;
        }
        return type(uint256).max;
    }

    /// @dev A request's recipient: one of the users, or (one time in three) the switchable contract.
    function _recipientOf(uint256 seed) private view returns (address) {
        return seed % 3 == 0 ? address(recipient) : users[(seed >> 2) % USERS];
    }

    function _requests(uint8 dir) internal view returns (Request[] storage) {
        return dir == 0 ? _requests0 : _requests1;
    }

    function _recovery(uint8 side) private view returns (TransferRecovery) {
        return bridges[side].transferRecovery();
    }

    function _transferLimits(uint8 side) private view returns (TransferLimits) {
        return bridges[side].transferLimits();
    }

    function _paused(uint8 side) private view returns (bool) {
        return side == PARENT ? parentToken.paused() : childToken.paused();
    }

    function _tokenBalance(uint8 side, address account) private view returns (uint256) {
        return side == PARENT ? parentToken.balanceOf(account) : childToken.balanceOf(account);
    }

    /// @dev Calls `target` as `sender` (the handler itself: no prank), never reverting.
    function _call(address sender, address target, uint256 value, bytes memory data) private returns (bool ok) {
        (ok,) = _callReturning(sender, target, value, data);
    }

    /// @dev `_call`, also returning what the call returned (the revert data when it reverted).
    function _callReturning(address sender, address target, uint256 value, bytes memory data)
        private
        returns (bool ok, bytes memory returned)
    {
        if (sender != address(this)) VM.prank(sender);
        (ok, returned) = target.call{value: value}(data);
    }

    /// @dev Records a violation when the call's outcome differs from the model's; returns whether they agree.
    function _expectCall(bool ok, bool expected, string memory what) private returns (bool) {
        if (ok == expected) return true;
        _violation(string.concat(what, ok ? " succeeded where the model refuses it" : " refused where the model accepts it"));
        return false;
    }

    function _violation(string memory what) private {
        if (violations++ == 0) firstViolation = what;
    }

    function _stat(string memory what) private {
        ++stats[keccak256(bytes(what))];
    }
}
