// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {BridgeLinked} from "./access/BridgeLinked.sol";
import {MinterRole} from "./access/MinterRole.sol";
import {IKIP17BridgeReceiver} from "./interfaces/IKIP17BridgeReceiver.sol";
import {KIP17} from "./kip/KIP17.sol";
import {IKIP17Burnable} from "./kip/IKIP17Burnable.sol";
import {IKIP17MetadataMintable} from "./kip/IKIP17MetadataMintable.sol";

// External Imports
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

/// @title The service chain's KIP17 token, minted and burned by its bridge.
/// @notice The bridge mints (with the parent token's URI) without being added as a minter and burns tokens it
///         holds; the deployer owns the token and is its first minter. Holders send a token to the other chain in
///         one step with {requestValueTransfer}.
/// @dev KIP13 ids: KIP13, KIP17, KIP17Metadata, KIP17MetadataMintable (0xfac27f46), KIP17Burnable (0x42966c68)
///      and ERC-4906 (from OpenZeppelin's URI storage). Not KIP17Mintable: there is no `mint(address,uint256)`.
contract ServiceChainKIP17 is KIP17, MinterRole, BridgeLinked {
    /// @param name_ The collection name.
    /// @param symbol_ The collection symbol.
    /// @param bridge_ The bridge contract on this chain; must be a contract.
    constructor(string memory name_, string memory symbol_, address bridge_)
        ERC721(name_, symbol_)
        Ownable(msg.sender)
        BridgeLinked(bridge_)
    {}

    /// @notice Creates token `tokenId` with URI `tokenURI_` for `to`. The bridge and the minters may call it.
    /// @dev Uses `_mint`, not `_safeMint`: a bridge payout never calls into the recipient, so a recipient cannot
    ///      block or re-enter it.
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

    /// @notice Klaytn's one-step transfer to the other chain: moves the caller's token `_uid` to the bridge, then
    ///         calls the bridge's {IKIP17BridgeReceiver-onERC721Received}, which records the request (and reverts
    ///         the whole transaction if it refuses it).
    /// @param _uid The token to transfer; the caller must own it.
    /// @param _to The recipient on the other chain.
    /// @param _extraData Data carried to the other chain.
    function requestValueTransfer(uint256 _uid, address _to, bytes calldata _extraData) external {
        address bridge_ = bridge;
        transferFrom(_msgSender(), bridge_, _uid);
        IKIP17BridgeReceiver(bridge_).onERC721Received(_msgSender(), _uid, _to, _extraData);
    }

    /// @notice Whether `account` may mint: the bridge always may, other accounts when they hold the minter role.
    /// @param account The account to check.
    /// @return True for the bridge and for minters.
    function isMinter(address account) public view override returns (bool) {
        return account == bridge || super.isMinter(account);
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
