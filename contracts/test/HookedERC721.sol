// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// External Imports
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

/// @title Test NFT with a transfer hook: when armed, `transferFrom` first calls `hookTarget` with `payload` and `value`
/// wei, passing a revert on.
contract HookedERC721 is ERC721 {
    address public hookTarget;
    bytes public payload;
    uint256 public hookValue;

    constructor() payable ERC721("Hooked NFT", "HNFT") {}

    function mint(address to, uint256 tokenId) external {
        _mint(to, tokenId);
    }

    /// @notice Arms the hook for the next `transferFrom`.
    function arm(address target_, bytes calldata payload_, uint256 value_) external {
        hookTarget = target_;
        payload = payload_;
        hookValue = value_;
    }

    function transferFrom(address from, address to, uint256 tokenId) public override {
        address target_ = hookTarget;
        if (target_ != address(0)) {
            hookTarget = address(0);
            (bool ok, bytes memory result) = target_.call{value: hookValue}(payload);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(result, 32), mload(result))
                }
            }
        }
        super.transferFrom(from, to, tokenId);
    }
}
