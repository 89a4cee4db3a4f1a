// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Bridge} from "../../contracts/bridge/Bridge.sol";
import {BridgeSignedHandles} from "../../contracts/bridge/BridgeSignedHandles.sol";
import {IBridgeTransfers} from "../../contracts/bridge/interfaces/IBridgeTransfers.sol";
import {KIP7Token} from "../../contracts/tokens/KIP7Token.sol";
import {ServiceChainKIP7} from "../../contracts/tokens/ServiceChainKIP7.sol";
import {VM, Vm} from "./Vm.sol";

/// @title BridgeHandler: the actions an invariant campaign strings together on a parent / child bridge pair
/// @notice Owns two bridges on one EVM: the parent (lock mode, holding a KIP7Token) and the child (mint/burn mode,
/// minting a ServiceChainKIP7), KLAY both ways. It plays users, the owner and five operator keys (the operators of
/// each side are a subset of them: they vote with `vm.prank` and sign with `vm.sign`). Every action takes bounded
/// random inputs, predicts the bridge's answer from a model, performs the call, and records in ghost state what
/// happened: requests with their content, executions observed through `HandleValueTransfer`, value moved.
/// @dev The handler never reverts (the campaign runs with `failOnRevert`): a bridge answer that differs from the
/// model is recorded by `_violation` and reported by an invariant, with the first message kept. To add an action
/// (refunds, limits): predict its outcome, call through `_call`, feed what it moved into `_ledger` (the `refunded`
/// column is there for refunds) and let the invariants in `BridgeInvariants.t.sol` see it.
contract BridgeHandler {
    // ------------------------------------------------------------------ constants

    uint8 internal constant PARENT = 0;
    uint8 internal constant CHILD = 1;
    uint8 internal constant KLAY = 0;
    uint8 internal constant KIP7 = 1;
    uint8 internal constant VALUE_VOTE = 0;
    uint8 internal constant CONFIG_VOTE = 1;

    uint256 internal constant KEYS = 5;
    uint256 internal constant USERS = 3;
    uint256 internal constant MAX_REQUESTS = 150; // below the bridge's 200-nonce step: lowerHandleNonce is exact
    uint256 internal constant MAX_KLAY = 5 ether;
    uint256 internal constant MAX_TOKEN = 1_000e18;
    uint256 public constant LIQUIDITY = 10_000 ether;

    bytes32 internal immutable HANDLE_TOPIC = IBridgeTransfers.HandleValueTransfer.selector;

    // ------------------------------------------------------------------ deployment

    Bridge[2] public bridges;
    KIP7Token public parentToken;
    ServiceChainKIP7 public childToken;
    address[2] public tokens; // the KIP7 token of each side
    address[2] public feeReceivers;

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
        uint64 configNonce;
        uint256 klayFee;
        uint256 tokenFee;
        bool feeOn;
        bool running;
    }

    OperatorModel[2] internal _model; // by side

    /// @dev vote id => generation of each operator key that cast it (0: none)
    mapping(bytes32 => uint32[KEYS]) internal _votes;

    struct Request {
        uint8 kind;
        address from;
        address to;
        uint256 value;
        uint64 blockNumber;
        bytes32 txHash;
        bytes extraData;
        uint8 executions; // HandleValueTransfer events seen for this nonce on the destination
    }

    /// @dev by direction (0: parent to child, requested on the parent; 1: child to parent); index = request nonce
    Request[] internal _requests0;
    Request[] internal _requests1;

    struct Ledger {
        uint256 requested; // locked or burnt on the source
        uint256 released; // released or minted on the destination
        uint256 refunded; // returned to the requester on the source (no action yet; issue 6 refunds will add one)
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

        parentToken = new KIP7Token("Parent Token", "PT", 18, 0);
        childToken = new ServiceChainKIP7("Child Token", "CT", address(child));
        tokens = [address(parentToken), address(childToken)];
        parent.registerToken(address(parentToken), address(childToken));
        child.registerToken(address(childToken), address(parentToken));

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

    /// @notice A user requests KLAY on side `sideSeed % 2`: `requestKLAYTransfer`, or a plain payment.
    function requestKLAY(uint256 sideSeed, uint256 userSeed, uint256 amountSeed, uint256 feeSeed) external {
        uint8 side = uint8(sideSeed % 2);
        if (_requests(side).length >= MAX_REQUESTS) return;
        OperatorModel storage m = _model[side];
        Bridge b = bridges[side];
        address user = users[userSeed % USERS];
        address to = users[(userSeed >> 8) % USERS];
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
        uint256 sent = amount + feeLimit;
        VM.deal(user, sent);
        uint256 bridgeBefore = address(b).balance;
        uint256 receiverBefore = feeReceivers[side].balance;
        uint64 nonceBefore = b.requestNonce();

        bool ok = _call(user, address(b), sent, data);
        if (!_expectCall(ok, expectOk, "KLAY request")) return;
        if (!ok) return;

        if (b.requestNonce() != nonceBefore + 1) _violation("KLAY request did not take one nonce");
        if (address(b).balance - bridgeBefore != amount) _violation("KLAY request locked a wrong amount");
        if (feeReceivers[side].balance - receiverBefore != fee) _violation("KLAY request paid a wrong fee");
        if (user.balance != feeLimit - fee) _violation("KLAY request kept the change");
        feesPaid[side][KLAY] += fee;
        _record(side, KLAY, user, to, amount, extra);
    }

    /// @notice A user requests the KIP7 token of side `sideSeed % 2`: approve and `requestERC20Transfer`, a KIP7
    /// `safeTransfer` to the bridge, or (child) the token's one-step `requestValueTransfer`.
    function requestKIP7(uint256 sideSeed, uint256 userSeed, uint256 amountSeed, uint256 feeSeed) external {
        uint8 side = uint8(sideSeed % 2);
        if (_requests(side).length >= MAX_REQUESTS) return;
        OperatorModel storage m = _model[side];
        Bridge b = bridges[side];
        address token = tokens[side];
        address user = users[userSeed % USERS];
        address to = users[(userSeed >> 8) % USERS];
        uint256 fee = m.feeOn ? m.tokenFee : 0;
        uint256 feeLimit = feeSeed % 4 == 0 && fee > 0 ? fee - 1 : fee + (feeSeed % 3) * 1e15;
        uint256 amount;
        if (side == PARENT) {
            amount = amountSeed % (MAX_TOKEN + 1);
            parentToken.mint(user, amount + feeLimit);
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
            credited = amount - (expectOk ? fee : 0);
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

        uint256 bridgeBefore = _tokenBalance(side, address(b));
        uint256 supplyBefore = childToken.totalSupply();
        uint256 receiverBefore = _tokenBalance(side, feeReceivers[side]);
        uint256 userBefore = _tokenBalance(side, user);
        uint64 nonceBefore = b.requestNonce();

        bool ok = _call(user, target, 0, data);
        if (!_expectCall(ok, expectOk, "KIP7 request")) return;
        if (!ok) return;

        if (b.requestNonce() != nonceBefore + 1) _violation("KIP7 request did not take one nonce");
        if (_tokenBalance(side, feeReceivers[side]) - receiverBefore != fee) _violation("KIP7 request: wrong fee");
        uint256 spent = path == 1 ? amount : credited + fee;
        if (userBefore - _tokenBalance(side, user) != spent) _violation("KIP7 request: wrong amount taken");
        if (side == PARENT) {
            if (_tokenBalance(side, address(b)) - bridgeBefore != credited) _violation("KIP7 lock: wrong amount");
        } else {
            if (_tokenBalance(side, address(b)) != bridgeBefore) _violation("KIP7 burn: bridge kept tokens");
            if (supplyBefore - childToken.totalSupply() != credited) _violation("KIP7 burn: wrong amount burnt");
        }
        feesPaid[side][KIP7] += fee;
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

    /// @notice Votes a request of direction `dirSeed % 2` by every operator key in turn, from `opSeed`, until it
    /// executes or all voted: the relayers of an honest operator set converging on one nonce.
    function voteHandleByAll(uint256 dirSeed, uint256 nonceSeed, uint256 opSeed) external {
        uint8 dir = uint8(dirSeed % 2);
        Request[] storage reqs = _requests(dir);
        if (reqs.length == 0) return;
        uint64 nonce = uint64(nonceSeed % reqs.length);
        bytes memory data = _voteCalldata(dir, nonce, 0);
        for (uint256 i = 0; i < KEYS; ++i) {
            if (reqs[nonce].executions != 0) break;
            _vote(dir, nonce, (opSeed % KEYS + i) % KEYS, data, false);
        }
    }

    /// @notice A signed batch of 1 to 3 requests of direction `dirSeed % 2` (repeats and handled nonces included),
    /// signed by a random subset of the five keys (operators or not), submitted by a user. Now and then the batch
    /// is altered after signing, or the signatures are out of order or repeated: all refused.
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
        Bridge b = bridges[dest];
        bytes32 digest = b.batchDigest(batch);

        // Signers: a subset of the keys, sorted by address as the bridge requires.
        uint256 mask = signerSeed % (1 << KEYS);
        address[] memory signers = _sortedSigners(mask);
        uint256 mode = modeSeed % 8;
        bool expectOk = true;
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

        // Expected executions: each nonce of the batch not handled yet, once.
        bool[] memory willExecute = new bool[](batch.length);
        if (expectOk) {
            for (uint256 i = 0; i < batch.length; ++i) {
                uint64 nonce = batch[i].requestNonce;
                bool earlier = false;
                for (uint256 j = 0; j < i; ++j) {
                    if (batch[j].requestNonce == nonce) earlier = true;
                }
                willExecute[i] = !earlier && reqs[nonce].executions == 0;
            }
        }

        VM.recordLogs();
        Snapshot memory before = _snapshot(dest);
        bool ok = _call(
            users[modeSeed % USERS],
            address(b),
            0,
            abi.encodeCall(bridges[0].handleSignedTransfers, (batch, signatures))
        );
        uint64[] memory executed = _observeHandles(dir, before);
        if (!_expectCall(ok, expectOk, "signed batch")) return;
        uint256 expected = 0;
        for (uint256 i = 0; i < batch.length; ++i) {
            if (willExecute[i]) {
                ++expected;
                if (!_contains(executed, batch[i].requestNonce)) _violation("signed batch: a due nonce did not execute");
            }
        }
        if (executed.length != expected) _violation("signed batch: executions differ from the approved batch");
        _stat(ok ? "signed batch accepted" : "signed batch refused");
    }

    /// @notice Replays a handled request of direction `dirSeed % 2`: a vote by an operator (refused) and a signed
    /// batch by all operators (accepted, nothing moves).
    function replayHandled(uint256 dirSeed, uint256 nonceSeed, uint256 opSeed) external {
        uint8 dir = uint8(dirSeed % 2);
        Request[] storage reqs = _requests(dir);
        uint256 n = reqs.length;
        for (uint256 k = 0; k < n; ++k) {
            uint64 nonce = uint64((nonceSeed % n + k) % n);
            if (reqs[nonce].executions == 0) continue;
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
            uint256 executions = _observeHandles(dir, before).length;
            if (!_expectCall(ok, true, "signed replay")) return;
            if (executions != 0) _violation("signed replay executed again");
            _stat("replays");
            return;
        }
    }

    // ================================================================== actions: operators and configuration

    /// @notice The owner registers an operator key on side `sideSeed % 2` (refused when it is one already).
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
    }

    /// @notice The owner removes an operator key on side `sideSeed % 2` (refused when a threshold would exceed the
    /// operators left); its pending votes stop counting.
    function removeOperator(uint256 sideSeed, uint256 opSeed) external {
        uint8 side = uint8(sideSeed % 2);
        uint256 op = opSeed % KEYS;
        OperatorModel storage m = _model[side];
        bool expectOk = m.isOp[op] && m.count - 1 >= m.threshold[0] && m.count - 1 >= m.threshold[1];
        bool ok = _call(address(this), address(bridges[side]), 0, abi.encodeCall(bridges[0].deregisterOperator, (operatorAddrs[op])));
        if (!_expectCall(ok, expectOk, "deregisterOperator") || !ok) return;
        m.isOp[op] = false;
        --m.count;
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

    // ================================================================== views for the invariants

    /// @notice Requests of direction `dir` (0: parent to child).
    function requestCount(uint8 dir) external view returns (uint256) {
        return _requests(dir).length;
    }

    /// @notice Request `nonce` of direction `dir`: asset, value, request block number, executions observed.
    function request(uint8 dir, uint64 nonce)
        external
        view
        returns (uint8 kind, uint256 value, uint64 blockNumber, uint8 executions)
    {
        Request storage r = _requests(dir)[nonce];
        return (r.kind, r.value, r.blockNumber, r.executions);
    }

    /// @notice The ledger of direction `dir` and asset `kind` (0: KLAY, 1: KIP7).
    function ledger(uint8 dir, uint8 kind) external view returns (uint256 requested, uint256 released, uint256 refunded) {
        Ledger storage l = _ledger[dir][kind];
        return (l.requested, l.released, l.refunded);
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

    // ================================================================== internals

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
        bool expectOk = m.isOp[op] && _requests(dir)[nonce].executions == 0;
        bool expectExec = expectOk && _countWith(dest, VALUE_VOTE, nonce, content, op) >= m.threshold[VALUE_VOTE];
        if (wrong && expectExec) return; // honest majority: a wrong content never reaches the threshold

        VM.recordLogs();
        Snapshot memory before = _snapshot(dest);
        bool ok = _call(operatorAddrs[op], address(bridges[dest]), 0, data);
        uint64[] memory executed = _observeHandles(dir, before); // books whatever executed, expected or not
        if (!_expectCall(ok, expectOk, "handle vote")) return;
        if (expectExec) {
            if (executed.length != 1 || executed[0] != nonce) _violation("handle vote reached the threshold but did not execute");
            _stat(wrong ? "wrong vote executed" : "votes executed");
        } else {
            if (executed.length != 0) _violation("handle executed below the threshold of current operators");
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

    /// @dev Parses the `HandleValueTransfer` events of this action on the destination of `dir`, checks each against
    /// its request and the value that moved, and books it. Returns the nonces executed.
    function _observeHandles(uint8 dir, Snapshot memory before) private returns (uint64[] memory nonces) {
        uint8 dest = 1 - dir;
        Vm.Log[] memory logs = VM.getRecordedLogs();
        nonces = new uint64[](logs.length);
        uint256 n = 0;
        uint256[2] memory moved;
        Request[] storage reqs = _requests(dir);
        for (uint256 i = 0; i < logs.length; ++i) {
            Vm.Log memory log = logs[i];
            if (log.emitter != address(bridges[dest]) || log.topics.length != 4 || log.topics[0] != HANDLE_TOPIC) continue;
            (, uint8 tokenType, uint256 value, uint64 nonce,,) =
                abi.decode(log.data, (bytes32, uint8, uint256, uint64, uint64, bytes));
            address to = address(uint160(uint256(log.topics[2])));
            address token = address(uint160(uint256(log.topics[3])));
            if (nonce >= reqs.length) {
                _violation("executed a nonce that was never requested");
                continue;
            }
            Request storage r = reqs[nonce];
            if (tokenType != r.kind || value != r.value || to != r.to || token != (r.kind == KLAY ? address(0) : tokens[dest])) {
                _violation("executed content differs from the request");
            }
            if (++r.executions > 1) _violation("a nonce executed twice");
            _ledger[dir][tokenType == 0 ? 0 : 1].released += value;
            moved[tokenType == 0 ? 0 : 1] += value;
            nonces[n++] = nonce;
        }
        assembly ("memory-safe") {
            mstore(nonces, n)
        }
        Snapshot memory after_ = _snapshot(dest);
        if (before.klay - after_.klay != moved[KLAY]) _violation("KLAY left the bridge other than by its handles");
        if (dest == PARENT) {
            if (before.tokenBalance - after_.tokenBalance != moved[KIP7]) _violation("tokens left the bridge other than by its handles");
        } else {
            if (after_.childSupply - before.childSupply != moved[KIP7]) _violation("tokens minted other than by handles");
        }
    }

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
                executions: 0
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

    function _operatorSignatures(uint8 side, bytes32 digest) private view returns (bytes memory signatures) {
        uint256 mask = 0;
        for (uint256 i = 0; i < KEYS; ++i) {
            if (_model[side].isOp[i]) mask |= 1 << i;
        }
        address[] memory signers = _sortedSigners(mask);
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

    function _contains(uint64[] memory list, uint64 x) private pure returns (bool) {
        for (uint256 i = 0; i < list.length; ++i) {
            if (list[i] == x) return true;
        }
        return false;
    }

    function _requests(uint8 dir) internal view returns (Request[] storage) {
        return dir == 0 ? _requests0 : _requests1;
    }

    function _tokenBalance(uint8 side, address account) private view returns (uint256) {
        return side == PARENT ? parentToken.balanceOf(account) : childToken.balanceOf(account);
    }

    /// @dev Calls `target` as `sender` (the handler itself: no prank), never reverting.
    function _call(address sender, address target, uint256 value, bytes memory data) private returns (bool ok) {
        if (sender != address(this)) VM.prank(sender);
        (ok,) = target.call{value: value}(data);
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
