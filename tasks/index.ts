// The `bridge` task family: thin shells over src/ (parse options, call the library, print).
import { task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";

import type { GroupAction } from "./group.js";
import type { OptionDefinition } from "hardhat/types/arguments";
import type { NewTaskDefinition, TaskDefinition } from "hardhat/types/tasks";

const TEXT = ArgumentType.STRING_WITHOUT_DEFAULT;
const SIGNER = {
  name: "signer",
  description: "Account to send from: an address or an index among the network's accounts (default: the first)",
  type: TEXT,
  defaultValue: undefined,
} as const;

const definedTasks: NewTaskDefinition[] = [

  task(["bridge", "deploy"], "Deploy a bridge pair and its anchoring receiver, and write deployments/PAIR.json")
    .addOption({ name: "parent", description: "Parent chain network (hardhat.config.ts)", type: TEXT, defaultValue: undefined })
    .addOption({ name: "child", description: "Child (service) chain network", type: TEXT, defaultValue: undefined })
    .addOption({ name: "name", description: "Pair name: the record is deployments/NAME.json", type: TEXT, defaultValue: undefined })
    .addOption({ name: "operators", description: "Comma-separated operator addresses (default: the parent signer)", type: TEXT, defaultValue: undefined })
    .addOption({ name: "threshold", description: "Votes needed, for every vote type (default: a majority of the operators)", type: TEXT, defaultValue: undefined })
    .addOption({ name: "mode", description: "mintburn (child bridge mints and burns; default) or lock (both bridges lock)", type: TEXT, defaultValue: undefined })
    .addOption({ name: "anchorPeriod", description: "Child blocks each anchor counts, the same for every operator (default 100)", type: TEXT, defaultValue: undefined })
    .addFlag({ name: "force", description: "Replace an existing deployments/NAME.json" })
    .addOption(SIGNER)
    .setAction(() => import("./deploy.js"))
    .build(),

  task(["bridge", "operator", "add"], "Register an operator on both bridges and the anchoring receiver")
    .addOption({ name: "pair", description: "Pair name", type: TEXT, defaultValue: undefined })
    .addOption({ name: "address", description: "Operator address", type: TEXT, defaultValue: undefined })
    .addOption(SIGNER)
    .setAction(() => import("./operator-add.js"))
    .build(),
  task(["bridge", "operator", "remove"], "Deregister an operator from both bridges and the anchoring receiver")
    .addOption({ name: "pair", description: "Pair name", type: TEXT, defaultValue: undefined })
    .addOption({ name: "address", description: "Operator address", type: TEXT, defaultValue: undefined })
    .addOption(SIGNER)
    .setAction(() => import("./operator-remove.js"))
    .build(),

  task(["bridge", "threshold"], "Set the operator threshold of a vote type on both bridges")
    .addOption({ name: "pair", description: "Pair name", type: TEXT, defaultValue: undefined })
    .addOption({ name: "value", description: "Votes needed (1 to the number of operators)", type: TEXT, defaultValue: undefined })
    .addOption({ name: "voteType", description: "transfer (value transfers and anchors; default) or configuration (fees)", type: TEXT, defaultValue: undefined })
    .addOption(SIGNER)
    .setAction(() => import("./threshold.js"))
    .build(),

  task(["bridge", "token", "register"], "Register an existing token pair on both bridges")
    .addOption({ name: "pair", description: "Pair name", type: TEXT, defaultValue: undefined })
    .addOption({ name: "type", description: "kip7 or kip17", type: TEXT, defaultValue: undefined })
    .addOption({ name: "parentToken", description: "Token address on the parent chain", type: TEXT, defaultValue: undefined })
    .addOption({ name: "childToken", description: "Token address on the child chain", type: TEXT, defaultValue: undefined })
    .addOption(SIGNER)
    .setAction(() => import("./token-register.js"))
    .build(),
  task(["bridge", "token", "deploy"], "Deploy a parent token (or use --parent-token) and its service-chain counterpart, and register the pair")
    .addOption({ name: "pair", description: "Pair name", type: TEXT, defaultValue: undefined })
    .addOption({ name: "type", description: "kip7 or kip17", type: TEXT, defaultValue: undefined })
    .addOption({ name: "name", description: "Token name (default with --parent-token: its name)", type: TEXT, defaultValue: undefined })
    .addOption({ name: "symbol", description: "Token symbol (default with --parent-token: its symbol)", type: TEXT, defaultValue: undefined })
    .addOption({ name: "parentToken", description: "Use this parent token instead of deploying one", type: TEXT, defaultValue: undefined })
    .addOption({ name: "supply", description: "KIP7: whole tokens minted to the deployer (default 1000000)", type: TEXT, defaultValue: undefined })
    .addOption({ name: "mint", description: "KIP17: mint ids 1..N to the deployer (default 0)", type: TEXT, defaultValue: undefined })
    .addOption({ name: "baseUri", description: "KIP17: token URI prefix; id N gets BASE_URI + N", type: TEXT, defaultValue: undefined })
    .addOption(SIGNER)
    .setAction(() => import("./token-deploy.js"))
    .build(),

  task(["bridge", "fund"], "Add KLAY liquidity to a bridge (chargeWithoutEvent)")
    .addOption({ name: "pair", description: "Pair name", type: TEXT, defaultValue: undefined })
    .addOption({ name: "side", description: "parent or child", type: TEXT, defaultValue: undefined })
    .addOption({ name: "amount", description: "KLAY, in whole units (1.5)", type: TEXT, defaultValue: undefined })
    .addOption(SIGNER)
    .setAction(() => import("./fund.js"))
    .build(),

  task(["bridge", "fee"], "Vote the KLAY or a token fee on one bridge, and/or set its fee receiver")
    .addOption({ name: "pair", description: "Pair name", type: TEXT, defaultValue: undefined })
    .addOption({ name: "side", description: "parent or child", type: TEXT, defaultValue: undefined })
    .addOption({ name: "klay", description: "KLAY fee per transfer, in KLAY", type: TEXT, defaultValue: undefined })
    .addOption({ name: "token", description: "Token (on that side) whose fee to vote", type: TEXT, defaultValue: undefined })
    .addOption({ name: "amount", description: "Token fee per transfer, in the token's units", type: TEXT, defaultValue: undefined })
    .addOption({ name: "receiver", description: "New fee receiver (owner only)", type: TEXT, defaultValue: undefined })
    .addOption(SIGNER)
    .setAction(() => import("./fee.js"))
    .build(),

  task(["bridge", "anchor"], "Anchor one child block on the parent's AnchoringReceiver (this operator's vote)")
    .addOption({ name: "pair", description: "Pair name", type: TEXT, defaultValue: undefined })
    .addOption({ name: "block", description: "Child block number (default: the latest)", type: TEXT, defaultValue: undefined })
    .addOption(SIGNER)
    .setAction(() => import("./anchor.js"))
    .build(),
  task(["bridge", "anchors"], "List the anchored child blocks")
    .addOption({ name: "pair", description: "Pair name", type: TEXT, defaultValue: undefined })
    .addFlag({ name: "json", description: "Print JSON" })
    .setAction(() => import("./anchors.js"))
    .build(),
  task(["bridge", "verify"], "Prove a child transaction and its receipt against the anchors on the parent")
    .addOption({ name: "pair", description: "Pair name", type: TEXT, defaultValue: undefined })
    .addOption({ name: "tx", description: "Child transaction hash", type: TEXT, defaultValue: undefined })
    .addFlag({ name: "json", description: "Print the result and the portable proof as JSON" })
    .setAction(() => import("./verify.js"))
    .build(),

  task(["bridge", "transfer"], "Request a value transfer to the other chain; prints the request nonce and tx hash")
    .addOption({ name: "pair", description: "Pair name", type: TEXT, defaultValue: undefined })
    .addOption({ name: "from", description: "parent or child: where the asset leaves", type: TEXT, defaultValue: undefined })
    .addOption({ name: "asset", description: "klay, or a registered token (address on the source side, or its symbol)", type: TEXT, defaultValue: undefined })
    .addOption({ name: "to", description: "Recipient on the other chain (default: the sender)", type: TEXT, defaultValue: undefined })
    .addOption({ name: "amount", description: "KLAY or KIP7 amount in whole units (1.5)", type: TEXT, defaultValue: undefined })
    .addOption({ name: "tokenId", description: "KIP17 token id", type: TEXT, defaultValue: undefined })
    .addOption({ name: "feeLimit", description: "Most to pay as fee, in whole units (default: the current fee)", type: TEXT, defaultValue: undefined })
    .addOption(SIGNER)
    .setAction(() => import("./transfer.js"))
    .build(),

  task(["bridge", "status"], "Nonces, pending transfers, balances, operators, thresholds, tokens and the last anchor")
    .addOption({ name: "pair", description: "Pair name", type: TEXT, defaultValue: undefined })
    .addFlag({ name: "json", description: "Print JSON" })
    .setAction(() => import("./status.js"))
    .build(),

  task(["bridge", "ui"], "Serve the status page and its JSON API on 127.0.0.1: find a transfer, see what is pending or failed")
    .addOption({ name: "pair", description: "Pair name", type: TEXT, defaultValue: undefined })
    .addOption({ name: "port", description: "Port on 127.0.0.1 (default 8080; 0: any free port)", type: TEXT, defaultValue: undefined })
    .setAction(() => import("./ui.js"))
    .build(),

  task(["bridge", "limits"], "Show or set (owner) the transfer limits of KLAY or a token on one bridge")
    .addOption({ name: "pair", description: "Pair name", type: TEXT, defaultValue: undefined })
    .addOption({ name: "side", description: "parent or child", type: TEXT, defaultValue: undefined })
    .addOption({ name: "asset", description: "klay, or a registered token (address on that side, or its symbol)", type: TEXT, defaultValue: undefined })
    .addOption({ name: "min", description: "Least per request, in whole units (KIP17: count); 0: none", type: TEXT, defaultValue: undefined })
    .addOption({ name: "max", description: "Most per transfer; a handle above it is held; 0: none", type: TEXT, defaultValue: undefined })
    .addOption({ name: "dailyRequest", description: "Most requested per UTC day; 0: none", type: TEXT, defaultValue: undefined })
    .addOption({ name: "dailyHandle", description: "Most paid out per UTC day, beyond which handles are held; 0: none", type: TEXT, defaultValue: undefined })
    .addFlag({ name: "off", description: "Remove every limit of the asset" })
    .addFlag({ name: "json", description: "Print JSON" })
    .addOption(SIGNER)
    .setAction(() => import("./limits.js"))
    .build(),

  task(["bridge", "retry"], "Pay a failed transfer again to its recipient (anyone may)")
    .addOption({ name: "pair", description: "Pair name", type: TEXT, defaultValue: undefined })
    .addOption({ name: "from", description: "parent or child: where the transfer was requested", type: TEXT, defaultValue: undefined })
    .addOption({ name: "nonce", description: "Request nonce", type: TEXT, defaultValue: undefined })
    .addOption(SIGNER)
    .setAction(() => import("./retry.js"))
    .build(),

  task(["bridge", "release"], "Pay out a transfer held above the limits (owner of the destination bridge)")
    .addOption({ name: "pair", description: "Pair name", type: TEXT, defaultValue: undefined })
    .addOption({ name: "from", description: "parent or child: where the transfer was requested", type: TEXT, defaultValue: undefined })
    .addOption({ name: "nonce", description: "Request nonce", type: TEXT, defaultValue: undefined })
    .addOption(SIGNER)
    .setAction(() => import("./release.js"))
    .build(),

  task(["bridge", "board", "deploy"], "Add a signature board on the child chain to a recorded pair, and record it")
    .addOption({ name: "pair", description: "Pair name", type: TEXT, defaultValue: undefined })
    .addFlag({ name: "force", description: "Deploy another board even if the pair has one" })
    .addOption(SIGNER)
    .setAction(() => import("./board-deploy.js"))
    .build(),

  task(["bridge", "check"], "Compare the chains with deployments/PAIR.json; exits non-zero on any difference")
    .addOption({ name: "pair", description: "Pair name", type: TEXT, defaultValue: undefined })
    .setAction(() => import("./check.js"))
    .build(),

  task(["bridge", "relay"], "Relay value transfers (and anchor the child chain) as one operator of a pair")
    .addOption({ name: "pair", description: "Pair name", type: TEXT, defaultValue: undefined })
    .addOption({ name: "operator", description: "Operator address or account index (default: the networks' first account; the account of the key configured, BRIDGE_LOCAL_PRIVATE_KEY or NETWORK_PRIVATE_KEY, where one is)", type: TEXT, defaultValue: undefined })
    .addFlag({ name: "once", description: "Relay what is pending now, then exit" })
    .addOption({ name: "confirmations", description: "Blocks to wait after a request's block (default: the network's confirmations less one)", type: TEXT, defaultValue: undefined })
    .addOption({ name: "anchorEvery", description: "Anchor the child chain every N child blocks (default: 0, off; use the pair's anchor period)", type: TEXT, defaultValue: undefined })
    .addOption({ name: "signatureWait", description: "Seconds to wait for the other operators' signatures before voting (default 30; 5 with --once)", type: TEXT, defaultValue: undefined })
    .addFlag({ name: "votes", description: "Per-operator votes only: exchange no signatures" })
    .addOption({ name: "exchange", description: "board (the pair's signature board on the child chain; default when the pair has one) or dir (a directory shared by relayers on one machine)", type: TEXT, defaultValue: undefined })
    .addOption({ name: "failedRetries", description: "Retries of a transfer whose payout failed before it is cancelled and refunded (default 3; 0: at once)", type: TEXT, defaultValue: undefined })
    .addFlag({ name: "cancelHeld", description: "Cancel (and refund) transfers held above the limits instead of leaving them to the owner" })
    .addFlag({ name: "json", description: "Log JSON lines" })
    .addOption({ name: "metricsPort", description: "Serve Prometheus metrics (/metrics), /live and /ready on this port", type: TEXT, defaultValue: undefined })
    .addOption({ name: "metricsHost", description: "Address the metrics port listens on (default 127.0.0.1)", type: TEXT, defaultValue: undefined })
    .addOption({ name: "readyLag", description: "Blocks a scan may trail the confirmed head before /ready answers 503 (default 20)", type: TEXT, defaultValue: undefined })
    .setAction(() => import("./relay.js"))
    .build(),

  task(["bridge", "demo"], "The whole story on two in-process chains: deploy, three relayers, transfers both ways, anchoring")
    .setAction(() => import("./demo.js"))
    .build(),
];

/**
 * What `--help` adds to each task: an example to copy, and which options it cannot do without (Hardhat shows every
 * option in brackets, as if optional).
 */
const HELP: Record<string, { example: string; required: string[] }> = {
  "bridge deploy": {
    example: "npx hardhat bridge deploy --parent localParent --child localChild --name demo",
    required: ["parent", "child", "name"],
  },
  "bridge operator add": { example: "npx hardhat bridge operator add --pair demo --address 0x70997970C51812dc3A010C7d01b50e0d17dc79C8", required: ["pair", "address"] },
  "bridge operator remove": { example: "npx hardhat bridge operator remove --pair demo --address 0x70997970C51812dc3A010C7d01b50e0d17dc79C8", required: ["pair", "address"] },
  "bridge threshold": { example: "npx hardhat bridge threshold --pair demo --value 2", required: ["pair", "value"] },
  "bridge token register": {
    example: "npx hardhat bridge token register --pair demo --type kip7 --parent-token PARENT_TOKEN_ADDRESS --child-token CHILD_TOKEN_ADDRESS",
    required: ["pair", "type", "parentToken", "childToken"],
  },
  "bridge token deploy": {
    example: "npx hardhat bridge token deploy --pair demo --type kip7 --name \"Demo Token\" --symbol DMT",
    required: ["pair", "type"],
  },
  "bridge fund": { example: "npx hardhat bridge fund --pair demo --side child --amount 100", required: ["pair", "side", "amount"] },
  "bridge fee": { example: "npx hardhat bridge fee --pair demo --side parent --token DMT --amount 0.5", required: ["pair", "side"] },
  "bridge anchor": { example: "npx hardhat bridge anchor --pair demo", required: ["pair"] },
  "bridge anchors": { example: "npx hardhat bridge anchors --pair demo", required: ["pair"] },
  "bridge verify": { example: "npx hardhat bridge verify --pair demo --tx CHILD_TX_HASH", required: ["pair", "tx"] },
  "bridge transfer": {
    example: "npx hardhat bridge transfer --pair demo --from parent --asset DMT --amount 250 --to 0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    required: ["pair", "from", "asset"],
  },
  "bridge status": { example: "npx hardhat bridge status --pair demo", required: ["pair"] },
  "bridge ui": { example: "npx hardhat bridge ui --pair demo --port 8080", required: ["pair"] },
  "bridge limits": {
    example: "npx hardhat bridge limits --pair demo --side child --asset klay --max 100 --daily-handle 1000",
    required: ["pair", "side", "asset"],
  },
  "bridge retry": { example: "npx hardhat bridge retry --pair demo --from parent --nonce 3", required: ["pair", "from", "nonce"] },
  "bridge release": { example: "npx hardhat bridge release --pair demo --from parent --nonce 3", required: ["pair", "from", "nonce"] },
  "bridge board deploy": { example: "npx hardhat bridge board deploy --pair demo", required: ["pair"] },
  "bridge check": { example: "npx hardhat bridge check --pair demo", required: ["pair"] },
  "bridge relay": { example: "npx hardhat bridge relay --pair demo --anchor-every 100 --metrics-port 9464", required: ["pair"] },
  "bridge demo": { example: "npx hardhat bridge demo", required: [] },
};

/** The separator between a task's summary and its example in its description (the task list shows the summary). */
export const EXAMPLE_SEPARATOR = " — example: ";

const actionTasks: NewTaskDefinition[] = definedTasks.map((definition) => {
  const help = HELP[definition.id.join(" ")];
  if (help === undefined) return definition;
  const options = Object.fromEntries(
    Object.entries(definition.options).map(([name, option]) => [
      name,
      help.required.includes(option.name) ? { ...option, description: `(required) ${option.description}` } : option,
    ]),
  );
  return { ...definition, options, description: `${definition.description}${EXAMPLE_SEPARATOR}${help.example}` };
});

/**
 * `bridge`, `bridge operator` and `bridge token` list their tasks when run alone, and answer a mistyped task with the
 * closest one (`tasks/group.ts`). They accept every option of the bridge tasks (Hardhat refuses hidden options on
 * the command line), so that a mistyped task with its options (`bridge statu --pair demo`) reaches that answer instead
 * of an unknown-option error.
 */
const SEE_TASK = "An option of a bridge task: see `npx hardhat bridge TASK --help`";
function groupTask(id: string[], description: string, action: () => Promise<{ default: GroupAction }>): NewTaskDefinition {
  const options = new Map<string, OptionDefinition>();
  for (const definition of actionTasks) {
    for (const option of Object.values(definition.options)) options.set(option.name, option);
  }
  let builder = task(id, description).addVariadicArgument({
    name: "words",
    description: "The task's name (run without it for the list)",
    defaultValue: [],
  });
  for (const option of options.values()) {
    builder =
      option.type === ArgumentType.FLAG
        ? builder.addFlag({ name: option.name, description: SEE_TASK })
        : builder.addOption({ name: option.name, description: SEE_TASK, type: TEXT, defaultValue: undefined });
  }
  return builder.setAction(action).build();
}

export const bridgeTasks: TaskDefinition[] = [
  groupTask(["bridge"], "Deploy, operate and inspect a service chain bridge pair (`npx hardhat bridge` lists the tasks)", () =>
    import("./group-bridge.js"),
  ),
  groupTask(["bridge", "operator"], "Add or remove an operator on both bridges and the anchoring receiver", () =>
    import("./group-operator.js"),
  ),
  groupTask(["bridge", "token"], "Register or deploy a token pair", () => import("./group-token.js")),
  groupTask(["bridge", "board"], "The pair's signature board on the child chain", () => import("./group-board.js")),
  ...actionTasks,
];
