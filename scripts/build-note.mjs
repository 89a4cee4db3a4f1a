// Printed before `npm install`'s build, `npm test` and `npm run build` when nothing is compiled yet: the first compilation (solc-js, no
// native compiler is downloaded) is silent for a minute or two, and ends with a size warning that needs one line.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
if (!existsSync(path.join(root, "artifacts", "build-info"))) {
  console.log(
    "Compiling the contracts and the Solidity tests with solc 0.8.30 (solc-js): about 90 s on two cores the first time, cached afterwards.",
  );
  console.log(
    "note: solc's warning that a contract exceeds 24576 bytes concerns the Solidity tests' own copy of the Bridge (20,000 optimizer runs); the deployed Bridge is built at 800 runs, under the limit.",
  );
  console.log(
    "note: solc's transient-storage warning is about OpenZeppelin's reentrancy guard, which clears its slot at the end of each call: the use the warning itself calls safe.",
  );
}
