/**
 * The relayer's HTTP endpoints for operators: `/metrics` (Prometheus text, read fresh at each scrape), `/live` (200
 * while the process runs) and `/ready` (200 while both chains answer and the scans keep up with the heads, 503 with
 * the reasons while not). It listens before the relayer starts, so that a port in use is refused before anything
 * else happens; until `observe` is called, `/ready` answers 503 ("starting").
 */
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";

import { BridgeTaskError } from "../errors.js";
import type { BridgeMetrics } from "./metrics.js";
import type { Health, RelayerObserver } from "./metrics-observer.js";

export const DEFAULT_METRICS_HOST = "127.0.0.1";

export interface MetricsServer {
  /** `http://host:port` */
  readonly url: string;
  /** Starts reading the gauges from `observer` (the relayer exists). */
  observe(observer: RelayerObserver): void;
  close(): Promise<void>;
}

function reply(response: ServerResponse, status: number, body: string, type = "text/plain; charset=utf-8"): void {
  response.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  response.end(body);
}

/** Listens on `host:port`; a port in use or a host that is not this machine's is one `BridgeTaskError` line. */
export async function startMetricsServer(metrics: BridgeMetrics, port: number, host = DEFAULT_METRICS_HOST): Promise<MetricsServer> {
  let observer: RelayerObserver | undefined;
  const health = async (): Promise<Health> =>
    observer === undefined ? { ready: false, reasons: ["starting: the relayer is not running yet"] } : observer.refresh();

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    if (request.method !== "GET" && request.method !== "HEAD") return reply(response, 405, "only GET\n");
    if (path === "/live") return reply(response, 200, "live\n");
    if (path === "/ready") {
      const { ready, reasons } = await health();
      return reply(response, ready ? 200 : 503, ready ? "ready\n" : `not ready: ${[...new Set(reasons)].join("; ")}\n`);
    }
    if (path === "/metrics") {
      await health();
      return reply(response, 200, await metrics.registry.metrics(), metrics.registry.contentType);
    }
    reply(response, 404, "not found: /metrics, /live or /ready\n");
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) reply(response, 500, `error: ${error instanceof Error ? error.message : String(error)}\n`);
      else response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      const where = `${host}:${port}`;
      if (error.code === "EADDRINUSE") {
        reject(new BridgeTaskError(`metrics-port: ${where} is in use; hint: choose another --metrics-port`, { cause: error }));
      } else if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND" || error.code === "EAI_AGAIN") {
        reject(new BridgeTaskError(`metrics-host: ${host} is not an address of this machine (default ${DEFAULT_METRICS_HOST})`, { cause: error }));
      } else if (error.code === "EACCES") {
        reject(new BridgeTaskError(`metrics-port: not allowed to listen on ${where}; hint: choose a port above 1023`, { cause: error }));
      } else {
        reject(new BridgeTaskError(`metrics-port: cannot listen on ${where}: ${error.message}`, { cause: error }));
      }
    });
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const boundPort = typeof address === "object" && address !== null ? address.port : port;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${boundPort}`,
    observe(next) {
      observer = next;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
