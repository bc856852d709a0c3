/**
 * The network page's server: Node's `http` on the loopback interface only, serving the page's static
 * files and the JSON it renders, and telling open pages about new blocks with Server-Sent Events.
 *
 *   GET /                         the page (views are hash routes: #/health, #/swarms, #/node/7, …)
 *   GET /api/block                the head block the server has seen, and the chain id
 *   GET /api/health               network health (PIP-0008 §4.1) and the fee multiplier
 *   GET /api/swarms               every swarm with its members
 *   GET /api/swarms/<id>          one swarm with its members
 *   GET /api/nodes?from=&count=   a page of nodes (the lens's `nodes`)
 *   GET /api/nodes/<id>           a node's page
 *   GET /api/inbox/<0x…32 bytes>  the swarm serving an inbox, its nodes' endpoints and verified keys
 *   GET /api/fees                 swarm fee pools, the treasury's share, utilisation, sessions
 *   GET /api/events               Server-Sent Events: `block` with {"block": n} on every new head
 *
 * Every JSON answer carries `block`; `?block=<n>` asks for an earlier one. The server follows the chain
 * by polling `eth_blockNumber`. The page loads nothing from elsewhere (its Content-Security-Policy
 * allows only its own origin).
 */
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import type { AddressInfo } from "net";
import type { Provider } from "ethers";
import { BadRequest, ExplorerReader, NotFound, toJson, type ExplorerAddresses } from "./reader";

export interface ExplorerServerOptions {
  provider: Provider;
  addresses: ExplorerAddresses;
  /** First block of the deployment (events are read from there). */
  fromBlock?: number;
  /** TCP port on 127.0.0.1 (0: any free port). Default 4173. */
  port?: number;
  /** How often to ask for the head block, ms. Default 500. */
  pollMs?: number;
  /** The folder with the page's files (index.html, app.js, style.css). Default: the repository's `explorer/`. */
  assetsDir?: string;
  /** Names the network in the page's title. */
  networkName?: string;
}

export interface RunningExplorer {
  url: string;
  port: number;
  reader: ExplorerReader;
  close(): Promise<void>;
}

export const DEFAULT_EXPLORER_PORT = 4173;

const ROOTS = [path.resolve(__dirname, "..", ".."), path.resolve(__dirname, "..", "..", "..")];

function defaultAssetsDir(): string | undefined {
  for (const root of ROOTS) {
    const dir = path.join(root, "explorer");
    if (fs.existsSync(path.join(dir, "index.html"))) return dir;
  }
  return undefined;
}

/** uPlot's browser build, when the package is installed (the page draws its chart with it). */
function vendorFile(name: "uplot.js" | "uplot.css"): string | undefined {
  try {
    const dist = path.dirname(require.resolve("uplot/package.json"));
    return path.join(dist, "dist", name === "uplot.js" ? "uPlot.iife.min.js" : "uPlot.min.css");
  } catch {
    return undefined;
  }
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

const SECURITY_HEADERS = {
  "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
};

/** Starts the explorer; resolves once it listens on 127.0.0.1. */
export async function startExplorer(options: ExplorerServerOptions): Promise<RunningExplorer> {
  const reader = new ExplorerReader(options.provider, { addresses: options.addresses, fromBlock: options.fromBlock });
  const assets = options.assetsDir ?? defaultAssetsDir();
  const chainId = Number((await options.provider.getNetwork()).chainId);
  let head = await options.provider.getBlockNumber();
  // The events are scanned on the first request (and at every new block), not before listening: on a
  // long chain the first scan takes a while, and the server answers meanwhile.
  void reader.sync(head).catch(() => undefined);
  const clients = new Set<http.ServerResponse>();

  const sendJson = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", ...SECURITY_HEADERS });
    res.end(toJson(body, 2));
  };
  const sendFile = (res: http.ServerResponse, file: string | undefined) => {
    if (!file || !fs.existsSync(file)) return sendJson(res, 404, { error: "not found" });
    res.writeHead(200, { "Content-Type": TYPES[path.extname(file)] ?? "application/octet-stream", "Cache-Control": "no-cache", ...SECURITY_HEADERS });
    fs.createReadStream(file).pipe(res);
  };

  const api = async (route: string[], query: URLSearchParams): Promise<unknown> => {
    const blockParam = query.get("block");
    let block: number | undefined;
    if (blockParam !== null) {
      if (!/^\d+$/.test(blockParam)) throw new BadRequest(`block must be a block number, got "${blockParam}"`);
      block = Number(blockParam);
    }
    const int = (s: string, what: string) => {
      if (!/^\d+$/.test(s)) throw new BadRequest(`${what} must be a whole number, got "${s}"`);
      return Number(s);
    };
    const [what, arg, extra] = route;
    if (extra !== undefined) throw new NotFound(`no route /api/${route.join("/")}`);
    switch (what) {
      case "block":
        if (arg === undefined) return { block: head, chainId, network: options.networkName ?? null, addresses: options.addresses };
        break;
      case "health":
        if (arg === undefined) return reader.health(block);
        break;
      case "swarms":
        return arg === undefined ? reader.swarmsView(block) : reader.swarm(int(arg, "swarm id"), block);
      case "nodes":
        if (arg === undefined) return reader.nodes(int(query.get("from") ?? "1", "from"), int(query.get("count") ?? "100", "count"), block);
        return reader.node(int(arg, "node id"), block);
      case "inbox":
        if (arg !== undefined) return reader.inbox(arg, block);
        break;
      case "fees":
        if (arg === undefined) return reader.fees(block);
        break;
    }
    throw new NotFound(`no route /api/${route.join("/")}`);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method !== "GET" && req.method !== "HEAD") return sendJson(res, 405, { error: "only GET" });
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    if (parts[0] === "api" && parts[1] === "events") {
      res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-store", Connection: "keep-alive", ...SECURITY_HEADERS });
      res.write(`retry: 1000\nevent: block\ndata: ${JSON.stringify({ block: head })}\n\n`);
      clients.add(res);
      req.on("close", () => clients.delete(res));
      return;
    }
    if (parts[0] === "api") {
      api(parts.slice(1), url.searchParams).then(
        (body) => sendJson(res, 200, body),
        (e: unknown) => {
          const status = e instanceof NotFound ? 404 : e instanceof BadRequest ? 400 : 500;
          sendJson(res, status, { error: (e as Error).message });
        },
      );
      return;
    }
    if (!assets) return sendJson(res, 404, { error: "the page's files are not installed; the JSON is under /api/" });
    if (parts.length === 0) return sendFile(res, path.join(assets, "index.html"));
    if (parts[0] === "vendor" && (parts[1] === "uplot.js" || parts[1] === "uplot.css") && parts.length === 2) return sendFile(res, vendorFile(parts[1]));
    if (parts.length === 1 && /^[a-z0-9-]+\.(js|css|html|svg)$/.test(parts[0])) return sendFile(res, path.join(assets, parts[0]));
    return sendJson(res, 404, { error: "not found" });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? DEFAULT_EXPLORER_PORT, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  let polling = false;
  const timer = setInterval(() => {
    if (polling) return;
    polling = true;
    options.provider
      .getBlockNumber()
      .then(async (n) => {
        if (n === head) return;
        await reader.sync(n);
        head = n;
        const msg = `event: block\ndata: ${JSON.stringify({ block: n })}\n\n`;
        for (const c of clients) c.write(msg);
      })
      .catch(() => undefined) // a node that hiccups is asked again at the next tick
      .finally(() => {
        polling = false;
      });
  }, options.pollMs ?? 500);
  timer.unref?.();

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    reader,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        for (const c of clients) c.end();
        clients.clear();
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}

/** The explorer's addresses from a deployment record's contracts (NodeLens required). */
export function explorerAddressesOf(contracts: Record<string, { address: string } | undefined>): ExplorerAddresses {
  const need = (name: string) => {
    const c = contracts[name];
    if (!c) throw new Error(`${name} is not in the deployment: the network page needs it`);
    return c.address;
  };
  return {
    NodeLens: need("NodeLens"),
    NodeDirectory: need("NodeDirectory"),
    ServiceNodeRegistry: need("ServiceNodeRegistry"),
    SwarmCoordinator: need("SwarmCoordinator"),
    ServiceNodeRewards: need("ServiceNodeRewards"),
    StorageCommitment: contracts.StorageCommitment?.address,
    SessionBridge: contracts.SessionBridge?.address,
  };
}
