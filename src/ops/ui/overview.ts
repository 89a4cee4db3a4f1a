/**
 * The status page's overview: the pair as `bridge status` reads it (collectStatus), its pending, failed and held
 * transfers with their timelines and ages, the operators with their balances and last activity, and the anchors.
 */
import { queryInChunks, listAnchors, type AnchorData } from "../../anchoring.js";
import type { ConnectedPair } from "../../pair.js";
import type { Side } from "../../protocol/transfer.js";
import { recoveryOf } from "../../recovery.js";
import { collectStatus, type DirectionStatus, type PairStatus, type SideStatus } from "../../status.js";
import { formatAmount } from "../../units.js";
import { allTransferViews, type BlockTimes, type TransferView } from "./history.js";

/** How many of the latest anchors the overview lists. */
const ANCHORS_SHOWN = 10;

export interface OperatorActivity {
  what: string;
  side: Side;
  time: number;
  txHash: string;
}

export interface OperatorView {
  address: string;
  /** Where it is an operator: the parent and child bridges, the anchoring receiver. */
  roles: string[];
  balances: Record<Side, string>;
  lastActivity?: OperatorActivity;
}

export interface ChainView {
  network: string;
  chainId: number;
  headBlock: number;
  bridge: string;
  running: boolean;
  mode: string;
  balance: string;
  requested: string;
  threshold: number;
}

export interface Overview {
  pair: string;
  mode: string;
  /** Unix seconds when it was read. */
  readAt: number;
  parent: ChainView;
  child: ChainView;
  directions: { from: Side; to: Side; requested: string; handled: string; pending: number; missing: number }[];
  pending: TransferView[];
  failed: TransferView[];
  held: TransferView[];
  operators: OperatorView[];
  anchoring: {
    receiver: string;
    threshold: number;
    childHeadBlock: number;
    latestAnchoredBlock?: string;
    anchors: AnchorData[];
  };
}

function chainView(side: SideStatus): ChainView {
  return {
    network: side.network,
    chainId: side.chainId,
    headBlock: side.headBlock,
    bridge: side.bridge,
    running: side.running,
    mode: side.modeMintBurn ? "mint/burn" : "lock/unlock",
    balance: formatAmount(side.balance, 18, "KLAY"),
    requested: side.requestNonce.toString(),
    threshold: side.thresholds.transfer,
  };
}

/**
 * The views of the transfers `bridge status` lists for a direction: pending ones, and failed or held ones. A failed
 * view takes the reason `bridge status` gives, which names the destination's shortfall and the fix when there is one.
 */
function listed(direction: DirectionStatus, views: Map<string, TransferView>) {
  const view = (nonce: bigint) => views.get(`${direction.from}:${nonce}`);
  for (const entry of direction.recovery) {
    const found = view(entry.requestNonce);
    if (found !== undefined && entry.status === "failed" && entry.reason !== undefined) found.reason = entry.reason;
  }
  const pending = direction.pending.map((transfer) => view(transfer.requestNonce)).filter((v) => v !== undefined);
  const parked = (status: "failed" | "held") =>
    direction.recovery
      .filter((entry) => entry.status === status)
      .map((entry) => view(entry.requestNonce))
      .filter((v) => v !== undefined);
  return { pending, failed: parked("failed"), held: parked("held") };
}

/** The latest thing each operator did on chain: a vote or signature on a transfer, an anchor vote, an approval. */
async function operatorActivity(pair: ConnectedPair, views: TransferView[], times: BlockTimes): Promise<Map<string, OperatorActivity>> {
  const latest = new Map<string, OperatorActivity>();
  const note = (operator: string, activity: OperatorActivity) => {
    const key = operator.toLowerCase();
    const known = latest.get(key);
    // events are noted in chain order: on a tie of block times the later one wins
    if (known === undefined || activity.time >= known.time) latest.set(key, activity);
  };
  for (const view of views) {
    for (const step of view.steps) {
      for (const signature of step.signatures ?? []) {
        note(signature.operator, { what: `signed ${view.id}`, side: view.to, time: signature.time, txHash: signature.txHash });
      }
      if (step.sender !== undefined && step.txHash !== undefined) {
        note(step.sender, { what: `sent the ${step.kind === "handled" ? "handle" : step.kind} of ${view.id}`, side: step.side, time: step.time, txHash: step.txHash });
      }
    }
  }
  const receiver = pair.anchoringReceiver;
  const receiverFrom = pair.deployment.parent.anchoringReceiverDeployedBlock ?? pair.deployment.parent.deployedBlock;
  const anchorVotes = await queryInChunks(pair.parent.provider, receiverFrom, (s, e) => receiver.queryFilter(receiver.filters.VoteCast(), s, e));
  for (const vote of anchorVotes) {
    const time = await times.of(pair.parent.provider, vote.blockHash);
    note(vote.args.operator, { what: `anchor vote (child block ${vote.args.nonce})`, side: "parent", time, txHash: vote.transactionHash });
  }
  // an anchor accepted on the operators' signatures was sent by one of them
  const accepted = await queryInChunks(pair.parent.provider, receiverFrom, (s, e) => receiver.queryFilter(receiver.filters.AnchorAccepted(), s, e));
  for (const anchor of accepted.slice(-ANCHORS_SHOWN)) {
    const tx = await pair.parent.provider.getTransaction(anchor.transactionHash);
    if (tx === null) continue;
    const time = await times.of(pair.parent.provider, anchor.blockHash);
    note(tx.from, { what: `sent the anchor of child block ${anchor.args.blockNumber}`, side: "parent", time, txHash: anchor.transactionHash });
  }
  for (const side of ["parent", "child"] as const) {
    const ledger = await recoveryOf(pair, side);
    const approvals = await queryInChunks(pair[side].provider, pair.deployment[side].deployedBlock, (s, e) =>
      ledger.queryFilter(ledger.filters.ApprovalCast(), s, e),
    );
    for (const approval of approvals) {
      const time = await times.of(pair[side].provider, approval.blockHash);
      note(approval.args.operator, { what: "cancel/refund approval", side, time, txHash: approval.transactionHash });
    }
  }
  return latest;
}

async function operatorViews(pair: ConnectedPair, status: PairStatus, activity: Map<string, OperatorActivity>): Promise<OperatorView[]> {
  const roles = new Map<string, { address: string; roles: string[] }>();
  const add = (address: string, role: string) => {
    const entry = roles.get(address.toLowerCase()) ?? { address, roles: [] };
    entry.roles.push(role);
    roles.set(address.toLowerCase(), entry);
  };
  for (const address of status.parent.operators) add(address, "parent bridge");
  for (const address of status.child.operators) add(address, "child bridge");
  for (const address of status.anchoring.operators) add(address, "anchoring");
  return Promise.all(
    [...roles.values()].map(async ({ address, roles: where }) => {
      const [parent, child] = await Promise.all([pair.parent.provider.getBalance(address), pair.child.provider.getBalance(address)]);
      const last = activity.get(address.toLowerCase());
      return {
        address,
        roles: where,
        balances: { parent: formatAmount(parent, 18, "KLAY"), child: formatAmount(child, 18, "KLAY") },
        ...(last === undefined ? {} : { lastActivity: last }),
      };
    }),
  );
}

/** Everything the page shows besides a search: read from the chains each time. */
export async function readOverview(pair: ConnectedPair, times: BlockTimes): Promise<{ overview: Overview; views: TransferView[] }> {
  const [status, views, anchors] = await Promise.all([collectStatus(pair), allTransferViews(pair, times), listAnchors(pair)]);
  const byId = new Map(views.map((view) => [view.id, view]));
  const down = listed(status.parentToChild, byId);
  const up = listed(status.childToParent, byId);
  const activity = await operatorActivity(pair, views, times);
  const overview: Overview = {
    pair: status.name,
    mode: status.mode,
    readAt: Math.floor(Date.now() / 1000),
    parent: chainView(status.parent),
    child: chainView(status.child),
    directions: [status.parentToChild, status.childToParent].map((direction) => ({
      from: direction.from,
      to: direction.to,
      requested: direction.requested.toString(),
      handled: direction.handled.toString(),
      pending: direction.pending.length,
      missing: direction.missing,
    })),
    pending: [...down.pending, ...up.pending],
    failed: [...down.failed, ...up.failed],
    held: [...down.held, ...up.held],
    operators: await operatorViews(pair, status, activity),
    anchoring: {
      receiver: status.anchoring.receiver,
      threshold: status.anchoring.threshold,
      childHeadBlock: status.anchoring.childHeadBlock,
      ...(status.anchoring.latestAnchoredBlock === undefined ? {} : { latestAnchoredBlock: status.anchoring.latestAnchoredBlock.toString() }),
      anchors: anchors.slice(-ANCHORS_SHOWN).reverse(),
    },
  };
  return { overview, views };
}
