// A newcomer's first commands, run as typed in a terminal: the task list, a task's help with its required options
// and an example, a mistyped task or pair answered with the closest name. No chain is needed.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { runBridge, runBridgeWithNpx } from "../helpers/local-nodes.js";

describe("bridge help and mistyped names from the command line", function () {
  this.timeout(60_000);
  let dir: string;
  let env: NodeJS.ProcessEnv;

  before(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "bridge-help-"));
    env = { ...process.env, BRIDGE_DEPLOYMENTS_DIR: dir };
    await writeFile(path.join(dir, "demo.json"), "{}");
    await writeFile(path.join(dir, "staging.json"), "{}");
  });

  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  const errorLines = (stderr: string) => stderr.split("\n").filter((line) => line !== "" && !line.startsWith("npm warn"));

  it("`npx hardhat bridge` lists every task with one line each; `bridge token` its own", async function () {
    // through npx itself, as typed (the other commands run Hardhat's command line as npx does, without npm in front)
    const [list, token] = await Promise.all([runBridgeWithNpx(env), runBridge(env, "token")]);
    expect(list.code, list.stderr).to.equal(0);
    const lines = list.stdout.trim().split("\n");
    expect(lines[0]).to.match(/^servicechain-bridge tasks/);
    for (const task of ["deploy", "operator add", "operator remove", "token register", "token deploy", "transfer", "relay", "status", "retry"]) {
      expect(lines.some((line) => line.startsWith(`  npx hardhat bridge ${task} `)), task).to.equal(true);
    }
    expect(list.stdout, "the list shows summaries, not examples").not.to.include("example:");
    expect(token.stdout.trim().split("\n").slice(1)).to.have.length(2);
  });

  it("a task's --help marks its required options and gives an example", async function () {
    const help = await runBridge(env, "transfer", "--help");
    expect(help.code).to.equal(0);
    expect(help.stdout).to.match(/example: npx hardhat bridge transfer --pair demo --from parent --asset DMT --amount 250 --to 0x70997970C51812dc3A010C7d01b50e0d17dc79C8/);
    expect(help.stdout).to.match(/--pair\s+\(required\) Pair name/);
    expect(help.stdout).to.match(/--from\s+\(required\) parent or child/);
    expect(help.stdout).to.match(/--to\s+Recipient on the other chain/);
  });

  it("a mistyped task, with its options, gets the closest task in one line", async function () {
    const [typo, nested, far] = await Promise.all([
      runBridge(env, "statu", "--pair", "demo"),
      runBridge(env, "token", "registr", "--pair", "demo", "--type", "kip7"),
      runBridge(env, "xyzzy"),
    ]);
    expect(typo.code).to.equal(1);
    expect(errorLines(typo.stderr)).to.deep.equal(['Error: unknown task "bridge statu": did you mean `npx hardhat bridge status`?']);
    expect(errorLines(nested.stderr)).to.deep.equal([
      'Error: unknown task "bridge token registr": did you mean `npx hardhat bridge token register`?',
    ]);
    expect(errorLines(far.stderr)).to.deep.equal(['Error: unknown task "bridge xyzzy": run `npx hardhat bridge` for the list']);
  });

  it("a mistyped pair gets the closest pair, or the list of pairs", async function () {
    const [typo, far] = await Promise.all([
      runBridge(env, "status", "--pair", "dmeo"),
      runBridge(env, "status", "--pair", "production"),
    ]);
    expect(typo.code).to.equal(1);
    expect(errorLines(typo.stderr)).to.deep.equal([`Error: unknown pair "dmeo": no ${path.join(dir, "dmeo.json")}; did you mean "demo"?`]);
    expect(errorLines(far.stderr)).to.deep.equal([`Error: unknown pair "production": no ${path.join(dir, "production.json")}; known pairs: demo, staging`]);
  });

  it("the demo tells its story without a misleading line", async function () {
    const demo = await runBridge(env, "demo");
    expect(demo.code, demo.stderr).to.equal(0);
    expect(demo.stdout).to.include('Deploying pair "demo": parent on network "parent" (chain 31337), child on network "child" (chain 31338)');
    expect(demo.stdout, "no path of a file the demo deletes").not.to.match(/^Wrote /m);
    expect(demo.stdout).to.match(/tx 0x[0-9a-f]{4}…[0-9a-f]{4} \(block \d+\)/);
    expect(demo.stdout).to.include("Handled: 3 of 3 parent -> child, 3 of 3 child -> parent. Done.");
  });
});
