// Loopback HTTP servers for tests, on a random port of 127.0.0.1, each counting the requests it got:
// an upstream a test scripts by hand (a provider API that misbehaves), and a server in front of App
// Router route handlers, for tests where a stock client (oauth4webapi, jose's remote JWKS, the MCP
// SDK) must talk HTTP to the vault: node requests become Fetch API `Request`s, handler `Response`s
// are written back. Route paths are the app's, matched exactly.
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

type Handler = (req: Request) => Promise<Response> | Response;
export type Routes = Record<string, Partial<Record<"GET" | "POST" | "PUT" | "PATCH" | "DELETE", Handler>>>;
export type RouteServer = { url: string; requests: () => number; close: () => Promise<void> };
export type Upstream = RouteServer;

const MAX_BODY_BYTES = 1024 * 1024;

/** Listens on a random loopback port; `close` also drops kept-alive connections, so it never hangs. */
async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<RouteServer> {
  let count = 0;
  const server = http.createServer((req, res) => {
    count++;
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A server whose answers the test writes itself, given each request with its whole body. */
export function startUpstream(handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void>): Promise<Upstream> {
  return listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      Promise.resolve(handler(req, res, Buffer.concat(chunks))).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
  });
}

export function startRouteServer(routes: Routes): Promise<RouteServer> {
  return listen((req, res) => {
    void serve(routes, req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(`route server: ${(e as Error).message}`);
    });
  });
}

async function serve(routes: Routes, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const host = req.headers.host ?? "127.0.0.1";
  const url = new URL(req.url ?? "/", `http://${host}`);
  const method = (req.method ?? "GET").toUpperCase() as keyof Routes[string];
  const path = url.pathname;
  const handler = routes[path]?.[method];
  if (!handler) {
    res.writeHead(routes[path] ? 405 : 404, { "content-type": "text/plain" }).end("not served here");
    return;
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) value.forEach((v) => headers.append(name, v));
    else if (value !== undefined) headers.set(name, value);
  }
  const body = method === "GET" || method === "DELETE" ? undefined : await readBody(req);
  const response = await handler(new Request(url, { method, headers, body }));
  const out: Record<string, string> = {};
  response.headers.forEach((value, name) => (out[name] = value));
  res.writeHead(response.status, out);
  res.end(Buffer.from(await response.arrayBuffer()));
}

async function readBody(req: http.IncomingMessage): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error("request body too large");
    chunks.push(chunk as Buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}
