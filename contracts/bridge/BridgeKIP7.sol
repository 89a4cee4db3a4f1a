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
/// `abi.encode(address to, bytes extraData)`. A fee-on-transfer token is credited with what actually arrived.
abstract contract BridgeKIP7 is BridgeFees, BridgeTokens {
    using SafeERC20 for IERC20;

    bytes4 private constant KIP7_RECEIVED = 0x9d188c22;

    /// @notice Source chain: requests `value` of `token` for `to` on the other chain. Takes `value + feeLimit` from
    /// the sender (approve first); the fee goes to the fee receiver and the change back.
    function requestERC20Transfer(address _tokenAddress, address _to, uint256 _value, uint256 _feeLimit, bytes calldata _extraData)
        external
        nonReentrant
    {
        Status memory status = _beginRequest(_to);
        bool limited = _requireRequestable(_tokenAddress);
        if (_value == 0) revert ZeroAmount();
        if (_feeLimit > type(uint256).max - _value) revert AmountOverflow(_value, _feeLimit);
        uint256 balanceBefore = IERC20(_tokenAddress).balanceOf(address(this));
        IERC20(_tokenAddress).safeTransferFrom(msg.sender, address(this), _value + _feeLimit);
        uint256 received = IERC20(_tokenAddress).balanceOf(address(this)) - balanceBefore;
        if (received <= _feeLimit) revert TokenNotReceived(_tokenAddress, _value);
        uint256 credited = received - _feeLimit;
        if (credited > _value) credited = _value;
        if (limited) _consumeRequestLimit(_tokenAddress, credited);
        _requestKIP7(status, _tokenAddress, msg.sender, _to, credited, _feeLimit, _extraData);
    }

    /// @notice Source chain, one step: called by a registered service-chain token's `requestValueTransfer` after it
    /// moved `value + feeLimit` to the bridge (Klaytn's hook).
    function onERC20Received(address _from, address _to, uint256 _value, uint256 _feeLimit, bytes calldata _extraData)
        external
        nonReentrant
    {
        Status memory status = _beginRequest(_to);
        bool limited = _requireRequestable(msg.sender);
        if (_value == 0) revert ZeroAmount();
        if (limited) _consumeRequestLimit(msg.sender, _value);
        _requestKIP7(status, msg.sender, _from, _to, _value, _feeLimit, _extraData);
    }

    /// @notice Source chain, one step: a KIP7 `safeTransfer` of a registered token to the bridge, with
    /// `data = abi.encode(address to, bytes extraData)`. The fee, if any, is taken out of `amount`.
    function onKIP7Received(address, address from, uint256 amount, bytes calldata data)
        external
        nonReentrant
        returns (bytes4)
    {
        (address to, bytes memory extraData) = _decodeTransferData(data);
        Status memory status = _beginRequest(to);
        bool limited = _requireRequestable(msg.sender);
        if (amount == 0) revert ZeroAmount();
        uint256 fee = status.feeReceiver == address(0) ? 0 : feeOfERC20[msg.sender];
        if (amount <= fee) revert InsufficientValue(amount, fee);
        if (limited) _consumeRequestLimit(msg.sender, amount - fee);
        _requestKIP7(status, msg.sender, from, to, amount - fee, fee, extraData);
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
            HandleRequest({
                requestTxHash: _requestTxHash,
                tokenType: TokenType.ERC20,
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

    function _requestKIP7(
        Status memory status,
        address token,
        address from,
        address to,
        uint256 value,
        uint256 feeLimit,
        bytes memory extraData
    ) private {
        uint256 fee = _tokenFeeDue(status.feeReceiver, token, feeLimit);
        _emitRequest(TokenType.ERC20, from, to, token, value, fee, extraData);
        _settleTokenFee(token, status.feeReceiver, from, feeLimit, fee);
        if (modeMintBurn) IKIP7MintBurn(token).burn(value);
    }

    function _payoutKIP7(address token, address to, uint256 value, bool capped)
        internal
        override
        returns (bool, bytes memory)
    {
        bytes memory call = modeMintBurn
            ? abi.encodeCall(IKIP7MintBurn.mint, (to, value))
            : abi.encodeCall(IERC20.transfer, (to, value));
        return TokenCalls.tryCall(token, 0, call, true, capped);
    }

    /// @dev Decodes `abi.encode(address to, bytes extraData)` of a one-step request.
    function _decodeTransferData(bytes calldata data) internal pure returns (address to, bytes memory extraData) {
        if (data.length < 96) revert InvalidTransferData();
        (to, extraData) = abi.decode(data, (address, bytes));
    }
}
