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
        _request(TokenType.ERC20, _tokenAddress, msg.sender, _to, _value, _feeLimit, INTAKE_PULL, _extraData);
    }

    /// @notice Source chain, one step: called by a registered service-chain token's `requestValueTransfer` after it
    /// moved `value + feeLimit` to the bridge (Klaytn's hook). Credits what arrived less the fee limit, at most `value`.
    function onERC20Received(address _from, address _to, uint256 _value, uint256 _feeLimit, bytes calldata _extraData)
        external
        nonReentrant
    {
        _request(TokenType.ERC20, msg.sender, _from, _to, _value, _feeLimit, INTAKE_ARRIVED, _extraData);
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
        _request(TokenType.ERC20, msg.sender, from, to, amount, 0, INTAKE_ARRIVED_FEE_INSIDE, extraData);
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
        _executeHandle(
            Transfer({
                requestTxHash: _requestTxHash,
                tokenType: uint8(TokenType.ERC20),
                from: _from,
                to: _to,
                tokenAddress: _tokenAddress,
                valueOrTokenId: _value,
                requestNonce: _requestedNonce,
                requestBlockNumber: _requestedBlockNumber,
                tokenURI: "",
                extraData: _extraData
            }),
            true
        );
    }

    // ------------------------------------------------------------------ hooks of the core

    /// @dev Checks that `token` is a registered, unlocked fungible token and takes `value + feeLimit` in: pulled from
    /// `from` (measured by the bridge's balance before and after), or arrived before the hook (the bridge's balance
    /// above what it accounts for holding, `held`); a `safeTransfer` carries the fee inside the amount. Credits what
    /// arrived less the fee limit, at most `value`, and records what the bridge now holds of `token` (in mint/burn
    /// mode, less the credit it burns after the event).
    function _transferFromSender(
        TokenType kind,
        address token,
        address from,
        uint256 value,
        uint256 feeLimit,
        uint8 intake,
        Status memory status
    ) internal virtual override returns (uint256 credited, uint256, uint256 fee, bool limited, bytes memory) {
        if (kind != TokenType.ERC20) return super._transferFromSender(kind, token, from, value, feeLimit, intake, status);
        uint256 held;
        (limited, held) = _requireRequestable(token, TokenType.ERC20);
        if (value == 0) revert ZeroAmount();
        uint256 balance;
        uint256 received;
        if (intake == INTAKE_PULL) {
            if (feeLimit > type(uint256).max - value) revert AmountOverflow(value, feeLimit);
            uint256 balanceBefore = IERC20(token).balanceOf(address(this));
            IERC20(token).safeTransferFrom(from, address(this), value + feeLimit);
            balance = IERC20(token).balanceOf(address(this));
            received = balance - balanceBefore;
        } else {
            if (intake == INTAKE_ARRIVED_FEE_INSIDE) {
                feeLimit = status.feeReceiver == address(0) ? 0 : feeOfERC20[token];
                if (value <= feeLimit) revert InsufficientValue(value, feeLimit);
                value -= feeLimit;
            }
            balance = IERC20(token).balanceOf(address(this));
            received = balance > held ? balance - held : 0;
        }
        if (received <= feeLimit) revert TokenNotReceived(token, value);
        credited = received - feeLimit;
        if (credited > value) credited = value;
        fee = _tokenFeeDue(status.feeReceiver, token, feeLimit);
        // the fee limit leaves (fee and change), and in mint/burn mode the credited value is burnt
        _setHeld(token, balance - feeLimit - (modeMintBurn ? credited : 0));
        return (credited, feeLimit, fee, limited, "");
    }

    /// @dev Pays the token fee, returns the change, and burns the credited value in mint/burn mode.
    function _afterRequest(
        TokenType kind,
        address token,
        address from,
        uint256 credited,
        uint256 feeLimit,
        uint256 fee,
        address receiver
    ) internal virtual override {
        if (kind != TokenType.ERC20) return super._afterRequest(kind, token, from, credited, feeLimit, fee, receiver);
        _settleTokenFee(token, receiver, from, feeLimit, fee);
        if (modeMintBurn) IKIP7MintBurn(token).burn(credited);
    }

    /// @dev The token must be registered as fungible; returns whether it has transfer limits.
    function _requireHandleable(Transfer memory t, bool klayLimited) internal view virtual override returns (bool) {
        if (t.tokenType != uint8(TokenType.ERC20)) return super._requireHandleable(t, klayLimited);
        (bool limited,,) = _requireKind(t.tokenAddress, TokenType.ERC20);
        return limited;
    }

    /// @dev Releases (lock mode) or mints (mint/burn mode) the value; what a lock-mode bridge released it no longer
    /// holds.
    function _transferTo(Transfer memory t, address to, bool capped)
        internal
        virtual
        override
        returns (bool, bytes memory)
    {
        if (t.tokenType != uint8(TokenType.ERC20)) return super._transferTo(t, to, capped);
        address token = t.tokenAddress;
        uint256 value = t.valueOrTokenId;
        bytes memory call = modeMintBurn
            ? abi.encodeCall(IKIP7MintBurn.mint, (to, value))
            : abi.encodeCall(IERC20.transfer, (to, value));
        (bool paid, bytes memory reason) = TokenCalls.tryCall(token, 0, call, true, capped);
        if (paid && !modeMintBurn) _subtractHeld(token, value);
        return (paid, reason);
    }
}
