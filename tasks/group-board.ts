import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { runGroup } from "./group.js";

/** `npx hardhat bridge board`: see `runGroup`. */
export default function (args: { words: string[] }, hre: HardhatRuntimeEnvironment) {
  return runGroup(["bridge", "board"], args, hre);
}
