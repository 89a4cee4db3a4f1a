// servicechain-bridge: the library under the `bridge` Hardhat tasks, also used by the relayer and the tests.
export * from "./anchoring.js";
export * from "./check.js";
export * from "./connect.js";
export * from "./deploy.js";
export * from "./deployments.js";
export * from "./errors.js";
export * from "./fees.js";
export * from "./fund.js";
export * from "./operators.js";
export * from "./pair.js";
export * from "./recovery.js";
export * from "./limits.js";
export * from "./status.js";
export * from "./tokens.js";
export * from "./transfer.js";
export * from "./validate.js";
