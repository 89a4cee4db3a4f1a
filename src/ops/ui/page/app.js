// The status page: reads /api/overview and /api/search (the same JSON anyone can fetch) and renders them; refreshes
// itself. Plain DOM, no dependencies; text goes in through textContent only.
"use strict";

const REFRESH_MS = 4000;
const STEP_NAMES = {
  requested: "requested", confirmed: "confirmed", signed: "signed", handled: "handled", failed: "failed",
  held: "held", retried: "retried", released: "released", cancelled: "cancelled", refunded: "refunded",
};
let overview;
let query = new URLSearchParams(location.search).get("q") ?? "";

const $ = (id) => document.getElementById(id);
/** What the search takes (the server says the same on /api/search). */
const QUERY = /^(0x[0-9a-fA-F]{64}|0x[0-9a-fA-F]{40}|(parent|child):\d+)$/i;
const QUERY_HINT = "enter a request tx hash, parent:NONCE or child:NONCE, or an address";

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    if (name === "class") node.className = value;
    else node.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

const short = (hex) => (/^0x[0-9a-fA-F]{40}([0-9a-fA-F]{24})?$/.test(hex) ? `${hex.slice(0, 6)}…${hex.slice(-4)}` : hex);

/** A hash or address that looks itself up when clicked. */
function lookup(value, label = short(value)) {
  return el("a", { href: `?q=${encodeURIComponent(value)}`, title: value, class: "mono", "data-q": value }, label);
}

function when(seconds) {
  return new Date(seconds * 1000).toISOString().replace("T", " ").slice(0, 19) + " UTC";
}

function age(seconds) {
  const s = Math.max(0, Math.floor(Date.now() / 1000 - seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

const badge = (state) => el("span", { class: `state state-${state}`, "data-state": state }, state);

function stepItem(step) {
  const what = [];
  if (step.kind === "signed") {
    what.push(`by ${step.signatures.length} operator${step.signatures.length === 1 ? "" : "s"}: `);
    step.signatures.forEach((signature, i) => {
      if (i > 0) what.push(", ");
      what.push(el("span", { "data-operator": signature.operator }, lookup(signature.operator)), " (tx ", lookup(signature.txHash), ")");
    });
  } else {
    if (step.detail) what.push(step.kind === "failed" ? el("span", { class: "error", "data-reason": "" }, step.detail) : step.detail);
    if (step.txHash) what.push(what.length ? " — tx " : "tx ", lookup(step.txHash));
    if (step.sender) what.push(" sent by ", lookup(step.sender));
  }
  return el(
    "li",
    { class: `step-${step.kind}`, "data-step": step.kind },
    el("span", { class: "step-name" }, STEP_NAMES[step.kind] ?? step.kind),
    el("span", { class: "step-time" }, `${when(step.time)} · on ${step.side} · block ${step.block}`),
    what.length ? el("div", { class: "step-detail" }, what) : undefined,
  );
}

/** What a pending transfer waits for next. */
function waiting(transfer) {
  if (transfer.state !== "pending") return undefined;
  const kinds = transfer.steps.map((step) => step.kind);
  const threshold = overview?.[transfer.to]?.threshold;
  const text = !kinds.includes("confirmed")
    ? `waiting for confirmations on ${transfer.from}`
    : transfer.missing
      ? "skipped while a later request was handled: waiting to be re-relayed"
      : `waiting for the operators' signatures on ${transfer.to}${threshold ? ` (${threshold} needed)` : ""}`;
  return el("li", { class: "step-waiting", "data-step": "waiting" }, el("span", { class: "step-name" }, "waiting"), el("div", { class: "step-detail" }, text));
}

function transferCard(transfer) {
  return el(
    "article",
    { class: "transfer", "data-transfer": transfer.id },
    el("h3", {}, `${transfer.from} → ${transfer.to} · nonce ${transfer.nonce}`, badge(transfer.state), el("span", { "data-amount": "" }, transfer.amount)),
    el("p", { class: "facts" }, "from ", lookup(transfer.requester), " to ", lookup(transfer.recipient), ` · requested ${age(transfer.requestedAt)} ago · request tx `, lookup(transfer.requestTx)),
    transfer.reason ? el("p", { class: "reason" }, `Failed: ${transfer.reason}`) : undefined,
    el("ol", { class: "timeline" }, transfer.steps.map(stepItem), waiting(transfer)),
  );
}

function table(id, head, rows, empty) {
  const node = $(id);
  node.replaceChildren(
    el("thead", {}, el("tr", {}, head.map((title) => el("th", {}, title)))),
    el("tbody", {}, rows.length ? rows : el("tr", {}, el("td", { colspan: String(head.length), class: "empty" }, empty))),
  );
}

function transferRow(transfer) {
  return el(
    "tr",
    { "data-transfer": transfer.id },
    el("td", {}, el("a", { href: `?q=${transfer.id}`, "data-q": transfer.id }, transfer.id)),
    el("td", {}, badge(transfer.state)),
    el("td", {}, transfer.amount),
    el("td", {}, lookup(transfer.requester), " → ", lookup(transfer.recipient)),
    el("td", {}, age(transfer.requestedAt)),
    el("td", {}, transfer.reason ?? (transfer.missing ? "missing: skipped, needs re-relaying" : "")),
  );
}

function renderOverview() {
  const o = overview;
  $("pair-name").textContent = `${o.pair} (${o.mode})`;
  const chain = (label, c) => `${label} ${c.network} (chain ${c.chainId}) block ${c.headBlock}, ${c.running ? "running" : "STOPPED"}, holds ${c.balance}`;
  $("chains").textContent = `${chain("parent", o.parent)} · ${chain("child", o.child)}`;
  $("updated").textContent = `${o.directions.map((d) => `${d.from} → ${d.to}: ${d.requested} requested, ${d.handled} handled, ${d.pending} pending`).join(" · ")} · read ${when(o.readAt)}`;
  const head = ["transfer", "state", "amount", "from → to", "age", ""];
  for (const list of ["pending", "failed", "held"]) {
    $(`${list}-count`).textContent = `(${o[list].length})`;
    table(list, head, o[list].map(transferRow), `no ${list} transfers`);
  }
  table(
    "operators",
    ["operator", "of", "balance (parent)", "balance (child)", "last activity"],
    o.operators.map((operator) =>
      el(
        "tr",
        { "data-operator-row": operator.address },
        el("td", {}, lookup(operator.address, operator.address)),
        el("td", {}, operator.roles.join(", ")),
        el("td", {}, operator.balances.parent),
        el("td", {}, operator.balances.child),
        el("td", {}, operator.lastActivity ? [`${operator.lastActivity.what}, ${age(operator.lastActivity.time)} ago (tx `, lookup(operator.lastActivity.txHash), ")"] : "none yet"),
      ),
    ),
    "no operators",
  );
  const a = o.anchoring;
  $("anchoring").textContent =
    a.latestAnchoredBlock === undefined
      ? `no anchor yet; receiver ${a.receiver}, threshold ${a.threshold}`
      : `latest anchored child block ${a.latestAnchoredBlock} of ${a.childHeadBlock} (${a.childHeadBlock - Number(a.latestAnchoredBlock)} behind); receiver ${a.receiver}, threshold ${a.threshold}`;
  table(
    "anchors",
    ["child block", "block hash", "blocks", "txs", "state root"],
    a.anchors.map((anchor) =>
      el("tr", {}, el("td", {}, String(anchor.blockNumber)), el("td", { class: "mono", title: anchor.blockHash }, short(anchor.blockHash)), el("td", {}, String(anchor.blockCount)), el("td", {}, String(anchor.txCount)), el("td", { class: "mono", title: anchor.stateRoot }, short(anchor.stateRoot))),
    ),
    "no anchors yet",
  );
}

async function getJson(path) {
  const response = await fetch(path, { cache: "no-store" });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ?? `${response.status}`);
  return body;
}

async function renderSearch() {
  const error = $("search-error");
  if (query === "") {
    $("result").hidden = true;
    error.hidden = true;
    return;
  }
  if (!QUERY.test(query)) {
    $("result").hidden = true;
    error.hidden = false;
    error.textContent = `"${query}" is not something to look up: ${QUERY_HINT}`;
    return;
  }
  try {
    const result = await getJson(`/api/search?q=${encodeURIComponent(query)}`);
    error.hidden = true;
    $("result").hidden = false;
    const n = result.transfers.length;
    $("result-title").textContent = n === 0 ? `No transfer found for ${query}` : `${n} transfer${n === 1 ? "" : "s"} for ${query}`;
    $("transfers").replaceChildren(...result.transfers.map(transferCard));
  } catch (failure) {
    $("result").hidden = true;
    error.hidden = false;
    error.textContent = failure.message;
  }
}

async function refresh() {
  try {
    overview = await getJson("/api/overview");
    renderOverview();
    await renderSearch();
    document.body.dataset.loaded = String(overview.readAt);
  } catch (failure) {
    $("updated").textContent = `cannot read the chains now: ${failure.message}; retrying`;
  }
}

function search(value) {
  query = value.trim();
  $("q").value = query;
  history.replaceState(null, "", query === "" ? location.pathname : `?q=${encodeURIComponent(query)}`);
  return refresh();
}

document.addEventListener("DOMContentLoaded", () => {
  $("q").value = query;
  $("search").addEventListener("submit", (event) => {
    event.preventDefault();
    void search($("q").value);
  });
  document.body.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-q]");
    if (link === null || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    window.scrollTo(0, 0);
    void search(link.dataset.q);
  });
  void refresh();
  setInterval(() => void refresh(), REFRESH_MS);
});
