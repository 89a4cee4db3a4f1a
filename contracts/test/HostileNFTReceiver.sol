// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Test recipient whose token hooks try to re-enter the bridge
/// @notice For tests only. Each receiver hook (KIP7, KIP17, standard ERC721) calls `victim` with `payload` (say a
/// signed batch for `handleSignedTransfers`) and then reverts with {HookCalled}: a payout that calls any hook of this
/// contract fails, so a payout that succeeds proves no hook was called.
contract HostileNFTReceiver {
    address public victim;
    bytes public payload;

    error HookCalled(bool reentered);

    function arm(address victim_, bytes calldata payload_) external {
        victim = victim_;
        payload = payload_;
    }

    function onERC721Received(address, address, uint256, bytes calldata) external returns (bytes4) {
        revert HookCalled(_reenter());
    }

    function onKIP17Received(address, address, uint256, bytes calldata) external returns (bytes4) {
        revert HookCalled(_reenter());
    }

    function onKIP7Received(address, address, uint256, bytes calldata) external returns (bytes4) {
        revert HookCalled(_reenter());
    }

    /// @dev Calls `victim` with `payload` (when armed); whether that call succeeded.
    function _reenter() private returns (bool reentered) {
        if (victim != address(0)) {
            // solhint-disable-next-line avoid-low-level-calls
            (reentered, ) = victim.call(payload);
        }
    }
}
