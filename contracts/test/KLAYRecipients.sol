// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Test recipient whose `receive` needs far more than the 2,300-gas stipend of `transfer`.
contract GasHungryRecipient {
    /// @notice How many payments arrived.
    uint256 public payments;
    /// @notice What the payments added up to.
    uint256 public received;

    receive() external payable {
        payments += 1;
        received += msg.value;
    }
}

/// @title Test recipient that, while being paid, calls back into the bridge with `payload`.
/// @dev In catching mode it records the outcome of the re-entrant call (and accepts the payment); otherwise it passes
/// the re-entrant call's revert on, so the payment itself fails.
contract ReentrantRecipient {
    /// @notice The re-entrant call was made; `ok` tells whether it succeeded, `result` is its return or revert data.
    event Reentered(bool ok, bytes result);

    address public immutable bridge;
    bytes public payload;
    uint256 public reentryValue;
    bool public catching;
    bool public armed;

    constructor(address bridge_) payable {
        bridge = bridge_;
    }

    /// @notice Arms the recipient: the next payment calls the bridge with `payload_` and `value_` wei.
    function arm(bytes calldata payload_, uint256 value_, bool catching_) external {
        payload = payload_;
        reentryValue = value_;
        catching = catching_;
        armed = true;
    }

    /// @notice Calls the bridge with `data` and the attached value (to become an operator's or a requester's stand-in).
    function execute(bytes calldata data) external payable {
        (bool ok, bytes memory result) = bridge.call{value: msg.value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
    }

    receive() external payable {
        if (!armed) return;
        armed = false;
        (bool ok, bytes memory result) = bridge.call{value: reentryValue}(payload);
        if (!catching && !ok) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
        emit Reentered(ok, result);
    }
}

/// @title Test recipient that refuses every KLAY payment.
contract RefusingRecipient {
    error Refused();

    receive() external payable {
        revert Refused();
    }

    /// @notice Calls `target` with `data` and the attached value, passing a revert on.
    function execute(address target, bytes calldata data) external payable {
        (bool ok, bytes memory result) = target.call{value: msg.value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
    }
}
