// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// External Imports
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

// Internal Imports
import {BridgeFees} from "./BridgeFees.sol";
import {BridgeTokens} from "./BridgeTokens.sol";
import {TokenCalls} from "./libraries/TokenCalls.sol";

/// @title IKIP7MintBurn: the KIP7 functions a mint/burn bridge calls
/// @notice What a mint/burn bridge calls on a KIP7 token (`mint` may return a bool or nothing).
interface IKIP7MintBurn {
    /// @notice Mints `amount` for `to`.
    function mint(address to, uint256 amount) external;
    /// @notice Burns `amount` of the caller's tokens.
    function burn(uint256 amount) external;
}

/// @title BridgeKIP7: KIP7 / ERC20 tokens, locked or burnt on the source, released or minted on the destination
/// @notice Three ways in: `requestERC20Transfer` after an approval, Klaytn's service-chain token hook
/// `onERC20Received`, and a KIP7 `safeTransfer` to the bridge (`onKIP7Received`) whose data is
/// `abi.encode(address to, bytes extraData)`. A fee-on-transfer token is credited with what actually arrived, on every
/// path: `requestERC20Transfer` measures the bridge's balance before and after it pulls the tokens; the hooks, called
/// once the tokens have arrived, measure the bridge's balance against what it accounts for holding of the token (the
/// registry's `held`: the balance after its last request, less what it paid out since), and credit at most what the
/// token says it sent.
abstract contract BridgeKIP7 is BridgeFees, BridgeTokens {
    using SafeERC20 for IERC20;

    bytes4 private constant KIP7_RECEIVED = 0x9d188c22;

    /// @notice Source chain: requests `value` of `token` for `to` on the other chain. Takes `value + feeLimit` from
    /// the sender (approve first); the fee goes to the fee receiver and the change back. Credits what arrived less the
    /// fee limit, at most `value`.
    function requestERC20Transfer(address _tokenAddress, address _to, uint256 _value, uint256 _feeLimit, bytes calldata _extraData)
        external
        nonReentrant
    {
        Status memory status = _beginRequest(_to);
        (bool limited,) = _requireRequestable(_tokenAddress, TokenType.ERC20);
        if (_value == 0) revert ZeroAmount();
        if (_feeLimit > type(uint256).max - _value) revert AmountOverflow(_value, _feeLimit);
        uint256 balanceBefore = IERC20(_tokenAddress).balanceOf(address(this));
        IERC20(_tokenAddress).safeTransferFrom(msg.sender, address(this), _value + _feeLimit);
        uint256 balance = IERC20(_tokenAddress).balanceOf(address(this));
        _requestKIP7(status, limited, _tokenAddress, msg.sender, _to, _value, _feeLimit, balance, balance - balanceBefore, _extraData);
    }

    /// @notice Source chain, one step: called by a registered service-chain token's `requestValueTransfer` after it
    /// moved `value + feeLimit` to the bridge (Klaytn's hook). Credits what arrived less the fee limit, at most `value`.
    function onERC20Received(address _from, address _to, uint256 _value, uint256 _feeLimit, bytes calldata _extraData)
        external
        nonReentrant
    {
        Status memory status = _beginRequest(_to);
        if (_value == 0) revert ZeroAmount();
        _requestArrived(status, _from, _to, _value, _feeLimit, _extraData);
    }

    /// @notice Source chain, one step: a KIP7 `safeTransfer` of a registered token to the bridge, with
    /// `data = abi.encode(address to, bytes extraData)`. The fee, if any, is taken out of what arrived (at most
    /// `amount`).
    function onKIP7Received(address, address from, uint256 amount, bytes calldata data)
        external
        nonReentrant
        returns (bytes4)
    {
        (address to, bytes memory extraData) = _decodeTransferData(data);
        Status memory status = _beginRequest(to);
        if (amount == 0) revert ZeroAmount();
        uint256 fee = status.feeReceiver == address(0) ? 0 : feeOfERC20[msg.sender];
        if (amount <= fee) revert InsufficientValue(amount, fee);
        unchecked {
            // amount > fee: checked above
            _requestArrived(status, from, to, amount - fee, fee, extraData);
        }
        return KIP7_RECEIVED;
    }

    /// @notice Destination chain: an operator's vote to pay `value` of `token` to `to` for request `requestedNonce`
    /// of the counterpart bridge. Executed once the threshold of operators voted the same call data.
    function handleERC20Transfer(
        bytes32 _requestTxHash,
        address _from,
        address _to,
        address _tokenAddress,
        uint256 _value,
        uint64 _requestedNonce,
        uint64 _requestedBlockNumber,
        bytes calldata _extraData
    ) external nonReentrant {
        if (!_voteValueTransfer(_requestedNonce)) return;
        _handleVoted(
            _requestTxHash, TokenType.ERC20, _from, _to, _tokenAddress, _value, _requestedNonce, _requestedBlockNumber, "", _extraData
        );
    }

    /// @dev A one-step request of the calling token, whose tokens arrived before the hook: what arrived is the
    /// bridge's balance above what it accounts for holding (`held`).
    function _requestArrived(
        Status memory status,
        address from,
        address to,
        uint256 value,
        uint256 feeLimit,
        bytes memory extraData
    ) private {
        (bool limited, uint256 held) = _requireRequestable(msg.sender, TokenType.ERC20);
        uint256 balance = IERC20(msg.sender).balanceOf(address(this));
        uint256 received;
        unchecked {
            // only when balance > held
            if (balance > held) received = balance - held;
        }
        _requestKIP7(status, limited, msg.sender, from, to, value, feeLimit, balance, received, extraData);
    }

    /// @dev Credits what arrived (`received`, at most `balance`: what the bridge now holds) less the fee limit, at most
    /// `value`; takes the next nonce, settles the fee, records what the bridge now holds of `token`, and burns the
    /// credited value in mint/burn mode.
    function _requestKIP7(
        Status memory status,
        bool limited,
        address token,
        address from,
        address to,
        uint256 value,
        uint256 feeLimit,
        uint256 balance,
        uint256 received,
        bytes memory extraData
    ) private {
        if (received <= feeLimit) revert TokenNotReceived(token, value);
        uint256 credited;
        uint256 kept;
        unchecked {
            // received > feeLimit (checked above) and received <= balance: kept >= credited, whatever caps credited
            credited = received - feeLimit;
            kept = balance - feeLimit;
        }
        if (credited > value) credited = value;
        if (limited) _consumeRequestLimit(token, credited);
        uint256 fee = _tokenFeeDue(status.feeReceiver, token, feeLimit);
        _emitRequest(TokenType.ERC20, from, to, token, credited, fee, extraData);
        // the fee limit leaves (fee and change), and in mint/burn mode the credited value is burnt
        unchecked {
            _setHeld(token, modeMintBurn ? kept - credited : kept);
        }
        _settleTokenFee(token, status.feeReceiver, from, feeLimit, fee);
        if (modeMintBurn) IKIP7MintBurn(token).burn(credited);
    }

    function _requireHandleable(Transfer memory t, bool klayLimited) internal view virtual override returns (uint256) {
        if (t.tokenType != uint8(TokenType.ERC20)) return super._requireHandleable(t, klayLimited);
        (bool limited,,) = _requireKind(t.tokenAddress, TokenType.ERC20);
        return limited ? t.valueOrTokenId : 0;
    }

    /// @dev Releases (lock mode) or mints (mint/burn mode) the tokens; what a lock-mode bridge released it no longer
    /// holds.
    function _transferTo(Transfer memory t, address to, bool capped) internal virtual override returns (bool, bytes memory) {
        if (t.tokenType != uint8(TokenType.ERC20)) return super._transferTo(t, to, capped);
        bytes memory call = modeMintBurn
            ? abi.encodeCall(IKIP7MintBurn.mint, (to, t.valueOrTokenId))
            : abi.encodeCall(IERC20.transfer, (to, t.valueOrTokenId));
        (bool paid, bytes memory reason) = TokenCalls.tryCall(t.tokenAddress, 0, call, true, capped);
        if (paid && !modeMintBurn) _subtractHeld(t.tokenAddress, t.valueOrTokenId);
        return (paid, reason);
    }
}
