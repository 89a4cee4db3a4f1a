// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Test KLAY recipient that burns all the gas it is given, reports it, reverts at length, or accepts.
/// @notice For tests only: a recipient a payout with a fixed gas budget cannot pay while it burns.
contract GasBurningRecipient {
    /// @notice What a payment meets: `Burn` uses up all the gas (no return data), `Report` reverts with
    /// {GasAtEntry}, `Accept` takes it, `Shout` reverts with {Refusal} carrying a 1,000-byte message.
    enum Mode {
        Burn,
        Report,
        Accept,
        Shout
    }

    /// @notice The current behaviour.
    Mode public mode;

    /// @notice The gas left when the payment came in.
    error GasAtEntry(uint256 gas);
    /// @notice A refusal with a long message.
    error Refusal(bytes message);

    /// @notice Sets what the next payments meet.
    function setMode(Mode mode_) external {
        mode = mode_;
    }

    /// @notice Burns all the gas, reports it, or accepts, as {mode} says.
    receive() external payable {
        uint256 gasAtEntry = gasleft();
        Mode current = mode;
        if (current == Mode.Accept) return;
        if (current == Mode.Report) revert GasAtEntry(gasAtEntry);
        if (current == Mode.Shout) revert Refusal(new bytes(1_000));
        assembly ("memory-safe") {
            invalid()
        }
    }
}
