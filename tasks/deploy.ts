import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { checkNetworkName, connectNetwork } from "../src/hardhat/network.js";
import { deployPair } from "../src/deploy.js";
import { BridgeTaskError } from "../src/errors.js";
import { parseAddressList, parseInteger, parseMode, parsePairName, required } from "../src/validate.js";
import { print, runTask } from "./run.js";

interface Args {
  signer?: string;
  parent?: string;
  child?: string;
  name?: string;
  operators?: string;
  threshold?: string;
  mode?: string;
  anchorPeriod?: string;
  force: boolean;
}

export default async function (args: Args, hre: HardhatRuntimeEnvironment) {
  return runTask("bridge deploy", hre, async () => {
    const parentNetwork = required(args.parent, "parent");
    const childNetwork = required(args.child, "child");
    const name = parsePairName(args.name, "name");
    checkNetworkName(hre, parentNetwork, "parent");
    checkNetworkName(hre, childNetwork, "child");
    if (parentNetwork === childNetwork) throw new BridgeTaskError(`--parent and --child are both "${parentNetwork}": a pair needs two chains`);
    const operators = args.operators === undefined ? undefined : parseAddressList(args.operators, "operators");
    const threshold = args.threshold === undefined ? undefined : Number(parseInteger(args.threshold, "threshold", { min: 1n, max: 12n }));
    const mode = args.mode === undefined ? undefined : parseMode(args.mode);
    const anchorPeriod =
      args.anchorPeriod === undefined ? undefined : Number(parseInteger(args.anchorPeriod, "anchor-period", { min: 1n, max: 1_000_000n }));
    for (const network of [parentNetwork, childNetwork]) {
      if (hre.config.networks[network]?.type === "edr-simulated") {
        print(`note: "${network}" is an in-process chain; it ends with this command (use localParent/localChild for lasting chains)`);
      }
    }
    const parent = await connectNetwork(hre, parentNetwork, "parent", args.signer);
    const child = await connectNetwork(hre, childNetwork, "child", args.signer);
    return deployPair({ parent, child }, { name, operators, threshold, mode, anchorPeriod, force: args.force }, print);
  });
}
