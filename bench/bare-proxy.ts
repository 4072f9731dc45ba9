// The bench's baseline proxy: a bare Node HTTP server that forwards each request to the upstream
// over keep-alive connections and only adds a static Authorization header. No authentication, no
// policy, no audit, no decryption: what any reverse proxy costs. Runs as its own process (like the
// portal) so the bench compares two proxies under the same conditions. Started by bench/run.ts
// through fork(); it receives { upstream, token } over IPC (never argv) and answers { port }.
import http from "node:http";
import type { AddressInfo } from "node:net";

type Start = { upstream: string; token: string };

const HOP_BY_HOP = ["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer", "host", "authorization"];

function start({ upstream, token }: Start): void {
  const target = new URL(upstream);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(target.hostname)) throw new Error("the bench proxy only forwards to loopback");
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512, maxFreeSockets: 512 });
  const authorization = `Bearer ${token}`;
  const server = http.createServer((req, res) => {
    const headers: http.OutgoingHttpHeaders = { ...req.headers };
    for (const h of HOP_BY_HOP) delete headers[h];
    headers.host = target.host;
    headers.authorization = authorization;
    const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent }, (ur) => {
      const out = { ...ur.headers };
      for (const h of ["connection", "keep-alive", "transfer-encoding"]) delete out[h];
      res.writeHead(ur.statusCode ?? 502, out);
      ur.pipe(res);
    });
    up.setTimeout(15_000, () => up.destroy(new Error("upstream timeout")));
    up.on("error", () => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end("bad gateway");
    });
    req.pipe(up);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => {
    process.send?.({ port: (server.address() as AddressInfo).port });
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 2_000).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  // The bench went away: so does its proxy.
  process.on("disconnect", stop);
}

process.once("message", (msg: Start) => {
  try {
    start(msg);
  } catch (e) {
    console.error(`bench proxy: ${(e as Error).message}`);
    process.exit(1);
  }
});
