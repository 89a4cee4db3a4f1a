import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { runDemo } from "../src/hardhat/demo.js";
import { print, runTask } from "./run.js";

export default async function (_args: Record<string, unknown>, hre: HardhatRuntimeEnvironment) {
  return runTask("bridge demo", hre, () => runDemo(hre, print));
}
