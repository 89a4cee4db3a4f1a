import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { checkPair } from "../src/check.js";
import { deploymentPath } from "../src/deployments.js";
import { BridgeTaskError } from "../src/errors.js";
import { openPair } from "../src/hardhat/open-pair.js";
import { print, runTask } from "./run.js";

export default async function (args: { pair?: string }, hre: HardhatRuntimeEnvironment) {
  return runTask("bridge check", hre, async () => {
    const pair = await openPair(hre, args.pair, { requireCode: false });
    const differences = await checkPair(pair);
    const file = deploymentPath(pair.deployment.name);
    if (differences.length === 0) {
      print(`pair "${pair.deployment.name}": the chains match ${file}`);
      const { name, operators, child } = pair.deployment;
      if (child.signatureBoard === undefined && operators.length > 1) {
        print(
          `note: pair "${name}" records no signature board: relayers on different machines cannot sign together and vote ` +
            `instead; hint: add one with \`npx hardhat bridge board deploy --pair ${name}\` and give each operator the new record`,
        );
      }
      return differences;
    }
    for (const difference of differences) print(`differs: ${difference}`);
    throw new BridgeTaskError(`pair "${pair.deployment.name}": ${differences.length} difference(s) from ${file}`);
  });
}
