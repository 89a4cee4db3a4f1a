// The package as a user imports it: `servicechain-bridge` (the library) and `servicechain-bridge/types` (typechain
// bindings), compiled with `tsc` to dist/ with declarations, and the ABIs as JSON. A throwaway project links the
// package into its node_modules, runs a plain Node script against it and type-checks a TypeScript file.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";

const run = promisify(execFile);
const projectRoot = path.resolve(import.meta.dirname, "../..");
const bin = (name: string) => path.join(projectRoot, "node_modules", ".bin", name);

describe("package exports (servicechain-bridge, servicechain-bridge/types, ABIs)", function () {
  this.timeout(60_000);
  let consumer: string;

  before(async function () {
    // `npm run build:lib` without the contract build, which `hardhat test` has just done.
    await run(bin("tsc"), ["-p", "tsconfig.build.json"], { cwd: projectRoot });
    await run(process.execPath, ["scripts/export-abis.mjs"], { cwd: projectRoot });
    consumer = await mkdtemp(path.join(tmpdir(), "bridge-consumer-"));
    await writeFile(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    await mkdir(path.join(consumer, "node_modules"));
    await symlink(projectRoot, path.join(consumer, "node_modules", "servicechain-bridge"), "dir");
  });

  after(async function () {
    await rm(consumer, { recursive: true, force: true });
  });

  it("runs in plain Node from a project that installed it", async function () {
    await writeFile(
      path.join(consumer, "use.mjs"),
      [
        'import { parseAmount, validateDeployment, BridgeTaskError, deployPair, collectStatus } from "servicechain-bridge";',
        'import { Bridge__factory, AnchoringReceiver__factory, ServiceChainKIP7__factory } from "servicechain-bridge/types";',
        'import bridgeAbi from "servicechain-bridge/abi/Bridge.json" with { type: "json" };',
        "console.log(JSON.stringify({",
        '  amount: parseAmount("1.5", 18, "amount").toString(),',
        "  functions: [typeof deployPair, typeof collectStatus, typeof validateDeployment],",
        '  refused: (() => { try { parseAmount("0", 18, "amount"); } catch (e) { return e instanceof BridgeTaskError && e.message; } })(),',
        "  bytecode: AnchoringReceiver__factory.bytecode.length > 2 && ServiceChainKIP7__factory.bytecode.length > 2,",
        '  sameAbi: JSON.stringify(bridgeAbi) === JSON.stringify(Bridge__factory.abi),',
        "}));",
      ].join("\n"),
    );
    const { stdout } = await run(process.execPath, ["use.mjs"], { cwd: consumer });
    expect(JSON.parse(stdout)).to.deep.equal({
      amount: "1500000000000000000",
      functions: ["function", "function", "function"],
      refused: "amount: must be greater than 0",
      bytecode: true,
      sameAbi: true,
    });
  });

  it("type-checks a TypeScript consumer against the declarations", async function () {
    await writeFile(
      path.join(consumer, "use.ts"),
      [
        'import { parseAmount, type PairDeployment, type PairStatus } from "servicechain-bridge";',
        'import { Bridge__factory, type Bridge } from "servicechain-bridge/types";',
        'const amount: bigint = parseAmount("2", 18, "amount");',
        'const bridge: Bridge = Bridge__factory.connect("0x0000000000000000000000000000000000000001");',
        "export function nonce(record: PairDeployment, status: PairStatus): bigint { return status.parent.requestNonce + BigInt(record.parent.deployedBlock); }",
        "// @ts-expect-error: parseAmount returns a bigint, not a string",
        "export const wrong: string = parseAmount(\"1\", 18, \"amount\");",
        "void amount; void bridge;",
      ].join("\n"),
    );
    await writeFile(
      path.join(consumer, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { module: "node16", moduleResolution: "node16", target: "es2022", strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ["use.ts"] }),
    );
    const result = await run(bin("tsc"), ["-p", "tsconfig.json"], { cwd: consumer }).then(
      () => ({ code: 0, output: "" }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code ?? -1, output: error.stdout ?? "" }),
    );
    expect(result, result.output).to.deep.equal({ code: 0, output: "" });
  });

  it("resolves by its own name inside the project (package self-reference)", async function () {
    const library = (await import("servicechain-bridge")) as Record<string, unknown>;
    expect(typeof library.readDeployment).to.equal("function");
  });
});
