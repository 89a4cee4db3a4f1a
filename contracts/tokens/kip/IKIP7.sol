// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title KIP7: Klaytn's fungible token standard (ERC-20 plus `safeTransfer`).
/// @dev Every function of the KIP7 specification is declared here (none inherited), so that
///      `type(IKIP7).interfaceId` is the KIP13 id of KIP7: 0x65787371.
interface IKIP7 {
    /// @notice Emitted when `value` tokens move from `from` to `to`.
    event Transfer(address indexed from, address indexed to, uint256 value);

    /// @notice Emitted when `owner` sets the allowance of `spender` to `value`.
    event Approval(address indexed owner, address indexed spender, uint256 value);

    /// @notice The amount of tokens in existence.
    function totalSupply() external view returns (uint256);

    /// @notice The amount of tokens owned by `account`.
    function balanceOf(address account) external view returns (uint256);

    /// @notice Moves `amount` tokens from the caller to `recipient`.
    /// @return True on success.
    function transfer(address recipient, uint256 amount) external returns (bool);

    /// @notice The remaining amount `spender` may move on behalf of `owner`.
    function allowance(address owner, address spender) external view returns (uint256);

    /// @notice Sets `amount` as the allowance of `spender` over the caller's tokens.
    /// @return True on success.
    function approve(address spender, uint256 amount) external returns (bool);

    /// @notice Moves `amount` tokens from `sender` to `recipient` using the caller's allowance.
    /// @return True on success.
    function transferFrom(address sender, address recipient, uint256 amount) external returns (bool);

    /// @notice Moves `amount` tokens from the caller to `recipient`; a contract recipient must accept them
    ///         through {IKIP7Receiver-onKIP7Received}.
    function safeTransfer(address recipient, uint256 amount) external;

    /// @notice As {safeTransfer}, passing `data` to the recipient's hook.
    function safeTransfer(address recipient, uint256 amount, bytes calldata data) external;

    /// @notice Moves `amount` tokens from `sender` to `recipient` using the caller's allowance; a contract
    ///         recipient must accept them through {IKIP7Receiver-onKIP7Received}.
    function safeTransferFrom(address sender, address recipient, uint256 amount) external;

    /// @notice As {safeTransferFrom}, passing `data` to the recipient's hook.
    function safeTransferFrom(address sender, address recipient, uint256 amount, bytes calldata data) external;
}
