// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Test KLAY recipient that burns all the gas it is given, reports it, or accepts the payment.
/// @notice For tests only: a recipient a payout with a fixed gas budget cannot pay while it burns.
contract GasBurningRecipient {
    /// @notice What a payment meets: `Burn` uses up all the gas (no return data), `Report` reverts with
    /// {GasAtEntry}, `Accept` takes it.
    enum Mode {
        Burn,
        Report,
        Accept
    }

    /// @notice The current behaviour.
    Mode public mode;

    /// @notice The gas left when the payment came in.
    error GasAtEntry(uint256 gas);

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
        assembly ("memory-safe") {
            invalid()
        }
    }
}
