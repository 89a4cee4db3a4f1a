// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {IKIP13} from "../tokens/kip/IKIP13.sol";
import {IKIP17} from "../tokens/kip/IKIP17.sol";
import {IKIP17Burnable} from "../tokens/kip/IKIP17Burnable.sol";
import {IKIP17Enumerable} from "../tokens/kip/IKIP17Enumerable.sol";
import {IKIP17Metadata} from "../tokens/kip/IKIP17Metadata.sol";
import {IKIP17MetadataMintable} from "../tokens/kip/IKIP17MetadataMintable.sol";
import {IKIP17Mintable} from "../tokens/kip/IKIP17Mintable.sol";
import {IKIP17Receiver} from "../tokens/kip/IKIP17Receiver.sol";
import {IKIP7} from "../tokens/kip/IKIP7.sol";
import {IKIP7Burnable} from "../tokens/kip/IKIP7Burnable.sol";
import {IKIP7Metadata} from "../tokens/kip/IKIP7Metadata.sol";
import {IKIP7Mintable} from "../tokens/kip/IKIP7Mintable.sol";
import {IKIP7Receiver} from "../tokens/kip/IKIP7Receiver.sol";

/// @title Test helper: the compiler's `type(I).interfaceId` for each KIP interface, and the receiver magic values.
contract KIPInterfaceIds {
    /// @notice The interface names, in the order {ids} returns them.
    function names() external pure returns (string[] memory list) {
        list = new string[](12);
        list[0] = "KIP13";
        list[1] = "KIP7";
        list[2] = "KIP7Metadata";
        list[3] = "KIP7Mintable";
        list[4] = "KIP7Burnable";
        list[5] = "KIP17";
        list[6] = "KIP17Metadata";
        list[7] = "KIP17Enumerable";
        list[8] = "KIP17Mintable";
        list[9] = "KIP17MetadataMintable";
        list[10] = "KIP17Burnable";
        list[11] = "KIP7Receiver";
    }

    /// @notice `type(I).interfaceId` of each interface named by {names}; the last entry is the KIP7 receiver's
    ///         single selector.
    function ids() external pure returns (bytes4[] memory list) {
        list = new bytes4[](12);
        list[0] = type(IKIP13).interfaceId;
        list[1] = type(IKIP7).interfaceId;
        list[2] = type(IKIP7Metadata).interfaceId;
        list[3] = type(IKIP7Mintable).interfaceId;
        list[4] = type(IKIP7Burnable).interfaceId;
        list[5] = type(IKIP17).interfaceId;
        list[6] = type(IKIP17Metadata).interfaceId;
        list[7] = type(IKIP17Enumerable).interfaceId;
        list[8] = type(IKIP17Mintable).interfaceId;
        list[9] = type(IKIP17MetadataMintable).interfaceId;
        list[10] = type(IKIP17Burnable).interfaceId;
        list[11] = type(IKIP7Receiver).interfaceId;
    }

    /// @notice The receiver hooks' magic values: onKIP7Received and onKIP17Received selectors.
    function magicValues() external pure returns (bytes4 kip7, bytes4 kip17) {
        return (IKIP7Receiver.onKIP7Received.selector, IKIP17Receiver.onKIP17Received.selector);
    }
}
