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
