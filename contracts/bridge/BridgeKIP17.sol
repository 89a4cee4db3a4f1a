// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// External Imports
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";

// Internal Imports
import {BridgeCore} from "./BridgeCore.sol";
import {BridgeTokens} from "./BridgeTokens.sol";
import {TokenCalls} from "./libraries/TokenCalls.sol";

/// @title IKIP17MintBurn: the KIP17 functions a mint/burn bridge calls
/// @notice What a mint/burn bridge calls on a KIP17 token (`mintWithTokenURI` may return a bool or nothing).
interface IKIP17MintBurn {
    /// @notice Mints NFT `tokenId` with `tokenURI` for `to`.
    function mintWithTokenURI(address to, uint256 tokenId, string calldata tokenURI) external;
    /// @notice Burns NFT `tokenId`.
    function burn(uint256 tokenId) external;
}

/// @title BridgeKIP17: KIP17 / ERC721 NFTs, locked or burnt on the source, released or minted on the destination
/// @notice Ways in: `requestERC721Transfer` after an approval; Klaytn's service-chain NFT hook
/// `onERC721Received(address,uint256,address,bytes)`; a KIP17 or ERC721 `safeTransferFrom` to the bridge
/// (`onKIP17Received` / standard `onERC721Received`) whose data is `abi.encode(address to, bytes extraData)`.
/// The request carries the token URI in `RequestValueTransferEncoded` (version 2, Klaytn's double encoding).
abstract contract BridgeKIP17 is BridgeCore, BridgeTokens {
    bytes4 private constant KIP17_RECEIVED = 0x6745782b;
    bytes4 private constant ERC721_RECEIVED = 0x150b7a02;
    uint8 private constant URI_ENCODING_VERSION = 2;
    bytes4 private constant SAFE_TRANSFER_FROM = bytes4(keccak256("safeTransferFrom(address,address,uint256)"));

    /// @notice Source chain: requests NFT `tokenId` of `token` for `to` on the other chain (approve first).
    function requestERC721Transfer(address _tokenAddress, address _to, uint256 _tokenId, bytes calldata _extraData)
        external
        nonReentrant
    {
        _beginKIP17Request(_tokenAddress, _to);
        IERC721(_tokenAddress).transferFrom(msg.sender, address(this), _tokenId);
        _requestKIP17(_tokenAddress, msg.sender, _to, _tokenId, _extraData);
    }

    /// @notice Source chain, one step: called by a registered service-chain NFT's `requestValueTransfer` after it
    /// moved `tokenId` to the bridge (Klaytn's hook).
    function onERC721Received(address _from, uint256 _tokenId, address _to, bytes calldata _extraData)
        external
        nonReentrant
    {
        _beginKIP17Request(msg.sender, _to);
        _requestKIP17(msg.sender, _from, _to, _tokenId, _extraData);
    }

    /// @notice Source chain, one step: a KIP17 `safeTransferFrom` of a registered NFT to the bridge, with
    /// `data = abi.encode(address to, bytes extraData)`.
    function onKIP17Received(address, address from, uint256 tokenId, bytes calldata data)
        external
        nonReentrant
        returns (bytes4)
    {
        _requestBySafeTransfer(from, tokenId, data);
        return KIP17_RECEIVED;
    }

    /// @notice Source chain, one step: an ERC721 `safeTransferFrom` of a registered NFT to the bridge, with
    /// `data = abi.encode(address to, bytes extraData)`.
    function onERC721Received(address, address from, uint256 tokenId, bytes calldata data)
        external
        nonReentrant
        returns (bytes4)
    {
        _requestBySafeTransfer(from, tokenId, data);
        return ERC721_RECEIVED;
    }

    /// @notice Destination chain: an operator's vote to give NFT `tokenId` of `token` (with `tokenURI` when minted)
    /// to `to` for request `requestedNonce` of the counterpart bridge. Executed once the threshold of operators
    /// voted the same call data.
    function handleERC721Transfer(
        bytes32 _requestTxHash,
        address _from,
        address _to,
        address _tokenAddress,
        uint256 _tokenId,
        uint64 _requestedNonce,
        uint64 _requestedBlockNumber,
        string calldata _tokenURI,
        bytes calldata _extraData
    ) external nonReentrant {
        if (!_voteValueTransfer(_requestedNonce)) return;
        _handleVoted(
            _requestTxHash,
            TokenType.ERC721,
            _from,
            _to,
            _tokenAddress,
            _tokenId,
            _requestedNonce,
            _requestedBlockNumber,
            _tokenURI,
            _extraData
        );
    }

    function _requestBySafeTransfer(address from, uint256 tokenId, bytes calldata data) private {
        // decoded here as `_decodeTransferData` does: calling it from this module too grows the Bridge by about 450
        // bytes (solc 0.8.30, via IR, runs 800)
        if (data.length < 96) revert InvalidTransferData();
        (address to, bytes memory extraData) = abi.decode(data, (address, bytes));
        _beginKIP17Request(msg.sender, to);
        _requestKIP17(msg.sender, from, to, tokenId, extraData);
    }

    /// @dev The checks of every NFT request: the bridge running, a recipient, `token` a registered, unlocked NFT,
    /// and its limits (an NFT counts 1).
    function _beginKIP17Request(address token, address to) private {
        // an NFT request needs nothing else of the status slot (no fee, no KLAY flags): read only the running flag
        if (!_bridgeStatus.running) revert BridgeNotRunning();
        if (to == address(0)) revert ZeroRecipient();
        (bool limited,) = _requireRequestable(token, TokenType.ERC721);
        if (limited) _consumeRequestLimit(token, 1);
    }

    function _requestKIP17(
        address token,
        address from,
        address to,
        uint256 tokenId,
        bytes memory extraData
    ) private {
        if (IERC721(token).ownerOf(tokenId) != address(this)) revert TokenNotReceived(token, tokenId);
        // Klaytn's encoding: the raw return data of tokenURI (an ABI-encoded string), ABI-encoded again as a string.
        (bool ok, bytes memory uri) = token.staticcall(abi.encodeCall(IERC721Metadata.tokenURI, (tokenId)));
        if (!ok) uri = "";
        _emitRequestEncoded(
            TokenType.ERC721, from, to, token, tokenId, extraData, URI_ENCODING_VERSION, abi.encode(string(uri))
        );
        if (modeMintBurn) IKIP17MintBurn(token).burn(tokenId);
    }

    /// @dev An NFT must be registered as one; it counts 1 against the handle limits.
    function _requireHandleable(Transfer memory t, bool klayLimited) internal view virtual override returns (uint256) {
        if (t.tokenType != uint8(TokenType.ERC721)) return super._requireHandleable(t, klayLimited);
        (bool limited,,) = _requireKind(t.tokenAddress, TokenType.ERC721);
        return limited ? 1 : 0;
    }

    /// @dev Lock mode releases with `safeTransferFrom` (as Klaytn's bridge): a contract recipient that does not accept
    /// the NFT makes the payout fail, and the transfer is parked as failed rather than the NFT stuck in the contract.
    function _transferTo(Transfer memory t, address to, bool capped) internal virtual override returns (bool, bytes memory) {
        if (t.tokenType != uint8(TokenType.ERC721)) return super._transferTo(t, to, capped);
        bytes memory call = modeMintBurn
            ? abi.encodeCall(IKIP17MintBurn.mintWithTokenURI, (to, t.valueOrTokenId, t.tokenURI))
            : abi.encodeWithSelector(SAFE_TRANSFER_FROM, address(this), to, t.valueOrTokenId);
        return TokenCalls.tryCall(t.tokenAddress, 0, call, true, capped);
    }
}
