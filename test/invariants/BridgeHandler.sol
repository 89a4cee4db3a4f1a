// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ConfigActions} from "./handler/ConfigActions.sol";
import {HandleActions} from "./handler/HandleActions.sol";
import {RecoveryActions} from "./handler/RecoveryActions.sol";
import {RequestActions} from "./handler/RequestActions.sol";

/// @title BridgeHandler: the actions an invariant campaign strings together on a parent / child bridge pair
/// @notice The one contract the campaign calls (`BridgeInvariantsTest.targetContracts`). Its actions come in groups,
/// one file each under `handler/`: requests (`RequestActions`), handles by votes and signed batches and replays
/// (`HandleActions`), retries, releases, cancellations and refunds (`RecoveryActions`), operators, thresholds, fees,
/// limits and the world around the bridges (`ConfigActions`); all over the fixture, models and ghost state of
/// `HandlerFixture` and `HandlerModels`.
/// @dev Tracks from the start the actions and the rare branches a campaign should reach, so that `stats` lists them
/// with 0 when a campaign never did.
contract BridgeHandler is RequestActions, HandleActions, RecoveryActions, ConfigActions {
    constructor() payable {
        string[21] memory actions = [
            "requestKLAY", "requestKIP7", "voteHandle", "voteHandleByAll", "signedHandle", "replayHandled",
            "retryTransfer", "releaseHeld", "cancelTransfer", "refundTransfer", "addOperator", "removeOperator",
            "setThreshold", "voteFee", "setFeeReceiver", "setRunning", "fund", "setLimits", "setTokenPaused",
            "setRecipientRefusing", "nextDay"
        ];
        for (uint256 i = 0; i < actions.length; ++i) {
            _track(string.concat("action: ", actions[i]));
        }
        string[18] memory branches = [
            "handles paid", "handles failed", "handles held", "retries paid", "releases paid", "cancellations",
            "refunds", "refunds refused by limits", "dishonest refund approvals", "refund of a refunded request",
            "second refunds refused", "cancellation of a cancelled transfer", "cancellation of a refunded transfer",
            "cancellation of a paid transfer", "retry of a cancelled transfer", "retry of a refunded transfer",
            "release of a cancelled transfer", "release of a refunded transfer"
        ];
        for (uint256 i = 0; i < branches.length; ++i) {
            _track(branches[i]);
        }
    }
}
