/** Opening a recorded pair through the networks of hardhat.config.ts (the tasks). */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { readDeployment } from "../deployments.js";
import { BridgeTaskError } from "../errors.js";
import { bindPair, type ConnectedPair } from "../pair.js";
import { parsePairName, type Side } from "../validate.js";
import { connectPair } from "./network.js";

/**
 * Reads deployments/PAIR.json and connects both of its networks. `signer` picks the sending account (address or
 * index among the network's accounts; default the first).
 */
export async function openPair(
  hre: HardhatRuntimeEnvironment,
  pairName: string | undefined,
  options: { dir?: string; signer?: string; requireCode?: boolean } = {},
): Promise<ConnectedPair> {
  const name = parsePairName(pairName, "pair");
  const deployment = await readDeployment(name, options.dir);
  const sides = await connectPair(hre, deployment, options.signer);
  if (options.requireCode !== false) {
    const contracts: [Side, string, string][] = [
      ["parent", "bridge", deployment.parent.bridge],
      ["child", "bridge", deployment.child.bridge],
      ["parent", "anchoring receiver", deployment.parent.anchoringReceiver ?? deployment.parent.bridge],
    ];
    for (const [side, what, address] of contracts) {
      if ((await sides[side].provider.getCode(address)) !== "0x") continue;
      const network = deployment[side].network;
      const inProcess = hre.config.networks[network]?.type === "edr-simulated";
      throw new BridgeTaskError(
        `pair "${name}": no ${what} at ${address} on ${side} (network "${network}")` +
          (inProcess
            ? `; "${network}" is an in-process chain that ended with the command that deployed it (use localParent/localChild)`
            : `: the chain was reset or the pair was deployed elsewhere; hint: deploy again with \`npx hardhat bridge deploy … --name ${name} --force\``),
      );
    }
  }
  return bindPair(deployment, sides);
}
