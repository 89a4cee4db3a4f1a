// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// External Imports
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

// Internal Imports
import {IBridgeTokens} from "./interfaces/IBridgeTokens.sol";
import {IBridgeTransfers} from "./interfaces/IBridgeTransfers.sol";
import {IOperatorVotes} from "../common/IOperatorVotes.sol";

/// @title BridgeTokens: the registry of token pairs (this chain's token => the other chain's token) and token locks
/// @notice Only registered, unlocked tokens can be requested; only registered tokens are paid out, and each only as its
/// kind: a KIP17 / ERC721 NFT (a token answering ERC165 / KIP13 `supportsInterface(0x80ac58cd)` when registered) or a
/// fungible KIP7 / ERC20 (any other token). The zero address is never a token here: KLAY has its own entry points and
/// is never looked up in this registry.
abstract contract BridgeTokens is Ownable, IBridgeTokens {
    /// @dev One slot per token, read by every request and handle of it: its kind (KLAY: not registered), its lock, its
    /// limits flag, its place in `registeredTokenList`, and what the bridge accounts for holding of it (KIP7).
    struct TokenEntry {
        IBridgeTransfers.TokenType kind;
        bool locked;
        bool limited; // the token has transfer limits (TransferLimits)
        uint32 index;
        uint192 held; // BridgeKIP7's reference point for the one-step requests
    }

    /// @dev The head of the call `supportsInterface(0x80ac58cd)`: ERC165 / KIP13, the interface id of ERC721 / KIP17.
    bytes32 private constant NFT_QUERY = 0x01ffc9a780ac58cd000000000000000000000000000000000000000000000000;
    /// @dev The gas a registration gives the token's `supportsInterface` (EIP-165 asks for at most 30,000).
    uint256 private constant INTERFACE_QUERY_GAS = 30_000;

    mapping(address => TokenEntry) private _tokens;
    mapping(address => address) private _counterparts;

    /// @notice The registered tokens of this chain.
    address[] public registeredTokenList;

    /// @notice The counterpart of `token` on the other chain (zero when not registered).
    function registeredTokens(address token) external view returns (address) {
        return _counterparts[token];
    }

    /// @notice The index of `token` in `registeredTokenList` (0 when not registered).
    function indexOfTokens(address token) external view returns (uint256) {
        return _tokens[token].index;
    }

    /// @notice Whether requests of `token` are locked.
    function lockedTokens(address token) external view returns (bool) {
        return _tokens[token].locked;
    }

    /// @notice The kind of `token` recorded at its registration: ERC20 (a KIP7 or other fungible token) or ERC721 (a
    /// KIP17 NFT); KLAY (0) when `token` is not registered.
    function tokenKind(address token) external view returns (IBridgeTransfers.TokenType) {
        return _tokens[token].kind;
    }

    /// @notice All registered tokens of this chain.
    function getRegisteredTokenList() external view returns (address[] memory) {
        return registeredTokenList;
    }

    /// @notice Registers `token` of this chain with its counterpart `cToken` on the other chain, as an NFT when it
    /// answers ERC165 / KIP13 `supportsInterface(0x80ac58cd)` with true, otherwise as a fungible token. Owner only.
    function registerToken(address _token, address _cToken) external onlyOwner {
        if (_token == address(0) || _cToken == address(0)) revert IOperatorVotes.ZeroAddress();
        if (_counterparts[_token] != address(0)) revert TokenAlreadyRegistered(_token);
        _tokens[_token] = TokenEntry({
            kind: _isNFT(_token) ? IBridgeTransfers.TokenType.ERC721 : IBridgeTransfers.TokenType.ERC20,
            locked: false,
            limited: false,
            index: uint32(registeredTokenList.length),
            held: 0
        });
        _counterparts[_token] = _cToken;
        registeredTokenList.push(_token);
        emit TokenRegistered(_token);
    }

    /// @notice Removes `token` from the registry (and its lock). Owner only.
    function deregisterToken(address _token) external onlyOwner {
        TokenEntry storage entry = _requireRegistered(_token);
        uint32 index = entry.index;
        bool limited = entry.limited;
        uint256 last = registeredTokenList.length - 1;
        if (index != last) {
            address moved = registeredTokenList[last];
            registeredTokenList[index] = moved;
            _tokens[moved].index = index;
        }
        registeredTokenList.pop();
        delete _tokens[_token];
        delete _counterparts[_token];
        emit TokenDeregistered(_token);
        if (limited) _clearLimits(_token);
    }

    /// @notice Stops requests of `token`. Owner only.
    function lockToken(address _token) external onlyOwner {
        TokenEntry storage entry = _requireRegistered(_token);
        if (entry.locked) revert TokenIsLocked(_token);
        entry.locked = true;
        emit TokenLocked(_token);
    }

    /// @notice Allows requests of `token` again. Owner only.
    function unlockToken(address _token) external onlyOwner {
        TokenEntry storage entry = _requireRegistered(_token);
        if (!entry.locked) revert TokenNotLocked(_token);
        entry.locked = false;
        emit TokenUnlocked(_token);
    }

    /// @dev Reverts unless `token` is registered; returns its entry.
    function _requireRegistered(address token) internal view returns (TokenEntry storage entry) {
        entry = _tokens[token];
        if (entry.kind == IBridgeTransfers.TokenType.KLAY) revert TokenNotRegistered(token);
    }

    /// @dev Reverts unless `token` is registered as `kind` (`TokenKindMismatch` when registered as the other kind);
    /// returns whether it has transfer limits, whether it is locked, and what the bridge accounts for holding of it.
    function _requireKind(address token, IBridgeTransfers.TokenType kind)
        internal
        view
        returns (bool limited, bool locked, uint256 held)
    {
        TokenEntry storage entry = _tokens[token];
        IBridgeTransfers.TokenType registered = entry.kind;
        if (registered != kind) {
            if (registered == IBridgeTransfers.TokenType.KLAY) revert TokenNotRegistered(token);
            revert TokenKindMismatch(token, registered, kind);
        }
        return (entry.limited, entry.locked, entry.held);
    }

    /// @dev Reverts unless `token` is registered as `kind` and unlocked; returns whether it has transfer limits and
    /// what the bridge accounts for holding of it.
    function _requireRequestable(address token, IBridgeTransfers.TokenType kind)
        internal
        view
        returns (bool limited, uint256 held)
    {
        bool locked;
        (limited, locked, held) = _requireKind(token, kind);
        if (locked) revert TokenIsLocked(token);
    }

    /// @dev Removes the limits of a token being deregistered (a token registered again starts without limits).
    function _clearLimits(address token) internal virtual;

    /// @dev Marks whether `token` (registered) has transfer limits.
    function _setTokenLimited(address token, bool limited) internal {
        _requireRegistered(token).limited = limited;
    }

    /// @dev Whether `token` has transfer limits.
    function _isLimited(address token) internal view returns (bool) {
        return _tokens[token].limited;
    }

    /// @dev Sets what the bridge accounts for holding of `token` (saturating: a balance past a uint192 never occurs
    /// with a real token).
    function _setHeld(address token, uint256 held) internal {
        _tokens[token].held = held > type(uint192).max ? type(uint192).max : uint192(held);
    }

    /// @dev Takes `value` off what the bridge accounts for holding of `token` (saturating at zero: a payout out of
    /// tokens sent to the bridge outside any request).
    function _subtractHeld(address token, uint256 value) internal {
        TokenEntry storage entry = _tokens[token];
        uint192 held = entry.held;
        unchecked {
            // held > value: the difference fits a uint192
            entry.held = held > value ? uint192(held - value) : 0;
        }
    }

    /// @dev Whether `token` answers ERC165 `supportsInterface(0x80ac58cd)` with true, within a fixed gas budget; a
    /// token without ERC165 (no code, a revert, no answer, anything but true) is not an NFT.
    function _isNFT(address token) private view returns (bool nft) {
        // supportsInterface(0x80ac58cd), built in the scratch space
        bytes32 query = NFT_QUERY;
        assembly ("memory-safe") {
            mstore(0, query)
            mstore(0x20, 0)
            let ok := staticcall(INTERFACE_QUERY_GAS, token, 0, 0x24, 0, 0x20)
            nft := and(and(ok, gt(returndatasize(), 0x1f)), eq(mload(0), 1))
        }
    }
}
