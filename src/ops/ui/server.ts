/**
 * `bridge ui`: the status page and its JSON API, served with node:http on 127.0.0.1. Every answer is read from the
 * chains (no database of its own); reads that arrive together share one pass over the chains.
 *
 *   GET /                       the page (page/index.html, page/app.js, page/style.css: shipped with the package)
 *   GET /api/overview           the pair: chains, pending / failed / held transfers, operators, anchors
 *   GET /api/search?q=QUERY     transfers a tx hash, `parent:N` / `child:N` or an address names, with their timelines
 *   GET /api/transfer/SIDE/N    one transfer's timeline
 */
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

import { BridgeTaskError } from "../../errors.js";
import type { ConnectedPair } from "../../pair.js";
import { BlockTimes, type TransferView } from "./history.js";
import { readOverview, type Overview } from "./overview.js";
import { searchTransfers } from "./search.js";

/** The page's files, beside this module in the source tree and in the built package alike. */
export const PAGE_DIRECTORY = fileURLToPath(new URL("./page/", import.meta.url));

const ASSETS: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/index.html": { file: "index.html", type: "text/html; charset=utf-8" },
  "/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/style.css": { file: "style.css", type: "text/css; charset=utf-8" },
};

/** How long one read of the chains answers further requests (the page refreshes every few seconds). */
const READ_REUSE_MS = 1000;

export interface StatusPageOptions {
  /** 0: any free port. Default 8080. */
  port?: number;
  host?: string;
}

export interface StatusPage {
  url: string;
  port: number;
  close(): Promise<void>;
}

function json(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  response.end(text);
}

/** Serves the status page of `pair` until closed. */
export async function startStatusPage(pair: ConnectedPair, options: StatusPageOptions = {}): Promise<StatusPage> {
  const times = new BlockTimes();
  let latest: { at: number; read: Promise<{ overview: Overview; views: TransferView[] }> } | undefined;
  const read = () => {
    if (latest === undefined || Date.now() - latest.at > READ_REUSE_MS) {
      const pass = readOverview(pair, times);
      latest = { at: Date.now(), read: pass };
      pass.catch(() => {
        if (latest?.read === pass) latest = undefined;
      });
    }
    return latest.read;
  };

  async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://localhost");
    if (request.method !== "GET" && request.method !== "HEAD") return json(response, 405, { error: "only GET" });
    const asset = ASSETS[url.pathname];
    if (asset !== undefined) {
      const body = await readFile(`${PAGE_DIRECTORY}${asset.file}`);
      response.writeHead(200, { "content-type": asset.type, "cache-control": "no-cache" });
      response.end(body);
      return;
    }
    if (url.pathname === "/api/overview") return json(response, 200, (await read()).overview);
    if (url.pathname === "/api/search") return json(response, 200, searchTransfers((await read()).views, url.searchParams.get("q") ?? ""));
    const transfer = /^\/api\/transfer\/(parent|child)\/(\d+)$/.exec(url.pathname);
    if (transfer !== null) {
      const found = searchTransfers((await read()).views, `${transfer[1]}:${transfer[2]}`).transfers[0];
      if (found === undefined) return json(response, 404, { error: `no request ${transfer[2]} on the ${transfer[1]} bridge` });
      return json(response, 200, found);
    }
    json(response, 404, { error: `no such page: ${url.pathname}` });
  }

  const server = createServer((request, response) => {
    answer(request, response).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (!response.headersSent) json(response, error instanceof BridgeTaskError ? 400 : 500, { error: message });
      else response.end();
    });
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new BridgeTaskError(`port: ${host}:${options.port ?? 8080} is in use; hint: choose another with --port`, { cause: error })
          : error,
      ),
    );
    server.listen(options.port ?? 8080, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
