// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Value transfer requests and handles: the transfer, the events Klaytn's tools read, and the errors of both
/// paths
/// @notice The one definition of a transfer, and the events and errors of value transfer requests and handles.
interface IBridgeTransfers {
    /// @notice Asset kinds, numbered as Klaytn's `TokenType`.
    enum TokenType {
        KLAY,
        ERC20,
        ERC721
    }

    /// @notice One transfer to execute on the destination chain, as the counterpart bridge requested it, with the
    /// destination's token: what the operators approve (one by one or in a signed batch), what the execution core pays
    /// out, and what the recovery ledger parks, hashes and refunds. Its EIP-712 type is `TRANSFER_TYPE`
    /// (libraries/TransferHashing.sol). `tokenType` is a `TokenType` carried as a uint8, so that a batch naming an
    /// unknown kind is refused by name (`InvalidTokenType`) rather than by the ABI decoder.
    struct Transfer {
        bytes32 requestTxHash;
        uint8 tokenType;
        address from;
        address to;
        address tokenAddress;
        uint256 valueOrTokenId;
        uint64 requestNonce;
        uint64 requestBlockNumber;
        string tokenURI;
        bytes extraData;
    }

    /// @notice A value transfer was requested on this (source) bridge. KLAY and KIP7.
    event RequestValueTransfer(
        TokenType tokenType,
        address indexed from,
        address indexed to,
        address indexed tokenAddress,
        uint256 valueOrTokenId,
        uint64 requestNonce,
        uint256 fee,
        bytes extraData
    );

    /// @notice A value transfer with encoded data was requested. KIP17: `encodingVer` 2 and
    /// `encodedData = abi.encode(string(R))` where R is the raw return data of `tokenURI(tokenId)`.
    event RequestValueTransferEncoded(
        TokenType tokenType,
        address indexed from,
        address indexed to,
        address indexed tokenAddress,
        uint256 valueOrTokenId,
        uint64 requestNonce,
        uint256 fee,
        bytes extraData,
        uint8 encodingVer,
        bytes encodedData
    );

    /// @notice A value transfer of the counterpart bridge was executed on this (destination) bridge.
    event HandleValueTransfer(
        bytes32 requestTxHash,
        TokenType tokenType,
        address indexed from,
        address indexed to,
        address indexed tokenAddress,
        uint256 valueOrTokenId,
        uint64 handleNonce,
        uint64 lowerHandleNonce,
        bytes extraData
    );

    /// @notice The payout of a handled transfer failed (the recipient refused KLAY or the NFT, the token refused the
    /// transfer or the mint, the bridge lacked the KLAY): nothing was paid and `HandleValueTransfer` was not emitted.
    /// The nonce counts as handled; the transfer waits in `transferRecovery()` as failed, for a retry to the same
    /// recipient or the operators' cancellation followed by a refund on the source bridge. `reason` is what the
    /// recipient or the token returned (at most 256 bytes).
    event HandleValueTransferFailed(
        bytes32 requestTxHash,
        TokenType tokenType,
        address indexed from,
        address indexed to,
        address indexed tokenAddress,
        uint256 valueOrTokenId,
        uint64 handleNonce,
        bytes reason
    );

    /// @notice A handled transfer above this bridge's handle limits was held, not paid: the nonce counts as handled and
    /// the transfer waits in `transferRecovery()` until the owner releases it or the operators cancel it.
    event TransferHeld(
        bytes32 requestTxHash,
        TokenType tokenType,
        address indexed from,
        address indexed to,
        address indexed tokenAddress,
        uint256 valueOrTokenId,
        uint64 handleNonce
    );

    /// @notice Requests were allowed (`true`) or stopped (`false`).
    event RunningStatusChanged(bool status);

    /// @notice Requests are stopped (`start(false)`).
    error BridgeNotRunning();
    /// @notice The recipient is the zero address.
    error ZeroRecipient();
    /// @notice The amount is zero.
    error ZeroAmount();
    /// @notice `msg.value` does not cover the value asked for.
    error InsufficientValue(uint256 sent, uint256 value);
    /// @notice `value + feeLimit` does not fit in a uint256.
    error AmountOverflow(uint256 value, uint256 feeLimit);
    /// @notice The fee limit is below the fee.
    error InsufficientFeeLimit(uint256 feeLimit, uint256 fee);
    /// @notice A one-step request carried no decodable `abi.encode(address to, bytes extraData)`.
    error InvalidTransferData();
    /// @notice The bridge does not hold what the token said it sent.
    error TokenNotReceived(address token, uint256 valueOrTokenId);
    /// @notice Sending KLAY to `to` failed.
    error KLAYTransferFailed(address to, uint256 value);
    /// @notice A KLAY transfer named token `token`: KLAY has no token address.
    error KLAYTransferWithToken(address token);
    /// @notice `tokenType` is not 0 (KLAY), 1 (KIP7) or 2 (KIP17).
    error InvalidTokenType(uint8 tokenType);
    /// @notice Every request nonce (2^64 of them) was taken.
    error RequestNoncesExhausted();
    /// @notice Less gas is left than a payout's budget (`TokenCalls.PAYOUT_GAS`) and the failure record after it: send
    /// the handle with more gas.
    error InsufficientGasForPayout();
}
