import type { ChainSide, Log } from "./connect.js";
import { sendTx } from "./connect.js";
import type { AnchoringReceiver, Bridge } from "./contracts.js";
import { writeDeployment } from "./deployments.js";
import { BridgeTaskError } from "./errors.js";
import { requireOwner, type ConnectedPair } from "./pair.js";
import { checkThreshold, MAX_OPERATORS, sameAddress, VOTE_TYPE, type VoteTypeName } from "./validate.js";

/** A contract with Klaytn's operator API: both bridges and the anchoring receiver. */
export type OperatorContract = Bridge | AnchoringReceiver;

interface OperatorTarget {
  side: ChainSide;
  contract: OperatorContract;
  label: string;
  /** Vote types this contract has, with their threshold names. */
  voteTypes: { voteType: number; name: keyof ConnectedPair["deployment"]["thresholds"] }[];
}

function targets(pair: ConnectedPair): OperatorTarget[] {
  return [
    { side: pair.parent, contract: pair.bridges.parent, label: "parent Bridge", voteTypes: [{ voteType: 0, name: "transfer" }, { voteType: 1, name: "configuration" }] },
    { side: pair.child, contract: pair.bridges.child, label: "child Bridge", voteTypes: [{ voteType: 0, name: "transfer" }, { voteType: 1, name: "configuration" }] },
    { side: pair.parent, contract: pair.anchoringReceiver, label: "AnchoringReceiver", voteTypes: [{ voteType: 0, name: "anchoring" }] },
  ];
}

const VOTE_NAMES = ["value transfer", "configuration"];

/** The contract's name for tx lines, which carry the side already: `[child] Bridge.registerOperator(...)`. */
function contractName(target: OperatorTarget): string {
  return target.label.replace(/^(parent|child) /, "");
}

/**
 * Makes a freshly deployed contract's operator set exactly `operators` (the deployer starts as sole operator) and
 * sets `thresholds[voteType]`. Respects the 12-operator cap and the threshold <= operators rule at every step.
 */
export async function applyOperatorSet(
  side: ChainSide,
  contract: OperatorContract,
  label: string,
  operators: string[],
  thresholds: number[],
  log: Log,
): Promise<void> {
  const current: string[] = [...(await contract.getOperatorList())].map(String);
  const toAdd = operators.filter((operator) => !current.some((existing) => sameAddress(existing, operator)));
  const toRemove = current.filter((existing) => !operators.some((operator) => sameAddress(existing, operator)));
  let count = current.length;
  const queue = [...toAdd];
  while (queue.length > 0 && count < MAX_OPERATORS) {
    const operator = queue.shift()!;
    await sendTx(side, `${label}.registerOperator(${operator})`, log, () => contract.registerOperator(operator));
    count += 1;
  }
  for (const operator of toRemove) {
    await sendTx(side, `${label}.deregisterOperator(${operator})`, log, () => contract.deregisterOperator(operator));
    count -= 1;
  }
  for (const operator of queue) {
    await sendTx(side, `${label}.registerOperator(${operator})`, log, () => contract.registerOperator(operator));
  }
  for (const [voteType, threshold] of thresholds.entries()) {
    const now = Number(await contract.operatorThresholds(voteType));
    if (now === threshold) continue;
    await sendTx(side, `${label}.setOperatorThreshold(${VOTE_NAMES[voteType] ?? voteType}, ${threshold})`, log, () =>
      contract.setOperatorThreshold(voteType, threshold),
    );
  }
}

/** Registers `operator` on both bridges and the anchoring receiver (where it is missing). */
export async function addOperator(pair: ConnectedPair, operator: string, log: Log, dir?: string): Promise<void> {
  const plan: OperatorTarget[] = [];
  for (const target of targets(pair)) {
    await requireOwner(target.side, target.contract, target.label);
    if (await target.contract.operators(operator)) continue;
    const count = (await target.contract.getOperatorList()).length;
    if (count >= MAX_OPERATORS) throw new BridgeTaskError(`${target.label} has ${count} operators already, the most allowed`);
    plan.push(target);
  }
  if (plan.length === 0) throw new BridgeTaskError(`${operator} is an operator of pair "${pair.deployment.name}" already`);
  for (const target of plan) {
    await sendTx(target.side, `${contractName(target)}.registerOperator(${operator})`, log, () => target.contract.registerOperator(operator));
  }
  const deployment = pair.deployment;
  if (!deployment.operators.some((existing) => sameAddress(existing, operator))) deployment.operators.push(operator);
  await writeDeployment(deployment, dir);
  log(`${operator} is now an operator (${deployment.operators.length} in all)`);
}

/** Deregisters `operator` from both bridges and the anchoring receiver, refusing to leave a threshold unreachable. */
export async function removeOperator(pair: ConnectedPair, operator: string, log: Log, dir?: string): Promise<void> {
  const plan: OperatorTarget[] = [];
  for (const target of targets(pair)) {
    await requireOwner(target.side, target.contract, target.label);
    if (!(await target.contract.operators(operator))) continue;
    const remaining = (await target.contract.getOperatorList()).length - 1;
    if (remaining === 0) throw new BridgeTaskError(`${operator} is the last operator of the ${target.label}; add another first`);
    for (const { voteType } of target.voteTypes) {
      const threshold = Number(await target.contract.operatorThresholds(voteType));
      if (threshold > remaining) {
        throw new BridgeTaskError(
          `removing ${operator} would leave ${remaining} operator(s) on the ${target.label}, below its ${VOTE_NAMES[voteType]} threshold ${threshold}; lower the threshold first`,
        );
      }
    }
    plan.push(target);
  }
  if (plan.length === 0) throw new BridgeTaskError(`${operator} is not an operator of pair "${pair.deployment.name}"`);
  for (const target of plan) {
    await sendTx(target.side, `${contractName(target)}.deregisterOperator(${operator})`, log, () => target.contract.deregisterOperator(operator));
  }
  const deployment = pair.deployment;
  deployment.operators = deployment.operators.filter((existing) => !sameAddress(existing, operator));
  await writeDeployment(deployment, dir);
  log(`${operator} is no longer an operator (${deployment.operators.length} left)`);
}

/**
 * Sets a threshold on both bridges: `transfer` (value-transfer votes, also the anchoring receiver's anchor votes) or
 * `configuration` (fee votes).
 */
export async function setThreshold(pair: ConnectedPair, voteTypeName: VoteTypeName, threshold: number, log: Log, dir?: string): Promise<void> {
  const voteType = VOTE_TYPE[voteTypeName];
  const plan: { target: OperatorTarget; voteType: number }[] = [];
  for (const target of targets(pair)) {
    const entry = target.voteTypes.find((candidate) => candidate.voteType === voteType);
    if (entry === undefined) continue;
    await requireOwner(target.side, target.contract, target.label);
    const operatorCount = (await target.contract.getOperatorList()).length;
    checkThreshold(threshold, operatorCount, `threshold on the ${target.label}`);
    if (Number(await target.contract.operatorThresholds(voteType)) !== threshold) plan.push({ target, voteType });
  }
  for (const { target, voteType: type } of plan) {
    await sendTx(target.side, `${contractName(target)}.setOperatorThreshold(${VOTE_NAMES[type]}, ${threshold})`, log, () =>
      target.contract.setOperatorThreshold(type, threshold),
    );
  }
  const deployment = pair.deployment;
  deployment.thresholds[voteTypeName] = threshold;
  if (voteTypeName === "transfer") deployment.thresholds.anchoring = threshold;
  await writeDeployment(deployment, dir);
  log(plan.length === 0 ? `${voteTypeName} threshold is ${threshold} already` : `${voteTypeName} threshold is now ${threshold}`);
}
