// The relayer's tasks in the `bridge` family: `bridge relay` and `bridge demo`.
import { task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";
import type { TaskDefinition } from "hardhat/types/tasks";

const TEXT = ArgumentType.STRING_WITHOUT_DEFAULT;

export const relayerTasks: TaskDefinition[] = [
  task(["bridge", "relay"], "Relay value transfers (and anchor the child chain) as one operator of a pair")
    .addOption({ name: "pair", description: "Pair name: deployments/PAIR.json", type: TEXT, defaultValue: undefined })
    .addOption({ name: "operator", description: "Operator address (default: the networks' first account)", type: TEXT, defaultValue: undefined })
    .addFlag({ name: "once", description: "Relay what is pending now, then exit" })
    .addOption({ name: "confirmations", description: "Blocks to wait after a request's block (default: the network's confirmations less one)", type: TEXT, defaultValue: undefined })
    .addOption({ name: "anchorEvery", description: "Anchor the child chain every N child blocks (default: 0, off)", type: TEXT, defaultValue: undefined })
    .addOption({ name: "signatureWait", description: "Seconds to wait for the other operators' signatures before voting (default 30; 5 with --once)", type: TEXT, defaultValue: undefined })
    .addFlag({ name: "votes", description: "Per-operator votes only: do not exchange signatures" })
    .addFlag({ name: "json", description: "Log JSON lines" })
    .setAction(() => import("./relay.js"))
    .build(),
];
