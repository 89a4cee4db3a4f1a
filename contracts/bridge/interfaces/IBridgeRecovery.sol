// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {IBridgeTransfers} from "./IBridgeTransfers.sol";
import {ITransferRecovery} from "./ITransferRecovery.sol";

/// @title The bridge's side of failed, held, cancelled and refunded transfers
/// @notice What a bridge does for its `TransferRecovery` ledger: pays on its behalf and checks operator signatures.
/// The errors of a payout above the limits are declared by `BridgeRecovery` itself.
interface IBridgeRecovery {
    /// @notice Pays `transfer` on behalf of the recovery ledger: to its recipient (retry, release) or back to its
    /// requester (refund). Only the bridge's `TransferRecovery` may call.
    function recoveryPayout(IBridgeTransfers.Transfer calldata transfer, ITransferRecovery.RecoveryAction action)
        external
        returns (bool paid, bytes memory reason);

    /// @notice Reverts unless `signatures` hold the value-transfer threshold of current operators' signatures of
    /// `digest`, sorted by signer.
    function checkOperatorSignatures(bytes32 digest, bytes calldata signatures) external view;
}

/// @title IRecoverableBridge: what a `TransferRecovery` calls on its bridge
/// @notice The recovery functions of the bridge, and the operator, owner and request views its ledger relies on.
interface IRecoverableBridge is IBridgeRecovery {
    /// @notice Whether `account` is a current operator.
    function operators(address account) external view returns (bool);
    /// @notice The current operator set's roster: a new address on every operator change.
    function operatorRoster() external view returns (address);
    /// @notice The threshold of a vote type.
    function operatorThresholds(uint8 voteType) external view returns (uint8);
    /// @notice The bridge's owner.
    function owner() external view returns (address);
    /// @notice The nonce of the bridge's next request.
    function requestNonce() external view returns (uint64);
}
