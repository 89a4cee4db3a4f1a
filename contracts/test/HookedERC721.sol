// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// External Imports
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

// Internal Imports
import {TransferHook} from "./TransferHook.sol";

/// @title Test NFT with a transfer hook: when armed, `transferFrom` first calls `hookTarget` with `payload` and `value`
/// wei, passing a revert on.
contract HookedERC721 is ERC721, TransferHook {
    constructor() payable ERC721("Hooked NFT", "HNFT") {}

    function mint(address to, uint256 tokenId) external {
        _mint(to, tokenId);
    }

    function transferFrom(address from, address to, uint256 tokenId) public override {
        _runHook();
        super.transferFrom(from, to, tokenId);
    }
}
