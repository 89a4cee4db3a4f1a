/**
 * `bridge relay`'s library side: checks everything a relayer needs before it starts (both bridges where the record
 * says, the signer an operator of both), then starts the operator's relayer. A setup the user must fix fails with one
 * `BridgeTaskError` line, and leaves nothing behind: no store is created and no relayer line is printed before the
 * checks pass.
 */
import type { PairSides } from "./connect.js";
import { Bridge__factory } from "./contracts.js";
import type { PairDeployment } from "./deployments.js";
import { BridgeTaskError, explain } from "./errors.js";
import { createPairRelayer } from "./relayer/index.js";
import type { PairRelayerOptions, Relayer } from "./relayer/index.js";

/** Refuses to relay when a chain does not hold the pair's bridge or the signer is not an operator of both bridges. */
export async function checkRelaySetup(deployment: PairDeployment, sides: PairSides): Promise<void> {
  const operator = sides.parent.signer.address;
  for (const side of [sides.parent, sides.child]) {
    const record = deployment[side.side];
    if (side.chainId !== record.chainId) {
      throw new BridgeTaskError(
        `network "${side.network}" has chain id ${side.chainId}; pair "${deployment.name}" was deployed on chain id ${record.chainId}`,
      );
    }
    let code: string;
    try {
      code = await side.provider.getCode(record.bridge);
    } catch (error) {
      throw explain(error, `cannot read the ${side.side} chain (network "${side.network}")`);
    }
    if (code === "0x") {
      throw new BridgeTaskError(
        `no bridge at ${record.bridge} on the ${side.side} chain (network "${side.network}"): the chain was reset or the pair ` +
          `was deployed elsewhere; hint: deploy again with \`npx hardhat bridge deploy … --name ${deployment.name} --force\``,
      );
    }
    const bridge = Bridge__factory.connect(record.bridge, side.provider);
    let isOperator: boolean;
    try {
      isOperator = await bridge.operators(operator);
    } catch (error) {
      throw explain(error, `cannot read the operators of the ${side.side} bridge ${record.bridge}`);
    }
    if (!isOperator) {
      throw new BridgeTaskError(
        `operator: ${operator} is not an operator of the ${side.side} bridge ${record.bridge}; ` +
          `hint: choose one with --operator or sign with an operator's key (BRIDGE_LOCAL_PRIVATE_KEY on the local nodes, ` +
          `KAIROS_PRIVATE_KEY, SERVICECHAIN_PRIVATE_KEY, … elsewhere), or register this account with ` +
          `\`npx hardhat bridge operator add --pair ${deployment.name} --address ${operator}\``,
      );
    }
  }
}

/** Checks the setup (`checkRelaySetup`), then creates the relayer of the signers' operator for `deployment`. */
export async function startPairRelayer(
  deployment: PairDeployment,
  sides: PairSides,
  options: Omit<PairRelayerOptions, "signers">,
): Promise<Relayer> {
  await checkRelaySetup(deployment, sides);
  try {
    return await createPairRelayer(deployment, { ...options, signers: { parent: sides.parent.signer, child: sides.child.signer } });
  } catch (error) {
    throw explain(error, "cannot start the relayer");
  }
}
