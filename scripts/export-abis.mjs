// Writes dist/abi/<Contract>.json (the ABI array) for every deployable contract of the package, from Hardhat's
// artifacts, so that `import abi from "servicechain-bridge/abi/Bridge.json"` works without TypeScript.
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const artifacts = path.join(root, "artifacts", "contracts");
const out = path.join(root, "dist", "abi");
// Test doubles are not part of the package.
const skipped = new Set(["test"]);

async function* artifactFiles(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (dir === artifacts && skipped.has(entry.name)) continue;
      yield* artifactFiles(full);
    } else if (entry.name.endsWith(".json") && !entry.name.endsWith(".dbg.json") && entry.name !== "artifacts.d.ts") {
      yield full;
    }
  }
}

await mkdir(out, { recursive: true });
let count = 0;
for await (const file of artifactFiles(artifacts)) {
  const artifact = JSON.parse(await readFile(file, "utf8"));
  if (!Array.isArray(artifact.abi) || typeof artifact.contractName !== "string") continue;
  await writeFile(path.join(out, `${artifact.contractName}.json`), `${JSON.stringify(artifact.abi, null, 2)}\n`);
  count += 1;
}
console.log(`export-abis: wrote ${count} ABIs to ${path.relative(root, out)}`);
