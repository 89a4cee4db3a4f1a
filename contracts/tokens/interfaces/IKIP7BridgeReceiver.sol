// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Klaytn's bridge hook for one-step KIP7 value transfers, called by {ServiceChainKIP7-requestValueTransfer}.
/// @dev Named as in Klaytn's bridge (selector 0xf1656e53), although its shape differs from any standard hook.
interface IKIP7BridgeReceiver {
    /// @notice Called by a registered token after it moved `_value + _feeLimit` of `_from`'s tokens to the bridge.
    /// @param _from The account that requested the transfer.
    /// @param _to The recipient on the other chain.
    /// @param _value The amount to transfer.
    /// @param _feeLimit The most the requester pays as fee; the bridge refunds what it does not charge.
    /// @param _extraData Data carried to the other chain.
    function onERC20Received(address _from, address _to, uint256 _value, uint256 _feeLimit, bytes calldata _extraData)
        external;
}
