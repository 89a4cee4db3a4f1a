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
    bytes4 private constant SAFE_TRANSFER_FROM = bytes4(keccak256("safeTransferFrom(address,address,uint256)"));

    /// @notice Source chain: requests NFT `tokenId` of `token` for `to` on the other chain (approve first).
    function requestERC721Transfer(address _tokenAddress, address _to, uint256 _tokenId, bytes calldata _extraData)
        external
        nonReentrant
    {
        _request(TokenType.ERC721, _tokenAddress, msg.sender, _to, _tokenId, 0, INTAKE_PULL, _extraData);
    }

    /// @notice Source chain, one step: called by a registered service-chain NFT's `requestValueTransfer` after it
    /// moved `tokenId` to the bridge (Klaytn's hook).
    function onERC721Received(address _from, uint256 _tokenId, address _to, bytes calldata _extraData)
        external
        nonReentrant
    {
        _request(TokenType.ERC721, msg.sender, _from, _to, _tokenId, 0, INTAKE_ARRIVED, _extraData);
    }

    /// @notice Source chain, one step: a KIP17 `safeTransferFrom` of a registered NFT to the bridge, with
    /// `data = abi.encode(address to, bytes extraData)`.
    function onKIP17Received(address, address from, uint256 tokenId, bytes calldata data)
        external
        nonReentrant
        returns (bytes4)
    {
        (address to, bytes memory extraData) = _decodeTransferData(data);
        _request(TokenType.ERC721, msg.sender, from, to, tokenId, 0, INTAKE_ARRIVED, extraData);
        return KIP17_RECEIVED;
    }

    /// @notice Source chain, one step: an ERC721 `safeTransferFrom` of a registered NFT to the bridge, with
    /// `data = abi.encode(address to, bytes extraData)`.
    function onERC721Received(address, address from, uint256 tokenId, bytes calldata data)
        external
        nonReentrant
        returns (bytes4)
    {
        (address to, bytes memory extraData) = _decodeTransferData(data);
        _request(TokenType.ERC721, msg.sender, from, to, tokenId, 0, INTAKE_ARRIVED, extraData);
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
        _executeHandle(
            Transfer({
                requestTxHash: _requestTxHash,
                tokenType: uint8(TokenType.ERC721),
                from: _from,
                to: _to,
                tokenAddress: _tokenAddress,
                valueOrTokenId: _tokenId,
                requestNonce: _requestedNonce,
                requestBlockNumber: _requestedBlockNumber,
                tokenURI: _tokenURI,
                extraData: _extraData
            }),
            true
        );
    }

    // ------------------------------------------------------------------ hooks of the core

    /// @dev Checks that `token` is a registered, unlocked NFT, takes NFT `tokenId` in (pulled from `from`, or arrived
    /// before the hook), checks that the bridge owns it, and returns the token URI as the request's encoded data
    /// (Klaytn's encoding: the raw return data of `tokenURI`, an ABI-encoded string, ABI-encoded again as a string).
    /// No fee is taken on an NFT.
    function _transferFromSender(
        TokenType kind,
        address token,
        address from,
        uint256 tokenId,
        uint256 feeLimit,
        uint8 intake,
        Status memory status
    ) internal virtual override returns (uint256, uint256, uint256, bool, bytes memory) {
        if (kind != TokenType.ERC721) {
            return super._transferFromSender(kind, token, from, tokenId, feeLimit, intake, status);
        }
        (bool limited,) = _requireRequestable(token, TokenType.ERC721);
        if (intake == INTAKE_PULL) IERC721(token).transferFrom(from, address(this), tokenId);
        if (IERC721(token).ownerOf(tokenId) != address(this)) revert TokenNotReceived(token, tokenId);
        (bool ok, bytes memory uri) = token.staticcall(abi.encodeCall(IERC721Metadata.tokenURI, (tokenId)));
        if (!ok) uri = "";
        return (tokenId, 0, 0, limited, abi.encode(string(uri)));
    }

    /// @dev Burns the NFT in mint/burn mode.
    function _afterRequest(
        TokenType kind,
        address token,
        address from,
        uint256 tokenId,
        uint256 feeLimit,
        uint256 fee,
        address receiver
    ) internal virtual override {
        if (kind != TokenType.ERC721) return super._afterRequest(kind, token, from, tokenId, feeLimit, fee, receiver);
        if (modeMintBurn) IKIP17MintBurn(token).burn(tokenId);
    }

    /// @dev The token must be registered as an NFT; returns whether it has transfer limits.
    function _requireHandleable(Transfer memory t, bool klayLimited) internal view virtual override returns (bool) {
        if (t.tokenType != uint8(TokenType.ERC721)) return super._requireHandleable(t, klayLimited);
        (bool limited,,) = _requireKind(t.tokenAddress, TokenType.ERC721);
        return limited;
    }

    /// @dev An NFT counts 1 against the limits.
    function _limitUnits(uint8 kind, uint256 valueOrTokenId) internal pure virtual override returns (uint256) {
        if (kind != uint8(TokenType.ERC721)) return super._limitUnits(kind, valueOrTokenId);
        return 1;
    }

    /// @dev Lock mode releases with `safeTransferFrom` (as Klaytn's bridge): a contract recipient that does not accept
    /// the NFT makes the payout fail, and the transfer is parked as failed rather than the NFT stuck in the contract.
    function _transferTo(Transfer memory t, address to, bool capped)
        internal
        virtual
        override
        returns (bool, bytes memory)
    {
        if (t.tokenType != uint8(TokenType.ERC721)) return super._transferTo(t, to, capped);
        bytes memory call = modeMintBurn
            ? abi.encodeCall(IKIP17MintBurn.mintWithTokenURI, (to, t.valueOrTokenId, t.tokenURI))
            : abi.encodeWithSelector(SAFE_TRANSFER_FROM, address(this), to, t.valueOrTokenId);
        return TokenCalls.tryCall(t.tokenAddress, 0, call, true, capped);
    }
}
