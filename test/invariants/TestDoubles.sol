// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {KIP7Token} from "../../contracts/tokens/KIP7Token.sol";
import {ServiceChainKIP7} from "../../contracts/tokens/ServiceChainKIP7.sol";

/// @title The parent chain's KIP7 token of the invariant campaign, which its owner (the handler) can pause
/// @notice While paused every balance change (transfer, mint, burn) reverts: a release by the bridge fails and is
/// parked as failed, a refund reverts, a request is refused.
contract PausableKIP7Token is KIP7Token {
    /// @notice Whether balance changes revert.
    bool public paused;

    /// @notice Balance changes are paused.
    error TokenPaused();

    constructor(string memory name_, string memory symbol_) KIP7Token(name_, symbol_, 18, 0) {}

    /// @notice Pauses (`true`) or resumes (`false`) every balance change. Owner only.
    function setPaused(bool paused_) external onlyOwner {
        paused = paused_;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (paused) revert TokenPaused();
        super._update(from, to, value);
    }
}

/// @title The service chain's KIP7 token of the invariant campaign, which its owner (the handler) can pause
/// @notice While paused every balance change reverts: a mint by the bridge fails and is parked as failed.
contract PausableServiceChainKIP7 is ServiceChainKIP7 {
    /// @notice Whether balance changes revert.
    bool public paused;

    /// @notice Balance changes are paused.
    error TokenPaused();

    constructor(string memory name_, string memory symbol_, address bridge_) ServiceChainKIP7(name_, symbol_, bridge_) {}

    /// @notice Pauses (`true`) or resumes (`false`) every balance change. Owner only.
    function setPaused(bool paused_) external onlyOwner {
        paused = paused_;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (paused) revert TokenPaused();
        super._update(from, to, value);
    }
}

/// @title A recipient contract that accepts or refuses KLAY as its owner (the handler) switches it
/// @notice A KLAY payout to it fails while it refuses, and succeeds again (on a retry) once it accepts.
contract SwitchableRecipient {
    /// @notice The account that may switch it.
    address public immutable owner;
    /// @notice Whether it refuses KLAY.
    bool public refusing;

    /// @notice It refuses KLAY now.
    error KLAYRefused();

    constructor() {
        owner = msg.sender;
    }

    /// @notice Refuses (`true`) or accepts (`false`) KLAY from now on. Owner only.
    function setRefusing(bool refusing_) external {
        require(msg.sender == owner, "not owner");
        refusing = refusing_;
    }

    receive() external payable {
        if (refusing) revert KLAYRefused();
    }
}
