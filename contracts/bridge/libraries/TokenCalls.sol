// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Internal Imports
import {IBridgeTransfers} from "../interfaces/IBridgeTransfers.sol";

/// @title TokenCalls: calls to token functions that may or may not return a bool
/// @notice Klaytn's mintable tokens return `true` from `mint` and `mintWithTokenURI`; OpenZeppelin-style ones return
/// nothing. Both are accepted; `false`, a revert, or a call to an address without code is refused. A token's own
/// revert data is passed on.
library TokenCalls {
    function callOptionalBool(address token, bytes memory data) internal {
        (bool ok, bytes memory ret) = token.call(data);
        if (!ok) {
            if (ret.length != 0) {
                assembly ("memory-safe") {
                    revert(add(ret, 32), mload(ret))
                }
            }
            revert IBridgeTransfers.TokenCallFailed(token, bytes4(data));
        }
        bool accepted = ret.length == 0 ? token.code.length != 0 : (ret.length == 32 && abi.decode(ret, (bool)));
        if (!accepted) revert IBridgeTransfers.TokenCallFailed(token, bytes4(data));
    }
}
