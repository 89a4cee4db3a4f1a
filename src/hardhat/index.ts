// servicechain-bridge/hardhat: the library's functions that take a Hardhat Runtime Environment (connecting to the
// networks of hardhat.config.ts, opening a recorded pair through them, the demo). Needs `hardhat` installed.
export * from "./demo.js";
export * from "./network.js";
export * from "./open-pair.js";
