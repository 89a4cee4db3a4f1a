/**
 * The relayer keeps its state in Node's embedded SQLite (`node:sqlite`, Node.js 22.5 and later). Imported first by
 * the relayer's entry point (`servicechain-bridge/relayer`), so that on an older Node the import fails at once with
 * one line that says so, rather than later with a missing module. The rest of the library (`servicechain-bridge`)
 * runs on Node.js 20.
 */
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);

/** Whether this Node.js has `node:sqlite`. */
export const HAS_SQLITE = major > 22 || (major === 22 && minor >= 5);

/** The one line an import on an older Node.js gets. */
export const OLD_NODE_MESSAGE =
  `servicechain-bridge/relayer needs Node.js 22.5 or later (its store is node:sqlite); this is Node.js ${process.versions.node}. ` +
  "The library without the relayer (servicechain-bridge) runs on Node.js 20.";

if (!HAS_SQLITE) throw new Error(OLD_NODE_MESSAGE);

/**
 * Loads `node:sqlite` without its one-time "experimental feature" warning, which would otherwise land in the
 * middle of the relayer's log lines. Every other warning still goes through.
 */
export function loadSqlite(): typeof import("node:sqlite") {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- the original, put back as it was; called with process as `this`
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    if (String(warning).includes("SQLite")) return;
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  };
  try {
    // `process.getBuiltinModule` (Node.js 20.16, 22.3) loads a builtin from ESM and CommonJS builds alike
    const sqlite = process.getBuiltinModule?.("node:sqlite") as typeof import("node:sqlite") | undefined;
    if (sqlite === undefined) throw new Error(OLD_NODE_MESSAGE);
    return sqlite;
  } finally {
    process.emitWarning = emitWarning;
  }
}
