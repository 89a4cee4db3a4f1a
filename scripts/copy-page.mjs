// The status page's HTML, CSS and JavaScript are not TypeScript, so tsc does not emit them: copied beside the built
// server (dist/src/ops/ui/page), where it serves them from in the package as in the source tree.
import { cp } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const from = path.join(root, "src", "ops", "ui", "page");
const to = path.join(root, "dist", "src", "ops", "ui", "page");
await cp(from, to, { recursive: true });
console.log("copy-page: dist/src/ops/ui/page");
