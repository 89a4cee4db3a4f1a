// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Test token whose mint functions return false instead of minting (a refusal without a revert).
contract FalseMinter {
    function mint(address, uint256) external pure returns (bool) {
        return false;
    }

    function mintWithTokenURI(address, uint256, string calldata) external pure returns (bool) {
        return false;
    }
}

/// @title Test NFT whose mint functions return false: a `FalseMinter` that says it is a KIP17 / ERC721 (ERC165), so
/// that a bridge registers it as an NFT.
contract FalseNFTMinter is FalseMinter {
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == 0x80ac58cd || interfaceId == 0x01ffc9a7;
    }
}
