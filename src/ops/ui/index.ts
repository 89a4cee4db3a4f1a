// servicechain-bridge/ui: the status page (`bridge ui`) and the reads behind its JSON API.
export * from "./history.js";
export * from "./overview.js";
export * from "./search.js";
export * from "./server.js";
