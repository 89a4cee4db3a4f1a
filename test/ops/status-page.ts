// The status page (`bridge ui`) in headless Chromium over two in-process chains: a transfer found by its tx hash, its
// nonce and its address, pending and then handled after a relay (the page refreshing by itself), a failed transfer
// with its decoded reason and then its cancellation and refund; no console errors.
import { join } from "node:path";

import { expect } from "chai";
import type { Browser, Page } from "playwright-core";

import { startStatusPage, type StatusPage } from "../../src/ops/ui/server.js";
import type { Relayer } from "../../src/relayer/index.js";
import { collectConsoleErrors, findChromium, launchChromium, NO_CHROMIUM } from "../helpers/browser.js";
import { ONE, connectedPair, deployPair, relayerFor, stepAll, useTwoChains } from "../relayer/helpers.js";
import type { Pair } from "../relayer/helpers.js";

/** What the tests read of a page element (the project compiles without the DOM library). */
interface Attributed {
  getAttribute(name: string): string | null;
}

/** How long the page may take to show a change by its own refresh (it reads every 4 s). */
const REFRESH_WAIT_MS = 15_000;

describe("status page in headless Chromium (bridge ui, two in-process chains)", function () {
  this.timeout(120_000);
  const frame = useTwoChains("bridge-ui-");
  const executable = findChromium();
  let browser: Browser | undefined;
  let server: StatusPage | undefined;
  let page: Page;
  let consoleErrors: string[];
  let pair: Pair;
  let clock = 1_000_000;

  before(async function () {
    if (executable !== undefined) browser = await launchChromium(executable);
  });
  after(async function () {
    await browser?.close();
  });

  beforeEach(async function () {
    if (browser === undefined) {
      // reported as skipped, with the reason, never passed
      this.currentTest!.title += ` (skipped: ${NO_CHROMIUM})`;
      this.skip();
    }
    clock = 1_000_000;
    pair = await deployPair(frame.parent, frame.child, { childMintBurn: false });
    server = await startStatusPage(await connectedPair(pair, "ui"), { port: 0 });
    page = await browser.newPage();
    consoleErrors = collectConsoleErrors(page);
  });
  afterEach(async function () {
    await page?.close();
    await server?.close();
    server = undefined;
  });

  async function relayers(): Promise<Relayer[]> {
    const options = { now: () => clock, signatureDir: join(frame.directory.path, "signatures"), payoutRetryBackoffMs: 1000, failedRetries: 1, signatureWaitMs: 5000 };
    // each one in the frame's list as soon as it exists: closed after the test whatever happens
    for (const index of [0, 1, 2]) frame.relayers.push(await relayerFor(pair, index, frame.directory.path, options));
    return frame.relayers;
  }

  const card = (id: string) => page.locator(`article[data-transfer="${id}"]`);
  const stepsOf = (id: string) => card(id).locator("li[data-step]").evaluateAll((items: Attributed[]) => items.map((item) => item.getAttribute("data-step")));

  async function search(query: string): Promise<void> {
    await page.fill("#q", query);
    await page.press("#q", "Enter");
  }

  it("finds a transfer by its tx hash from the URL: pending, then handled after a relay, signed by the operators", async function () {
    const user = pair.parent.signers[10];
    const bridge = pair.parent.bridge.connect(user);
    const request = await (await bridge.requestKLAYTransfer(user.address, 5n * ONE, "0x", { value: 5n * ONE })).wait();
    const txHash = request!.hash;

    await page.goto(`${server!.url}?q=${txHash}`); // no click: the URL's query is searched on load
    await card("parent:0").locator('[data-state="pending"]').waitFor();
    expect(await card("parent:0").locator("[data-amount]").textContent()).to.equal("5.0 KLAY");
    expect(await stepsOf("parent:0")).to.deep.equal(["requested", "confirmed", "waiting"]);
    expect(await page.locator('#pending tr[data-transfer="parent:0"]').count()).to.equal(1);
    expect(await page.inputValue("#q")).to.equal(txHash);

    await stepAll(await relayers(), 2);
    await card("parent:0").locator('[data-state="handled"]').waitFor({ timeout: REFRESH_WAIT_MS }); // refreshed by itself
    expect(await stepsOf("parent:0")).to.deep.equal(["requested", "confirmed", "signed", "handled"]);
    const signers = await card("parent:0").locator("[data-operator]").evaluateAll((items: Attributed[]) => items.map((item) => item.getAttribute("data-operator")));
    expect(signers.length).to.be.at.least(2);
    for (const signer of signers) expect(pair.operators).to.include(signer);
    expect(await page.locator('#pending tr[data-transfer="parent:0"]').count()).to.equal(0);
    const handledStep = card("parent:0").locator('li[data-step="handled"]');
    expect(await handledStep.textContent()).to.match(/on child · block \d+/).and.match(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    // every signer shows its balances and its last activity: its signature, or the handle it sent
    // (the overview refreshes on its own clock: its row may lag the card by one refresh)
    for (const operator of signers) {
      const row = page.locator(`tr[data-operator-row="${operator}"]`);
      const activity = /(signed|sent the handle of) parent:0, \d+ (s|min) ago \(tx 0x/;
      await row.filter({ hasText: activity }).waitFor({ timeout: REFRESH_WAIT_MS }).catch(() => undefined);
      expect(await row.textContent()).to.match(activity).and.match(/10000\.0 KLAY|9999\.\d+ KLAY/);
    }
    expect(consoleErrors).to.deep.equal([]);
  });

  it("searches by nonce and by address from the box, and says what it takes when the query is not one", async function () {
    const user = pair.parent.signers[10];
    const other = pair.parent.signers[11];
    const bridge = pair.parent.bridge.connect(user);
    await (await bridge.requestKLAYTransfer(user.address, ONE, "0x", { value: ONE })).wait();
    await (await bridge.requestKLAYTransfer(other.address, 2n * ONE, "0x", { value: 2n * ONE })).wait();
    await (await pair.child.bridge.connect(pair.child.signers[11]).requestKLAYTransfer(other.address, 3n * ONE, "0x", { value: 3n * ONE })).wait();
    await page.goto(server!.url);
    await page.locator('#pending tr[data-transfer="child:0"]').waitFor();

    await search("parent:1");
    await card("parent:1").waitFor();
    expect(await page.locator("article[data-transfer]").count()).to.equal(1);
    expect(await card("parent:1").locator("[data-amount]").textContent()).to.equal("2.0 KLAY");
    expect(new URL(page.url()).searchParams.get("q")).to.equal("parent:1");

    await search(other.address.toLowerCase()); // the recipient of parent:1 and the requester and recipient of child:0
    await card("child:0").waitFor();
    const found = await page.locator("article[data-transfer]").evaluateAll((items: Attributed[]) => items.map((item) => item.getAttribute("data-transfer")));
    expect(found.sort()).to.deep.equal(["child:0", "parent:1"]);

    await search("child:7");
    await page.locator("#result-title", { hasText: "No transfer found for child:7" }).waitFor();
    await search("nonsense");
    await page.locator("#search-error", { hasText: "request tx hash, parent:NONCE or child:NONCE, or an address" }).waitFor();
    expect(await page.locator("article[data-transfer]").count()).to.equal(0);
    expect(consoleErrors).to.deep.equal([]);
  });

  it("shows a failed transfer with its decoded reason, then its cancellation and refund", async function () {
    const user = pair.parent.signers[10];
    const bridge = pair.parent.bridge.connect(user);
    // more than the lock-mode child bridge holds (1000): its payout fails
    await (await pair.parent.kip7.transfer(user.address, 1000n * ONE)).wait();
    await (await pair.parent.kip7.connect(user).approve(await bridge.getAddress(), 1500n * ONE)).wait();
    await (await bridge.requestERC20Transfer(await pair.parent.kip7.getAddress(), user.address, 1500n * ONE, 0, "0x")).wait();
    const list = await relayers();
    await stepAll(list, 1);

    await page.goto(`${server!.url}?q=parent:0`);
    await card("parent:0").locator('[data-state="failed"]').waitFor();
    expect(await card("parent:0").locator("[data-amount]").textContent()).to.equal("1500.0 PK7");
    expect(await card("parent:0").locator(".reason").textContent()).to.match(/^Failed: ERC20InsufficientBalance\(/);
    expect(await card("parent:0").locator('li[data-step="failed"] [data-reason]').textContent()).to.match(/^ERC20InsufficientBalance\(/);
    expect(await page.locator('#failed tr[data-transfer="parent:0"]').textContent()).to.match(/ERC20InsufficientBalance/);

    // the relayers retry once, then cancel on the child and refund on the parent
    for (let round = 0; round < 6; round++) {
      clock += 2000;
      await stepAll(list);
    }
    await card("parent:0").locator('[data-state="refunded"]').waitFor({ timeout: REFRESH_WAIT_MS });
    const steps = await stepsOf("parent:0");
    expect(steps.slice(0, 4)).to.deep.equal(["requested", "confirmed", "signed", "failed"]);
    expect(steps.slice(-2)).to.deep.equal(["cancelled", "refunded"]);
    expect(await card("parent:0").locator('li[data-step="refunded"]').textContent()).to.contain(`to ${user.address}`);
    expect(await page.locator('#failed tr[data-transfer="parent:0"]').count()).to.equal(0);
    expect(consoleErrors).to.deep.equal([]);
  });
});
