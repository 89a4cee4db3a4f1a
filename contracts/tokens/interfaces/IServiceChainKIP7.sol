// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title What a bridge calls on a service-chain KIP7 token (see {ServiceChainKIP7}).
/// @dev KIP7Token offers the same `mint` / `burn` / `burnFrom` to its minters.
interface IServiceChainKIP7 {
    /// @notice Creates `amount` tokens for `account`. The bridge and the minters may call it.
    /// @return True on success.
    function mint(address account, uint256 amount) external returns (bool);

    /// @notice Destroys `amount` of the caller's tokens.
    function burn(uint256 amount) external;

    /// @notice Destroys `amount` of `account`'s tokens, using the caller's allowance.
    function burnFrom(address account, uint256 amount) external;

    /// @notice The bridge this token belongs to.
    function bridge() external view returns (address);

    /// @notice Links the token to another bridge contract. Only the owner may call it.
    function setBridge(address newBridge) external;

    /// @notice Moves `_amount + _feeLimit` of the caller's tokens to the bridge and calls its
    ///         {IKIP7BridgeReceiver-onERC20Received}.
    function requestValueTransfer(uint256 _amount, address _to, uint256 _feeLimit, bytes calldata _extraData)
        external;
}
