import { checkSignatureBoard } from "./board.js";
import { VoteType } from "./protocol/constants.js";
import type { ConnectedPair } from "./pair.js";
import { sameAddress, type Side } from "./validate.js";

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item) => b.some((other) => sameAddress(item, other)));
}

function list(addresses: readonly string[]): string {
  return addresses.length === 0 ? "none" : addresses.join(", ");
}

/**
 * `bridge check`: compares the chain with deployments/PAIR.json and returns every difference, one line each
 * (an empty list when they agree).
 */
export async function checkPair(pair: ConnectedPair): Promise<string[]> {
  const { deployment } = pair;
  const differences: string[] = [];
  const differ = (line: string): void => {
    differences.push(line);
  };

  for (const side of ["parent", "child"] as const) {
    const record = deployment[side];
    const chain = pair[side];
    const bridge = pair.bridges[side];
    const other: Side = side === "parent" ? "child" : "parent";
    if (chain.chainId !== record.chainId) differ(`${side}: chain id is ${chain.chainId}, the file says ${record.chainId}`);
    if ((await chain.provider.getCode(record.bridge)) === "0x") {
      differ(`${side}: no contract at the recorded bridge ${record.bridge}`);
      continue;
    }
    const [owner, modeMintBurn, counterpart, operators, transfer, configuration, registered] = await Promise.all([
      bridge.owner(),
      bridge.modeMintBurn(),
      bridge.counterpartBridge(),
      bridge.getOperatorList(),
      bridge.operatorThresholds(VoteType.ValueTransfer),
      bridge.operatorThresholds(VoteType.Configuration),
      bridge.getRegisteredTokenList(),
    ]);
    if (!sameAddress(owner, record.owner)) differ(`${side} bridge: owner is ${owner}, the file says ${record.owner}`);
    if (modeMintBurn !== record.modeMintBurn) {
      differ(`${side} bridge: mode is ${modeMintBurn ? "mint/burn" : "lock/unlock"}, the file says ${record.modeMintBurn ? "mint/burn" : "lock/unlock"}`);
    }
    if (!sameAddress(counterpart, deployment[other].bridge)) differ(`${side} bridge: counterpart is ${counterpart}, the file says ${deployment[other].bridge}`);
    if (!sameSet(operators, deployment.operators)) differ(`${side} bridge: operators are ${list(operators)}, the file says ${list(deployment.operators)}`);
    if (Number(transfer) !== deployment.thresholds.transfer) differ(`${side} bridge: transfer threshold is ${transfer}, the file says ${deployment.thresholds.transfer}`);
    if (Number(configuration) !== deployment.thresholds.configuration) {
      differ(`${side} bridge: configuration threshold is ${configuration}, the file says ${deployment.thresholds.configuration}`);
    }
    for (const token of deployment.tokens) {
      const mine = token[side];
      const theirs = token[other];
      const actual = await bridge.registeredTokens(mine);
      if (!sameAddress(actual, theirs)) {
        differ(
          /^0x0+$/.test(actual)
            ? `${side} bridge: token ${mine} (${token.symbol ?? token.type}) is not registered; the file pairs it with ${theirs}`
            : `${side} bridge: token ${mine} is registered with counterpart ${actual}, the file says ${theirs}`,
        );
      }
    }
    for (const token of registered) {
      if (!deployment.tokens.some((entry) => sameAddress(entry[side], token))) differ(`${side} bridge: token ${token} is registered but not in the file`);
    }
  }

  const receiverAddress = deployment.parent.anchoringReceiver;
  if (receiverAddress !== undefined) {
    if ((await pair.parent.provider.getCode(receiverAddress)) === "0x") {
      differ(`parent: no contract at the recorded anchoring receiver ${receiverAddress}`);
    } else {
      const receiver = pair.anchoringReceiver;
      const [operators, threshold] = await Promise.all([receiver.getOperatorList(), receiver.operatorThresholds(VoteType.ValueTransfer)]);
      if (!sameSet(operators, deployment.operators)) differ(`anchoring receiver: operators are ${list(operators)}, the file says ${list(deployment.operators)}`);
      if (Number(threshold) !== deployment.thresholds.anchoring) differ(`anchoring receiver: threshold is ${threshold}, the file says ${deployment.thresholds.anchoring}`);
    }
  }
  for (const line of await checkSignatureBoard(deployment, pair.child)) differ(line);
  return differences;
}
