// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Bridge} from "../../../contracts/bridge/Bridge.sol";
import {ITransferLimits} from "../../../contracts/bridge/interfaces/ITransferLimits.sol";
import {PausableKIP7Token, PausableServiceChainKIP7, SwitchableRecipient} from "../TestDoubles.sol";
import {VM} from "../Vm.sol";
import {IBridgeTransfers} from "../../../contracts/bridge/interfaces/IBridgeTransfers.sol";
import {IRecoveryLedgerAbi} from "./BridgeAbi.sol";

/// @title HandlerFixture: the bridge pair the invariant handler drives, its models' state and its ghost state
/// @notice Owns two bridges on one EVM: the parent (lock mode, holding a KIP7 token) and the child (mint/burn mode,
/// minting a service-chain KIP7), KLAY both ways. Both tokens can be paused by the handler, and one recipient is a
/// contract the handler switches between accepting and refusing KLAY: payouts fail now and then. It plays users, the
/// owner and five operator keys (the operators of each side are a subset of them: they vote with `vm.prank` and
/// sign with `vm.sign`). Every action (`RequestActions`, `HandleActions`, `RecoveryActions`, `ConfigActions`, joined
/// in `BridgeHandler`) takes bounded random inputs, predicts the bridge's answer from the models (`HandlerModels`),
/// performs the call, and records here what happened: requests with their content and where each stands on its
/// destination (pending, paid, failed, held, cancelled) and whether it was refunded on its source, value moved, and
/// how often each action and each notable branch ran (`stats`).
/// @dev The handler never reverts (the campaign runs with `failOnRevert`): a bridge answer that differs from the
/// model is recorded by `_violation` and reported by an invariant, with the first message kept. To add an action:
/// predict its outcome, call through `_call`, book what it moved in `_ledger` and the request's status, count it
/// with `_stat`, and let the invariants in `BridgeInvariants.t.sol` see it.
abstract contract HandlerFixture {
    // ------------------------------------------------------------------ constants

    uint8 internal constant PARENT = 0;
    uint8 internal constant CHILD = 1;
    uint8 internal constant KLAY = 0;
    uint8 internal constant KIP7 = 1;
    uint8 internal constant KIP17 = 2; // token kind of an NFT: the handler makes no NFT requests
    uint8 internal constant VALUE_VOTE = 0;
    uint8 internal constant CONFIG_VOTE = 1;

    /// @notice Where a request stands on its destination bridge.
    uint8 public constant PENDING = 0; // not handled
    uint8 public constant PAID = 1; // handled and paid (`HandleValueTransfer`), at once, on a retry or on a release
    uint8 public constant FAILED = 2; // handled, payout failed: parked as failed
    uint8 public constant HELD = 3; // handled above the destination's limits: parked as held
    uint8 public constant CANCELLED = 4; // parked, then cancelled by the operators: to be refunded on the source
    /// @dev Not a status (a refunded request stays CANCELLED): the class of a cancelled request refunded on its source,
    /// for the masks that choose a request (`_find`).
    uint8 internal constant REFUNDED = 5;

    uint256 internal constant KEYS = 5;
    uint256 internal constant USERS = 3;
    uint256 internal constant MAX_REQUESTS = 150; // below the bridge's 200-nonce step: lowerHandleNonce is exact
    uint256 internal constant MAX_KLAY = 5 ether;
    uint256 internal constant MAX_TOKEN = 1_000e18;
    uint256 public constant LIQUIDITY = 10_000 ether;

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

    /// @dev What was counted against a daily limit, and on which day.
    struct DailyUse {
        uint64 day;
        uint256 used;
    }

    /// @dev The transfer limits of one asset on one side, and what was counted against them on a day.
    struct LimitModel {
        uint128 min;
        uint128 max;
        uint128 dailyRequest;
        uint128 dailyHandle;
        bool on; // any of the four set: requests and handles consult the limits
        DailyUse requests;
        DailyUse handles;
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

    /// @dev How often each action and each notable outcome happened in this run (`stats`), by name, so that a campaign
    /// that does nothing useful is visible; the names in the order first counted (or registered with `_track`).
    mapping(bytes32 => uint256) internal _statCounts;
    string[] internal _statNames;
    mapping(bytes32 => bool) internal _statKnown;

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

    struct Snapshot {
        uint256 klay;
        uint256 tokenBalance;
        uint256 childSupply;
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
        requestedToday = _usedToday(l.requests);
        handledToday = _usedToday(l.handles);
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

    /// @notice How often the action or outcome `what` happened in this run.
    function stat(string calldata what) external view returns (uint256) {
        return _statCounts[keccak256(bytes(what))];
    }

    /// @notice Every action and outcome counted in this run or tracked from the start (those never reached: 0), with
    /// how often each happened.
    function stats() external view returns (string[] memory names, uint256[] memory counts) {
        names = _statNames;
        counts = new uint256[](names.length);
        for (uint256 i = 0; i < names.length; ++i) {
            counts[i] = _statCounts[keccak256(bytes(names[i]))];
        }
    }

    // ================================================================== internals: helpers

    function _snapshot(uint8 side) internal view returns (Snapshot memory s) {
        s.klay = address(bridges[side]).balance;
        s.tokenBalance = _tokenBalance(side, address(bridges[side]));
        s.childSupply = childToken.totalSupply();
    }

    /// @dev Request `nonce` of `dir` as its destination handles it (the destination's token).
    function _transfer(uint8 dir, uint64 nonce) internal view returns (IBridgeTransfers.Transfer memory t) {
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
    function _sourceTransfer(uint8 dir, uint64 nonce) internal view returns (IBridgeTransfers.Transfer memory t) {
        t = _transfer(dir, nonce);
        if (t.tokenType != KLAY) t.tokenAddress = tokens[dir];
    }

    function _today() internal view returns (uint64) {
        return uint64(block.timestamp / 1 days);
    }

    /// @dev What `use` counted today (nothing when it was counted on an earlier day).
    function _usedToday(DailyUse memory use) internal view returns (uint256) {
        return use.day == _today() ? use.used : 0;
    }

    function _operatorMask(uint8 side) internal view returns (uint256 mask) {
        for (uint256 i = 0; i < KEYS; ++i) {
            if (_model[side].isOp[i]) mask |= 1 << i;
        }
    }

    function _operatorSignatures(uint8 side, bytes32 digest) internal view returns (bytes memory signatures) {
        address[] memory signers = _sortedSigners(_operatorMask(side));
        for (uint256 i = 0; i < signers.length; ++i) {
            (uint8 v, bytes32 r, bytes32 s) = VM.sign(_keys[_keyIndex(signers[i])], digest);
            signatures = abi.encodePacked(signatures, r, s, v);
        }
    }

    function _sortedSigners(uint256 mask) internal view returns (address[] memory signers) {
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

    function _keyIndex(address a) internal view returns (uint256) {
        for (uint256 i = 0; i < KEYS; ++i) {
            if (operatorAddrs[i] == a) return i;
        }
        return type(uint256).max;
    }

    /// @dev A request's recipient: one of the users, or (one time in three) the switchable contract.
    function _recipientOf(uint256 seed) internal view returns (address) {
        return seed % 3 == 0 ? address(recipient) : users[(seed >> 2) % USERS];
    }

    function _requests(uint8 dir) internal view returns (Request[] storage) {
        return dir == 0 ? _requests0 : _requests1;
    }

    function _recovery(uint8 side) internal view returns (IRecoveryLedgerAbi) {
        return IRecoveryLedgerAbi(address(bridges[side].transferRecovery()));
    }

    /// @dev What side `side` counted against its request limits today for `token` (address 0: KLAY).
    function _requestedToday(uint8 side, address token) internal view returns (uint256) {
        return bridges[side].transferLimits().requestedToday(token);
    }

    function _paused(uint8 side) internal view returns (bool) {
        return side == PARENT ? parentToken.paused() : childToken.paused();
    }

    function _tokenBalance(uint8 side, address account) internal view returns (uint256) {
        return side == PARENT ? parentToken.balanceOf(account) : childToken.balanceOf(account);
    }

    /// @dev Calls `target` as `sender` (the handler itself: no prank), never reverting.
    function _call(address sender, address target, uint256 value, bytes memory data) internal returns (bool ok) {
        (ok,) = _callReturning(sender, target, value, data);
    }

    /// @dev `_call`, also returning what the call returned (the revert data when it reverted).
    function _callReturning(address sender, address target, uint256 value, bytes memory data)
        internal
        returns (bool ok, bytes memory returned)
    {
        if (sender != address(this)) VM.prank(sender);
        (ok, returned) = target.call{value: value}(data);
    }

    /// @dev Records a violation when the call's outcome differs from the model's; returns whether they agree.
    function _expectCall(bool ok, bool expected, string memory what) internal returns (bool) {
        if (ok == expected) return true;
        _violation(string.concat(what, ok ? " succeeded where the model refuses it" : " refused where the model accepts it"));
        return false;
    }

    function _violation(string memory what) internal {
        if (violations++ == 0) firstViolation = what;
    }

    /// @dev Counts one occurrence of the action or outcome `what`.
    function _stat(string memory what) internal {
        _track(what);
        ++_statCounts[keccak256(bytes(what))];
    }

    /// @dev Lists `what` among the stats (with a count of 0 until it happens), so that a branch never reached shows.
    function _track(string memory what) internal {
        bytes32 key = keccak256(bytes(what));
        if (_statKnown[key]) return;
        _statKnown[key] = true;
        _statNames.push(what);
    }
}
