// A real loopback HTTP server in front of App Router route handlers, for tests where a stock client
// (oauth4webapi, jose's remote JWKS) must talk HTTP to the vault: node requests become Fetch API
// `Request`s, handler `Response`s are written back. Paths are the app's route paths, matched exactly.
import http from "node:http";
import type { AddressInfo } from "node:net";

type Handler = (req: Request) => Promise<Response> | Response;
export type Routes = Record<string, Partial<Record<"GET" | "POST" | "PUT" | "PATCH" | "DELETE", Handler>>>;
export type RouteServer = { url: string; requests: () => number; close: () => Promise<void> };

const MAX_BODY_BYTES = 1024 * 1024;

export async function startRouteServer(routes: Routes): Promise<RouteServer> {
  let count = 0;
  const server = http.createServer((req, res) => {
    count++;
    void serve(routes, req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(`route server: ${(e as Error).message}`);
    });
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
