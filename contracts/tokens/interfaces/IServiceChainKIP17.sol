// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title What a bridge calls on a service-chain KIP17 token (see {ServiceChainKIP17}).
/// @dev KIP17Token offers the same `mintWithTokenURI` / `burn` to its minters and token owners.
interface IServiceChainKIP17 {
    /// @notice Creates token `tokenId` with URI `tokenURI` for `to` without calling `to`. The bridge and the
    ///         minters may call it.
    /// @return True on success.
    function mintWithTokenURI(address to, uint256 tokenId, string calldata tokenURI) external returns (bool);

    /// @notice Destroys token `tokenId`. The caller must own it or be approved for it.
    function burn(uint256 tokenId) external;

    /// @notice The bridge this token belongs to.
    function bridge() external view returns (address);

    /// @notice Links the token to another bridge contract. Only the owner may call it.
    function setBridge(address newBridge) external;

    /// @notice Moves the caller's token `_uid` to the bridge and calls its
    ///         {IKIP17BridgeReceiver-onERC721Received}.
    function requestValueTransfer(uint256 _uid, address _to, bytes calldata _extraData) external;
}
