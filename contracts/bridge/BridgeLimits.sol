// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {BridgeCore} from "./BridgeCore.sol";
import {BridgeTokens} from "./BridgeTokens.sol";
import {TransferLimits} from "./TransferLimits.sol";
import {ITransferLimits} from "./interfaces/ITransferLimits.sol";

/// @title BridgeLimits: owner-set transfer limits per token and for KLAY, off by default
/// @notice Per asset: a minimum and a maximum per transfer and a daily limit, for requests on this bridge (a request
/// beyond them is refused) and a daily limit for handles on this bridge (a handle above the maximum or the daily
/// handle limit is held, never lost, until the owner releases it through `transferRecovery()`). A handle counts against
/// the daily handle limit only when value leaves: a first payout that fails gives its amount back, a retry counts when
/// it pays, a release by the owner is not counted (the owner's decision). The ledger lives in a
/// `TransferLimits` contract this bridge creates; an asset without limits costs nothing, its flag sits in a slot its
/// path reads anyway.
abstract contract BridgeLimits is BridgeCore, BridgeTokens, ITransferLimits {
    /// @notice The ledger of this bridge's limits and daily usage.
    TransferLimits public immutable transferLimits;

    constructor() {
        transferLimits = new TransferLimits();
    }

    /// @notice Sets the limits of `token` (the zero address: KLAY; otherwise `token` must be registered here); all zero
    /// turns them off. A KIP17 NFT counts 1 against the daily limits. Owner only.
    function setTransferLimits(
        address token,
        uint128 minPerTransfer,
        uint128 maxPerTransfer,
        uint128 dailyRequestLimit,
        uint128 dailyHandleLimit
    ) external onlyOwner {
        bool limited = minPerTransfer != 0 || maxPerTransfer != 0 || dailyRequestLimit != 0 || dailyHandleLimit != 0;
        if (token == address(0)) {
            _bridgeStatus.klayRequestLimited = limited;
            _nonces.klayHandleLimited = limited;
        } else {
            _setTokenLimited(token, limited);
        }
        transferLimits.setLimits(token, Limits(minPerTransfer, maxPerTransfer, dailyRequestLimit, dailyHandleLimit));
        emit TransferLimitsChanged(token, minPerTransfer, maxPerTransfer, dailyRequestLimit, dailyHandleLimit);
    }

    function _clearLimits(address token) internal override {
        transferLimits.setLimits(token, Limits(0, 0, 0, 0));
        emit TransferLimitsChanged(token, 0, 0, 0, 0);
    }

    function _consumeRequestLimit(address token, uint256 amount) internal override {
        transferLimits.consumeRequest(token, amount);
    }

    function _consumeHandleLimit(address token, uint256 amount) internal override returns (bool) {
        return transferLimits.consumeHandle(token, amount);
    }

    function _returnHandleLimit(address token, uint256 amount) internal override {
        transferLimits.returnHandle(token, amount);
    }
}
