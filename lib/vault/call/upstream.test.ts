// A provider that closes an idle kept-alive connection just as the vault reuses it: the request,
// which never reached the provider, goes again on a fresh socket, so an agent sees the answer and
// not a 502. A reset on a fresh socket, or after the provider began answering, is not retried.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";

import { sendUpstream } from "@/lib/vault/call/upstream";

let server: http.Server | null = null;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

async function listen(handler: http.RequestListener): Promise<{ url: URL; sockets: () => number; requests: () => number }> {
  let sockets = 0;
  let requests = 0;
  server = http.createServer((req, res) => {
    requests += 1;
    handler(req, res);
  });
  server.on("connection", () => (sockets += 1));
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`), sockets: () => sockets, requests: () => requests };
}

const get = (url: URL) => sendUpstream(url, { method: "POST", headers: {}, body: "{}", timeoutMs: 5_000 });

describe("sendUpstream", () => {
  it("sends again on a fresh socket when a reused one was closed under it", async () => {
    const served = new WeakSet<object>();
    const p = await listen((req, res) => {
      // Each socket answers one request, then drops the next one without a word, like an idle timeout.
      if (served.has(req.socket)) return req.socket.destroy();
      served.add(req.socket);
      res.writeHead(200, { connection: "keep-alive" });
      res.end("ok");
    });
    const first = await get(p.url);
    expect((await first.read(1024)).toString()).toBe("ok");
    const second = await get(p.url);
    expect(second.status).toBe(200);
    expect((await second.read(1024)).toString()).toBe("ok");
    expect(p.sockets()).toBe(2);
    expect(p.requests()).toBe(3);
  });

  it("does not retry a reset on a fresh socket", async () => {
    const p = await listen((req) => req.socket.destroy());
    await expect(get(p.url)).rejects.toMatchObject({ code: "ECONNRESET" });
    expect(p.requests()).toBe(1);
  });
});
