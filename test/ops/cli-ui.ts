// `npx hardhat bridge ui` as a user runs it, against two `npx hardhat node` processes: the page, its assets and its
// JSON API on 127.0.0.1, a transfer found by its nonce; a port that is not one, and a port in use, refused in one
// line. The nodes are the ones the command-line suites share (test/helpers/local-nodes.ts); every process started here
// is stopped whatever happens.
import type { ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";

import { expect } from "chai";

import { freePort, runBridge, startDetached, stop } from "../helpers/local-nodes.js";
import { useSharedLocalPair } from "../helpers/shared-nodes.js";

const errorLines = (text: string) => text.split("\n").filter((line) => line !== "" && !line.startsWith("npm warn"));

/** Waits for a line of `child`'s stdout matching `pattern` (60 s at most). */
function waitForLine(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} in: ${seen}`)), 60_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      const line = seen.split("\n").find((candidate) => pattern.test(candidate));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`bridge ui exited with ${code}: ${seen}`));
    });
  });
}

describe("bridge ui from the command line against two `npx hardhat node` processes", function () {
  this.timeout(180_000);
  let ui: ChildProcess | undefined;
  let blocker: Server | undefined;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  before(async function () {
    ({ dir, env } = await useSharedLocalPair("bridge-ui-cli-"));
  });

  after(async function () {
    await stop(ui);
    await new Promise<void>((resolve) => (blocker === undefined ? resolve() : blocker.close(() => resolve())));
    await rm(dir, { recursive: true, force: true });
  });

  it("serves the page, its assets and its JSON API on 127.0.0.1, read from the chains", async function () {
    const deploy = await runBridge(env, "deploy", "--parent", "localParent", "--child", "localChild", "--name", "cli");
    expect(deploy.code, deploy.stderr).to.equal(0);
    const transfer = await runBridge(env, "transfer", "--pair", "cli", "--from", "parent", "--asset", "klay", "--amount", "1.5");
    expect(transfer.code, transfer.stderr).to.equal(0);
    const port = await freePort();
    ui = startDetached(["hardhat", "bridge", "ui", "--pair", "cli", "--port", String(port)], env, "pipe");
    const line = await waitForLine(ui, /status page/);
    const url = `http://127.0.0.1:${port}/`;
    expect(line).to.equal(`status page of pair "cli": ${url} (JSON: ${url}api/overview); Ctrl-C stops it`);

    const html = await fetch(url);
    expect(html.headers.get("content-type")).to.match(/^text\/html/);
    const text = await html.text();
    expect(text).to.contain('<input id="q"').and.contain('src="/app.js"').and.not.match(/https?:\/\/(?!127\.0\.0\.1)/);
    for (const asset of ["app.js", "style.css"]) expect((await fetch(`${url}${asset}`)).status, asset).to.equal(200);

    const overview = (await (await fetch(`${url}api/overview`)).json()) as { pair: string; pending: { id: string; amount: string; state: string }[] };
    expect(overview.pair).to.equal("cli");
    expect(overview.pending.map(({ id, amount, state }) => ({ id, amount, state }))).to.deep.equal([{ id: "parent:0", amount: "1.5 KLAY", state: "pending" }]);
    const byNonce = (await (await fetch(`${url}api/transfer/parent/0`)).json()) as { requestTx: string; steps: { kind: string }[] };
    expect(byNonce.steps.map((step) => step.kind)).to.deep.equal(["requested", "confirmed"]);
    const byTx = (await (await fetch(`${url}api/search?q=${byNonce.requestTx}`)).json()) as { kind: string; transfers: { id: string }[] };
    expect(byTx).to.deep.include({ kind: "tx" });
    expect(byTx.transfers.map((found) => found.id)).to.deep.equal(["parent:0"]);
    const refused = await fetch(`${url}api/search?q=nonsense`);
    expect(refused.status).to.equal(400);
    expect(await refused.json()).to.deep.equal({
      error: '"nonsense" is not something to look up: enter a request tx hash, parent:NONCE or child:NONCE, or an address',
    });
    expect((await fetch(`${url}api/transfer/child/9`)).status).to.equal(404);
    await stop(ui, "SIGINT");
    ui = undefined;
  });

  it("refuses a port that is not one, and a port in use, in one line", async function () {
    const port = await freePort();
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(port, "127.0.0.1", () => resolve()));
    const [bad, busy] = await Promise.all([
      runBridge(env, "ui", "--pair", "cli", "--port", "80a"),
      runBridge(env, "ui", "--pair", "cli", "--port", String(port)),
    ]);
    expect(bad.code).to.equal(1);
    expect(errorLines(bad.stderr)).to.deep.equal(['Error: port: must be a whole number from 0 to 65535 (got "80a")']);
    expect(busy.code).to.equal(1);
    expect(errorLines(busy.stderr)).to.deep.equal([`Error: port: 127.0.0.1:${port} is in use; hint: choose another with --port`]);
  });
});
