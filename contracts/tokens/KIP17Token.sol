// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {MinterRole} from "./access/MinterRole.sol";
import {KIP17} from "./kip/KIP17.sol";
import {IKIP17Burnable} from "./kip/IKIP17Burnable.sol";
import {IKIP17MetadataMintable} from "./kip/IKIP17MetadataMintable.sol";

// External Imports
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

/// @title A plain KIP17 token with per-token URIs for the parent chain.
/// @notice The deployer owns it and is its first minter. Minters mint with a URI; owners (or approved accounts)
///         burn.
/// @dev KIP13 ids: KIP13, KIP17, KIP17Metadata, KIP17MetadataMintable (0xfac27f46), KIP17Burnable (0x42966c68)
///      and ERC-4906 (from OpenZeppelin's URI storage). Not KIP17Mintable: there is no `mint(address,uint256)`.
contract KIP17Token is KIP17, MinterRole {
    /// @param name_ The collection name.
    /// @param symbol_ The collection symbol.
    constructor(string memory name_, string memory symbol_) ERC721(name_, symbol_) Ownable(msg.sender) {}

    /// @notice Creates token `tokenId` with URI `tokenURI_` for `to`. Only a minter may call it.
    /// @param to The owner of the new token; it is not called.
    /// @param tokenId The new token's id; must not exist.
    /// @param tokenURI_ The token's metadata URI.
    /// @return True on success.
    function mintWithTokenURI(address to, uint256 tokenId, string calldata tokenURI_)
        external
        onlyMinter
        returns (bool)
    {
        _mint(to, tokenId);
        _setTokenURI(tokenId, tokenURI_);
        return true;
    }

    /// @notice Destroys token `tokenId`. The caller must own it or be approved for it.
    /// @param tokenId The token to destroy.
    function burn(uint256 tokenId) external {
        _update(address(0), tokenId, _msgSender());
    }

    /// @notice KIP13: whether this token implements `interfaceId`.
    /// @param interfaceId A KIP13 interface id.
    /// @return True for KIP13, KIP17, KIP17Metadata, KIP17MetadataMintable, KIP17Burnable and ERC-4906.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(IKIP17MetadataMintable).interfaceId
            || interfaceId == type(IKIP17Burnable).interfaceId || super.supportsInterface(interfaceId);
    }
}
