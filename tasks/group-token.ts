import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { runGroup } from "./group.js";

/** `npx hardhat bridge token`: see `runGroup`. */
export default function (args: { words: string[] }, hre: HardhatRuntimeEnvironment) {
  return runGroup(["bridge", "token"], args, hre);
}
