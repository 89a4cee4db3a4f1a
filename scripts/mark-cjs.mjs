// dist/cjs holds the CommonJS build of the library (tsconfig.cjs.json): its package.json says so, so that Node and
// TypeScript read its .js and .d.ts files as CommonJS, and a CommonJS project's `ethers` types are the ones the
// declarations name.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
await writeFile(path.join(root, "dist", "cjs", "package.json"), `${JSON.stringify({ type: "commonjs" }, null, 2)}\n`);
console.log("mark-cjs: dist/cjs is CommonJS");
