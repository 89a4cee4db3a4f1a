// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// External Imports
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

// Internal Imports
import {BridgeCore} from "./BridgeCore.sol";
import {IBridgeFees} from "./interfaces/IBridgeFees.sol";

/// @title BridgeFees: KLAY and token fees paid to `feeReceiver`, with the change refunded (Klaytn semantics)
/// @notice A request carries a fee limit; when a fee receiver is set and the fee is not zero, the fee goes to the
/// receiver and the rest of the limit back to the requester; otherwise the whole limit goes back. Fees change only
/// by a configuration vote of the operators at the current `configurationNonce` (the configuration votes live here:
/// fees are all they change).
abstract contract BridgeFees is BridgeCore, IBridgeFees {
    using SafeERC20 for IERC20;

    /// @notice The fee of a KLAY transfer.
    uint256 public feeOfKLAY;

    /// @notice The nonce the next configuration vote (`setKLAYFee`, `setERC20Fee`) must name.
    uint64 public configurationNonce;

    /// @notice The fee of a transfer of `token`.
    mapping(address => uint256) public feeOfERC20;

    /// @notice Where fees go; zero means no fee is taken.
    function feeReceiver() external view returns (address) {
        return _bridgeStatus.feeReceiver;
    }

    /// @notice Sets the fee receiver (zero: no fees). Owner only.
    function setFeeReceiver(address _feeReceiver) external onlyOwner {
        _bridgeStatus.feeReceiver = _feeReceiver;
        emit FeeReceiverChanged(_feeReceiver);
    }

    /// @notice An operator's vote to set the KLAY fee at configuration nonce `nonce`; applied at the threshold.
    function setKLAYFee(uint256 _fee, uint64 _requestNonce) external {
        if (!_voteConfiguration(_requestNonce)) return;
        feeOfKLAY = _fee;
        emit KLAYFeeChanged(_fee);
    }

    /// @notice An operator's vote to set the fee of `token` at configuration nonce `nonce`; applied at the threshold.
    function setERC20Fee(address _token, uint256 _fee, uint64 _requestNonce) external {
        if (!_voteConfiguration(_requestNonce)) return;
        feeOfERC20[_token] = _fee;
        emit ERC20FeeChanged(_token, _fee);
    }

    /// @dev The caller's vote for the exact call data of a configuration change at `nonce`; true when it reached the
    /// threshold (the configuration nonce then moves on).
    function _voteConfiguration(uint64 nonce) internal returns (bool) {
        _operatorBit(msg.sender);
        uint64 expected = configurationNonce;
        if (nonce != expected) revert ConfigurationNonceMismatch(nonce, expected);
        if (!_castVote(VOTE_CONFIGURATION, nonce, keccak256(msg.data))) return false;
        configurationNonce = expected + 1;
        return true;
    }

    /// @dev The KLAY fee due out of `feeLimit` (0 when no receiver is set). Reverts when the limit is too low.
    function _klayFeeDue(address receiver, uint256 feeLimit) internal view returns (uint256 fee) {
        if (receiver == address(0)) return 0;
        fee = feeOfKLAY;
        if (feeLimit < fee) revert InsufficientFeeLimit(feeLimit, fee);
    }

    /// @dev The fee of `token` due out of `feeLimit` (0 when no receiver is set). Reverts when the limit is too low.
    function _tokenFeeDue(address receiver, address token, uint256 feeLimit) internal view returns (uint256 fee) {
        if (receiver == address(0)) return 0;
        fee = feeOfERC20[token];
        if (feeLimit < fee) revert InsufficientFeeLimit(feeLimit, fee);
    }

    /// @dev Pays `fee` KLAY to `receiver` and refunds `feeLimit - fee` to `payer`.
    function _settleKLAYFee(address receiver, address payer, uint256 feeLimit, uint256 fee) internal {
        if (fee != 0) _sendKLAY(receiver, fee);
        if (feeLimit != fee) _sendKLAY(payer, feeLimit - fee);
    }

    /// @dev Pays `fee` of `token` to `receiver` and refunds `feeLimit - fee` to `payer`.
    function _settleTokenFee(address token, address receiver, address payer, uint256 feeLimit, uint256 fee)
        internal
    {
        if (fee != 0) IERC20(token).safeTransfer(receiver, fee);
        if (feeLimit != fee) IERC20(token).safeTransfer(payer, feeLimit - fee);
    }

    /// @dev Sends KLAY with all the gas it needs (no 2,300-gas stipend); reverts when the recipient refuses it.
    function _sendKLAY(address to, uint256 value) internal {
        (bool ok,) = payable(to).call{value: value}("");
        if (!ok) revert KLAYTransferFailed(to, value);
    }
}
