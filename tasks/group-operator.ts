import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { runGroup } from "./group.js";

/** `npx hardhat bridge operator`: see `runGroup`. */
export default function (args: { words: string[] }, hre: HardhatRuntimeEnvironment) {
  return runGroup(["bridge", "operator"], args, hre);
}
