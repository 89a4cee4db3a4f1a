// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {IKIP7} from "./IKIP7.sol";
import {IKIP7Metadata} from "./IKIP7Metadata.sol";
import {IKIP7Receiver} from "./IKIP7Receiver.sol";
import {ReceiverCall} from "./ReceiverCall.sol";

// External Imports
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC165} from "@openzeppelin/contracts/utils/introspection/ERC165.sol";

/// @title KIP7: ERC-20 with Klaytn's `safeTransfer` family and KIP13 interface detection.
/// @notice A `safeTransfer` / `safeTransferFrom` to a contract calls its
///         {IKIP7Receiver-onKIP7Received} and reverts unless it answers 0x9d188c22; a transfer to an account
///         without code needs no answer. Plain `transfer` / `transferFrom` never call the recipient.
/// @dev Reports KIP13 (0x01ffc9a7), KIP7 (0x65787371) and KIP7Metadata (0xa219a025). Concrete tokens add the ids of
///      the extensions they implement by overriding {supportsInterface}.
///      `IKIP7` is not inherited: its ERC-20 functions would collide with OpenZeppelin's `IERC20`; the tests check
///      that the ABI covers it.
abstract contract KIP7 is ERC20, ERC165 {
    /// @notice The contract `receiver` did not accept a safe transfer: it has no `onKIP7Received` hook, or the
    ///         hook returned something other than 0x9d188c22.
    error KIP7InvalidReceiver(address receiver);

    /// @notice Moves `amount` of the caller's tokens to `recipient`, which must accept them if it is a contract.
    /// @param recipient The account receiving the tokens.
    /// @param amount The amount to move.
    function safeTransfer(address recipient, uint256 amount) public virtual {
        _safeTransfer(_msgSender(), recipient, amount, "");
    }

    /// @notice Moves `amount` of the caller's tokens to `recipient`, passing `data` to its hook.
    /// @param recipient The account receiving the tokens.
    /// @param amount The amount to move.
    /// @param data Passed to `recipient`'s `onKIP7Received`.
    function safeTransfer(address recipient, uint256 amount, bytes memory data) public virtual {
        _safeTransfer(_msgSender(), recipient, amount, data);
    }

    /// @notice Moves `amount` of `sender`'s tokens to `recipient` using the caller's allowance; `recipient` must
    ///         accept them if it is a contract.
    /// @param sender The account the tokens come from.
    /// @param recipient The account receiving the tokens.
    /// @param amount The amount to move.
    function safeTransferFrom(address sender, address recipient, uint256 amount) public virtual {
        _spendAllowance(sender, _msgSender(), amount);
        _safeTransfer(sender, recipient, amount, "");
    }

    /// @notice As the three-argument {safeTransferFrom}, passing `data` to `recipient`'s hook.
    /// @param sender The account the tokens come from.
    /// @param recipient The account receiving the tokens.
    /// @param amount The amount to move.
    /// @param data Passed to `recipient`'s `onKIP7Received`.
    function safeTransferFrom(address sender, address recipient, uint256 amount, bytes memory data)
        public
        virtual
    {
        _spendAllowance(sender, _msgSender(), amount);
        _safeTransfer(sender, recipient, amount, data);
    }

    /// @notice KIP13: whether this token implements `interfaceId`.
    /// @param interfaceId A KIP13 interface id.
    /// @return True for KIP13, KIP7, KIP7Metadata and whatever a derived token adds.
    function supportsInterface(bytes4 interfaceId) public view virtual override returns (bool) {
        return interfaceId == type(IKIP7).interfaceId || interfaceId == type(IKIP7Metadata).interfaceId
            || super.supportsInterface(interfaceId);
    }

    /// @dev Moves the tokens, then asks a contract `to` to accept them. A receiver's own revert reason is passed
    ///      on; a refusal without one reverts with {KIP7InvalidReceiver}.
    function _safeTransfer(address from, address to, uint256 amount, bytes memory data) internal virtual {
        _transfer(from, to, amount);
        if (to.code.length == 0) return;
        (bool accepted, bytes memory revertData) = ReceiverCall.callForMagic(
            to,
            abi.encodeCall(IKIP7Receiver.onKIP7Received, (_msgSender(), from, amount, data)),
            IKIP7Receiver.onKIP7Received.selector
        );
        if (accepted) return;
        ReceiverCall.bubble(revertData);
        revert KIP7InvalidReceiver(to);
    }
}
