// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Fees, fee receiver and configuration votes
/// @notice The fee functions, their events and the error of a configuration vote at the wrong nonce.
interface IBridgeFees {
    /// @notice The KLAY fee became `fee`.
    event KLAYFeeChanged(uint256 indexed fee);
    /// @notice The fee of `token` became `fee`.
    event ERC20FeeChanged(address indexed token, uint256 indexed fee);
    /// @notice Fees now go to `feeReceiver` (zero: no fees are taken).
    event FeeReceiverChanged(address indexed feeReceiver);

    /// @notice A configuration vote named `given`, but the next configuration nonce is `expected` (Klaytn: "nonce mismatch").
    error ConfigurationNonceMismatch(uint64 given, uint64 expected);

    /// @notice The fee of a KLAY transfer.
    function feeOfKLAY() external view returns (uint256);

    /// @notice The fee of a transfer of `token`.
    function feeOfERC20(address token) external view returns (uint256);

    /// @notice The nonce the next configuration vote (`setKLAYFee`, `setERC20Fee`) must name.
    function configurationNonce() external view returns (uint64);

    /// @notice Where fees go; zero means no fee is taken.
    function feeReceiver() external view returns (address);

    /// @notice Sets the fee receiver (zero: no fees). Owner only.
    function setFeeReceiver(address _feeReceiver) external;

    /// @notice An operator's vote to set the KLAY fee at configuration nonce `_requestNonce`; applied at the threshold.
    function setKLAYFee(uint256 _fee, uint64 _requestNonce) external;

    /// @notice An operator's vote to set the fee of `_token` at configuration nonce `_requestNonce`; applied at the
    /// threshold.
    function setERC20Fee(address _token, uint256 _fee, uint64 _requestNonce) external;
}
