// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Klaytn's bridge hook for one-step KIP17 value transfers, called by {ServiceChainKIP17-requestValueTransfer}.
/// @dev Named as in Klaytn's bridge (selector 0xcf0da290); not ERC-721's `onERC721Received(address,address,uint256,bytes)`.
interface IKIP17BridgeReceiver {
    /// @notice Called by a registered token after it moved token `_tokenId` of `_from` to the bridge.
    /// @param _from The account that requested the transfer.
    /// @param _tokenId The token to transfer.
    /// @param _to The recipient on the other chain.
    /// @param _extraData Data carried to the other chain.
    function onERC721Received(address _from, uint256 _tokenId, address _to, bytes calldata _extraData) external;
}
