// The SSRF-safe fetcher against real loopback servers: it reaches loopback only when allowed, refuses
// private addresses (literal or behind a name) before connecting, connects to the address it checked
// without resolving the name again, follows no redirect, stops reading past the size limit, and gives
// up at the time limit wherever the time goes (lookup, headers, a dribbling body).
import dns from "node:dns";

import { afterAll, afterEach, describe, expect, it, vi } from "vitest";

import { startUpstream, type Upstream } from "@/lib/testing";

import { fetchPublic, PublicFetchError, type PublicFetchOptions } from "./public-fetch";

const OPTS: PublicFetchOptions = { allowLoopback: true, timeoutMs: 1_000, maxBytes: 5 * 1024, accept: "application/json" };
const servers: Upstream[] = [];

async function serve(handler: Parameters<typeof startUpstream>[0]): Promise<Upstream> {
  const server = await startUpstream(handler);
  servers.push(server);
  return server;
}

const json = await serve((req, res) => {
  if (req.url === "/redirect") return void res.writeHead(302, { location: "/doc" }).end();
  if (req.url === "/big") return void res.writeHead(200, { "content-type": "application/json", "content-length": "100000" }).end("{}");
  if (req.url === "/chunked") {
    res.writeHead(200, { "content-type": "application/json" });
    for (let i = 0; i < 20; i++) res.write("x".repeat(1024));
    return void res.end();
  }
  if (req.url === "/gzip") return void res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" }).end("{}");
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true, host: req.headers.host }));
});
const port = new URL(json.url).port;

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function refusal(promise: Promise<unknown>): Promise<PublicFetchError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PublicFetchError);
  return error as PublicFetchError;
}

describe("fetchPublic", () => {
  it("fetches from loopback when allowed (demo mode)", async () => {
    const answer = await fetchPublic(new URL(`${json.url}/doc`), OPTS);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body.toString())).toMatchObject({ ok: true });
  });

  it("refuses loopback, over http or https, when not allowed, without connecting", async () => {
    const before = json.requests();
    expect((await refusal(fetchPublic(new URL(`${json.url}/doc`), { ...OPTS, allowLoopback: false }))).reason).toBe("url");
    expect((await refusal(fetchPublic(new URL(`https://127.0.0.1:${port}/doc`), { ...OPTS, allowLoopback: false }))).reason).toBe("address");
    expect((await refusal(fetchPublic(new URL(`https://[::1]:${port}/doc`), { ...OPTS, allowLoopback: false }))).reason).toBe("address");
    expect(json.requests()).toBe(before);
  });

  it("refuses plain http to anything but loopback, even in demo mode", async () => {
    expect((await refusal(fetchPublic(new URL("http://8.8.8.8/doc"), OPTS))).reason).toBe("url");
    expect((await refusal(fetchPublic(new URL("http://user:pw@127.0.0.1/doc"), OPTS))).reason).toBe("url");
  });

  it.each(["10.0.0.1", "192.168.1.20", "169.254.169.254", "[::ffff:10.0.0.1]", "[::ffff:a9fe:a9fe]", "[fd00::1]", "[fe80::1]", "0.0.0.0", "224.0.0.251"])(
    "refuses the private address %s before connecting",
    async (host) => {
      const lookup = vi.spyOn(dns.promises, "lookup");
      const error = await refusal(fetchPublic(new URL(`https://${host}/client.json`), OPTS));
      expect(error.reason).toBe("address");
      expect(error.message).toMatch(/private or local address/);
      expect(lookup).not.toHaveBeenCalled();
    },
  );

  it("refuses a name that resolves to a private address, or to a public and a private one", async () => {
    const lookup = vi.spyOn(dns.promises, "lookup");
    lookup.mockResolvedValueOnce([{ address: "10.1.2.3", family: 4 }] as never);
    expect((await refusal(fetchPublic(new URL("https://internal.example.test/client.json"), OPTS))).message).toMatch(/resolves to a private or local address/);
    lookup.mockResolvedValueOnce([
      { address: "93.184.216.34", family: 4 },
      { address: "::ffff:192.168.0.1", family: 6 },
    ] as never);
    expect((await refusal(fetchPublic(new URL("https://rebind.example.test/client.json"), OPTS))).reason).toBe("address");
    expect(lookup).toHaveBeenCalledWith("rebind.example.test", { all: true, verbatim: true });
  });

  it("connects to the address it checked and never resolves the name again", async () => {
    // The name resolves once, to the loopback server; a second resolution would be the callback API.
    const lookup = vi.spyOn(dns.promises, "lookup").mockResolvedValue([{ address: "127.0.0.1", family: 4 }] as never);
    const again = vi.spyOn(dns, "lookup");
    const answer = await fetchPublic(new URL(`http://localhost:${port}/doc`), OPTS);
    expect(JSON.parse(answer.body.toString())).toMatchObject({ ok: true, host: `localhost:${port}` });
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(again).not.toHaveBeenCalled();
  });

  it("does not follow a redirect", async () => {
    const before = json.requests();
    const answer = await fetchPublic(new URL(`${json.url}/redirect`), OPTS);
    expect(answer.status).toBe(302);
    expect(json.requests()).toBe(before + 1);
  });

  it("refuses an answer declared larger than the limit, and stops reading one that grows past it", async () => {
    expect((await refusal(fetchPublic(new URL(`${json.url}/big`), OPTS))).reason).toBe("too_large");
    const error = await refusal(fetchPublic(new URL(`${json.url}/chunked`), OPTS));
    expect(error.reason).toBe("too_large");
    expect(error.message).toBe("it is larger than 5 KB");
  });

  it("refuses an encoded answer it did not ask for", async () => {
    expect((await refusal(fetchPublic(new URL(`${json.url}/gzip`), OPTS))).reason).toBe("encoding");
  });

  it("gives up at the time limit: no headers, a dribbling body, or a lookup that hangs", async () => {
    const silent = await serve(() => undefined);
    const dribble = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      const timer = setInterval(() => res.write(" "), 50);
      res.on("close", () => clearInterval(timer));
    });
    const fast = { ...OPTS, timeoutMs: 300 };
    for (const url of [`${silent.url}/doc`, `${dribble.url}/doc`]) {
      const started = Date.now();
      expect((await refusal(fetchPublic(new URL(url), fast))).reason).toBe("timeout");
      expect(Date.now() - started).toBeLessThan(2_000);
    }
    vi.spyOn(dns.promises, "lookup").mockReturnValue(new Promise(() => undefined) as never);
    expect((await refusal(fetchPublic(new URL("https://slow-dns.example.test/doc"), fast))).message).toBe("it did not answer within 0.3 seconds");
  });

  it("says so when the server is not there", async () => {
    const gone = await serve(() => undefined);
    const url = `${gone.url}/doc`;
    await gone.close();
    expect((await refusal(fetchPublic(new URL(url), OPTS))).reason).toBe("network");
  });
});
