// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title The few cheatcodes the invariant tests use
/// @notice Hardhat 3's Solidity test runner (EDR) answers these at the usual cheatcode address; forge-std is not
/// needed, so the interface is declared here.
interface Vm {
    struct Log {
        bytes32[] topics;
        bytes data;
        address emitter;
    }

    function addr(uint256 privateKey) external pure returns (address);
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);
    function deal(address account, uint256 balance) external;
    function prank(address sender) external;
    function warp(uint256 timestamp) external;
    function recordLogs() external;
    function getRecordedLogs() external returns (Log[] memory logs);
    function envOr(string calldata name, string calldata defaultValue) external view returns (string memory value);
    function writeLine(string calldata path, string calldata data) external;
}

Vm constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
