// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {IKIP17Receiver} from "./IKIP17Receiver.sol";
import {ReceiverCall} from "./ReceiverCall.sol";

// External Imports
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {ERC721URIStorage} from "@openzeppelin/contracts/token/ERC721/extensions/ERC721URIStorage.sol";
import {IERC721Receiver} from "@openzeppelin/contracts/token/ERC721/IERC721Receiver.sol";

/// @title KIP17: ERC-721 whose safe transfers accept KIP17 or ERC-721 receivers, as Klaytn's KIP17 does.
/// @notice A `safeTransferFrom` (and an internal safe transfer or safe mint) to a contract first calls its
///         {IKIP17Receiver-onKIP17Received}; when that does not answer 0x6745782b, it calls ERC-721's
///         `onERC721Received` and accepts the answer 0x150b7a02. Anything else reverts.
/// @dev Built on OpenZeppelin's ERC-721 with per-token URI storage (`_setTokenURI`), which every KIP17 token here
///      needs; a single base keeps derived tokens free of diamond overrides. ERC-721 already reports the KIP13 ids
///      that KIP17 shares with it: KIP13 (0x01ffc9a7), KIP17 (0x80ac58cd) and KIP17Metadata (0x5b5e139f); the URI
///      storage adds ERC-4906 (0x49064906). A receiver implementing both hooks is called a second time only when
///      its KIP17 hook did not accept.
abstract contract KIP17 is ERC721URIStorage {
    /// @notice The contract `receiver` did not accept a safe transfer: neither `onKIP17Received` nor
    ///         `onERC721Received` returned its magic value.
    error KIP17InvalidReceiver(address receiver);

    /// @notice Moves token `tokenId` from `from` to `to`; a contract `to` must accept it through
    ///         `onKIP17Received` or `onERC721Received`.
    /// @param from The current owner.
    /// @param to The new owner.
    /// @param tokenId The token to move.
    /// @param data Passed to the recipient's hook.
    function safeTransferFrom(address from, address to, uint256 tokenId, bytes memory data)
        public
        virtual
        override(ERC721, IERC721)
    {
        transferFrom(from, to, tokenId);
        _checkOnKIP17Received(_msgSender(), from, to, tokenId, data);
    }

    /// @dev As ERC-721's, with the KIP17 receiver check.
    function _safeTransfer(address from, address to, uint256 tokenId, bytes memory data)
        internal
        virtual
        override
    {
        _transfer(from, to, tokenId);
        _checkOnKIP17Received(_msgSender(), from, to, tokenId, data);
    }

    /// @dev As ERC-721's, with the KIP17 receiver check.
    function _safeMint(address to, uint256 tokenId, bytes memory data) internal virtual override {
        _mint(to, tokenId);
        _checkOnKIP17Received(_msgSender(), address(0), to, tokenId, data);
    }

    /// @dev Accepts an account without code; a contract must answer the KIP17 or the ERC-721 hook. When neither
    ///      accepts, a receiver's own revert reason is passed on (the KIP17 hook's first), else
    ///      {KIP17InvalidReceiver}.
    function _checkOnKIP17Received(address operator, address from, address to, uint256 tokenId, bytes memory data)
        private
    {
        if (to.code.length == 0) return;
        (bool accepted, bytes memory kip17RevertData) = ReceiverCall.callForMagic(
            to,
            abi.encodeCall(IKIP17Receiver.onKIP17Received, (operator, from, tokenId, data)),
            IKIP17Receiver.onKIP17Received.selector
        );
        if (accepted) return;
        bytes memory erc721RevertData;
        (accepted, erc721RevertData) = ReceiverCall.callForMagic(
            to,
            abi.encodeCall(IERC721Receiver.onERC721Received, (operator, from, tokenId, data)),
            IERC721Receiver.onERC721Received.selector
        );
        if (accepted) return;
        ReceiverCall.bubble(kip17RevertData);
        ReceiverCall.bubble(erc721RevertData);
        revert KIP17InvalidReceiver(to);
    }
}
