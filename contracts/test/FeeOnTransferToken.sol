// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// External Imports
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

// Internal Imports
import {IKIP7BridgeReceiver} from "../tokens/interfaces/IKIP7BridgeReceiver.sol";
import {IKIP7Receiver} from "../tokens/kip/IKIP7Receiver.sol";

/// @title Test token that burns 1% of every transfer, so the recipient gets less than was sent.
/// @notice For tests only: a token that keeps a fee out of every transfer, with the bridge's two one-step hooks (a KIP7
/// `safeTransfer` and Klaytn's service-chain `requestValueTransfer`) and an open `mint` / `burn` for mint/burn bridges.
/// Both hooks report the amount sent, not what arrived.
/// @dev Minting and burning are not charged.
contract FeeOnTransferToken is ERC20 {
    /// @notice The recipient's hook did not answer with the KIP7 magic value.
    error KIP7ReceiverRefused(address to);

    constructor(string memory name_, string memory symbol_, uint256 initialSupply) ERC20(name_, symbol_) {
        _mint(msg.sender, initialSupply);
    }

    /// @notice Mints `amount` for `to` (anyone may: a test token).
    function mint(address to, uint256 amount) external returns (bool) {
        _mint(to, amount);
        return true;
    }

    /// @notice Burns `amount` of the caller's tokens.
    function burn(uint256 amount) external {
        _burn(msg.sender, amount);
    }

    /// @notice KIP7 `safeTransfer`: moves `amount` (1% is burnt on the way), then calls the recipient's
    /// `onKIP7Received` with `amount`.
    function safeTransfer(address to, uint256 amount, bytes calldata data) external {
        _transfer(msg.sender, to, amount);
        if (IKIP7Receiver(to).onKIP7Received(msg.sender, msg.sender, amount, data) != 0x9d188c22) {
            revert KIP7ReceiverRefused(to);
        }
    }

    /// @notice Klaytn's service-chain `requestValueTransfer`, with the bridge named: moves `amount + feeLimit` to
    /// `bridge` (1% burnt on the way), then calls its `onERC20Received` with the amounts sent.
    function requestValueTransfer(address bridge, uint256 amount, address to, uint256 feeLimit, bytes calldata extraData)
        external
    {
        _transfer(msg.sender, bridge, amount + feeLimit);
        IKIP7BridgeReceiver(bridge).onERC20Received(msg.sender, to, amount, feeLimit, extraData);
    }

    /// @dev Burns `value / 100` from `from` and moves the rest.
    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0)) {
            super._update(from, to, value);
            return;
        }
        uint256 fee = value / 100;
        super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
