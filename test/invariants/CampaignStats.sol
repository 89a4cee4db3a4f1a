// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

import {BridgeHandler} from "./BridgeHandler.sol";
import {VM} from "./Vm.sol";

/// @title CampaignStats: how often each action and each notable branch ran in an invariant campaign
/// @notice An invariant test calls `record` after each sequence (`afterInvariant`). When the environment variable
/// `BRIDGE_INVARIANT_STATS` names a file (`scripts/invariant-campaign.mjs` sets it, and `hardhat.config.ts` lets the
/// tests write it), the sequence's counts are appended to it as one record `{name=count;name=count;...}`; the script
/// sums the records of the campaign and prints them. Without the variable nothing is written.
library CampaignStats {
    string internal constant FILE_VARIABLE = "BRIDGE_INVARIANT_STATS";

    /// @notice Appends the counts of the sequence `handler` just ran, when a stats file is named.
    function record(BridgeHandler handler) internal {
        string memory path = VM.envOr(FILE_VARIABLE, string(""));
        if (bytes(path).length == 0) return;
        (string[] memory names, uint256[] memory counts) = handler.stats();
        string memory line = "{";
        for (uint256 i = 0; i < names.length; ++i) {
            line = string.concat(line, i == 0 ? "" : ";", names[i], "=", Strings.toString(counts[i]));
        }
        VM.writeLine(path, string.concat(line, "}"));
    }
}
