// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// External Imports
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC721Burnable} from "@openzeppelin/contracts/token/ERC721/extensions/ERC721Burnable.sol";
import {ERC721URIStorage} from "@openzeppelin/contracts/token/ERC721/extensions/ERC721URIStorage.sol";

/// @title Test fixture: an ERC721 anyone may mint with a URI, burnable by its holders; `tokenURI` can be made to revert.
contract TestERC721 is ERC721, ERC721URIStorage, ERC721Burnable {
    /// @notice Whether `tokenURI` reverts.
    bool public uriReverts;

    /// @notice `tokenURI` is switched off.
    error TokenURIDisabled();

    constructor(string memory name_, string memory symbol_) ERC721(name_, symbol_) {}

    /// @notice Mints `tokenId` with `uri` to `to`; returns true as Klaytn's mintable NFTs do.
    function mintWithTokenURI(address to, uint256 tokenId, string calldata uri) external returns (bool) {
        _mint(to, tokenId);
        _setTokenURI(tokenId, uri);
        return true;
    }

    /// @notice Makes `tokenURI` revert (or stops it).
    function setURIReverts(bool reverts) external {
        uriReverts = reverts;
    }

    function tokenURI(uint256 tokenId) public view override(ERC721, ERC721URIStorage) returns (string memory) {
        if (uriReverts) revert TokenURIDisabled();
        return super.tokenURI(tokenId);
    }

    function supportsInterface(bytes4 interfaceId) public view override(ERC721, ERC721URIStorage) returns (bool) {
        return super.supportsInterface(interfaceId);
    }
}
