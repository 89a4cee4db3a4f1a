// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// External Imports
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

// Internal Imports
import {IBridgeTokens} from "./interfaces/IBridgeTokens.sol";
import {IOperatorVotes} from "../common/IOperatorVotes.sol";

/// @title BridgeTokens: the registry of token pairs (this chain's token => the other chain's token) and token locks
/// @notice Only registered, unlocked tokens can be requested; only registered tokens are paid out. The zero address
/// is never a token here: KLAY has its own entry points and is never looked up in this registry.
abstract contract BridgeTokens is Ownable, IBridgeTokens {
    /// @dev One slot per token: its counterpart, its lock and its place in `registeredTokenList`.
    struct TokenEntry {
        address counterpart;
        bool locked;
        bool limited; // the token has transfer limits (TransferLimits)
        uint80 index;
    }

    mapping(address => TokenEntry) private _tokens;

    /// @notice The registered tokens of this chain.
    address[] public registeredTokenList;

    /// @notice The counterpart of `token` on the other chain (zero when not registered).
    function registeredTokens(address token) external view returns (address) {
        return _tokens[token].counterpart;
    }

    /// @notice The index of `token` in `registeredTokenList` (0 when not registered).
    function indexOfTokens(address token) external view returns (uint256) {
        return _tokens[token].index;
    }

    /// @notice Whether requests of `token` are locked.
    function lockedTokens(address token) external view returns (bool) {
        return _tokens[token].locked;
    }

    /// @notice All registered tokens of this chain.
    function getRegisteredTokenList() external view returns (address[] memory) {
        return registeredTokenList;
    }

    /// @notice Registers `token` of this chain with its counterpart `cToken` on the other chain. Owner only.
    function registerToken(address _token, address _cToken) external onlyOwner {
        if (_token == address(0) || _cToken == address(0)) revert IOperatorVotes.ZeroAddress();
        if (_tokens[_token].counterpart != address(0)) revert TokenAlreadyRegistered(_token);
        _tokens[_token] =
            TokenEntry({counterpart: _cToken, locked: false, limited: false, index: uint80(registeredTokenList.length)});
        registeredTokenList.push(_token);
        emit TokenRegistered(_token);
    }

    /// @notice Removes `token` from the registry (and its lock). Owner only.
    function deregisterToken(address _token) external onlyOwner {
        TokenEntry memory entry = _requireRegistered(_token);
        uint256 last = registeredTokenList.length - 1;
        if (entry.index != last) {
            address moved = registeredTokenList[last];
            registeredTokenList[entry.index] = moved;
            _tokens[moved].index = entry.index;
        }
        registeredTokenList.pop();
        delete _tokens[_token];
        emit TokenDeregistered(_token);
        if (entry.limited) _clearLimits(_token);
    }

    /// @notice Stops requests of `token`. Owner only.
    function lockToken(address _token) external onlyOwner {
        if (_requireRegistered(_token).locked) revert TokenIsLocked(_token);
        _tokens[_token].locked = true;
        emit TokenLocked(_token);
    }

    /// @notice Allows requests of `token` again. Owner only.
    function unlockToken(address _token) external onlyOwner {
        if (!_requireRegistered(_token).locked) revert TokenNotLocked(_token);
        _tokens[_token].locked = false;
        emit TokenUnlocked(_token);
    }

    /// @dev Reverts unless `token` is registered; returns its entry.
    function _requireRegistered(address token) internal view returns (TokenEntry memory entry) {
        entry = _tokens[token];
        if (entry.counterpart == address(0)) revert TokenNotRegistered(token);
    }

    /// @dev Reverts unless `token` is registered and unlocked; returns whether it has transfer limits.
    function _requireRequestable(address token) internal view returns (bool limited) {
        TokenEntry memory entry = _requireRegistered(token);
        if (entry.locked) revert TokenIsLocked(token);
        return entry.limited;
    }

    /// @dev Removes the limits of a token being deregistered (a token registered again starts without limits).
    function _clearLimits(address token) internal virtual;

    /// @dev Marks whether `token` (registered) has transfer limits.
    function _setTokenLimited(address token, bool limited) internal {
        _requireRegistered(token);
        _tokens[token].limited = limited;
    }
}
