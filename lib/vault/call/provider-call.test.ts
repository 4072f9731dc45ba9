// callProvider against the real Demo Tasks provider and small loopback upstreams: 50 concurrent calls
// on an expired token cause one refresh, a 401 causes exactly one forced refresh and one retry,
// redirects are handed back without being followed, echoes of the tokens are scrubbed, and
// retries happen only where they are safe.
import { createHash } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { startUpstream, startVaultWorld, type Upstream } from "@/lib/testing";

const world = await startVaultWorld();
const { getDb } = await import("@/lib/db");
const { callProvider } = await import("@/lib/vault/call/provider-call");
const { REDACTED } = await import("@/lib/log/redact");
const { alice } = world.people;

let id = "";
const upstreams: Upstream[] = [];
const call = (url: string, extra: Partial<Parameters<typeof callProvider>[0]> = {}) =>
  callProvider({ tenantId: alice.tenantId, connectionId: id, method: "GET", url, ...extra });
async function upstream(handler: Parameters<typeof startUpstream>[0]) {
  const u = await startUpstream(handler);
  upstreams.push(u);
  return u;
}

beforeEach(async () => {
  // Every test starts from a live grant with a token valid for minutes.
  id = await world.connect();
});

afterAll(async () => {
  await Promise.all(upstreams.map((u) => u.close()));
  await world.provider.close();
});

describe("concurrency: one refresh for 50 calls", () => {
  it("the provider expired the access token (every call gets a 401 first)", async () => {
    expect((await world.control("/__test/expire-access-tokens")).status).toBe(200);
    const grants = world.stats().refreshGrants;
    const results = await Promise.all(Array.from({ length: 50 }, () => call(world.tasksUrl)));
    expect(world.stats().refreshGrants - grants).toBe(1);
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    for (const r of results) expect(JSON.parse(r.body.toString()).tasks.length).toBeGreaterThan(0);
    expect(results.every((r) => r.retriedAfter401)).toBe(true);
  });

  it("the stored token has expired (refreshed before the calls go out)", async () => {
    expect((await world.control("/__test/expire-access-tokens")).status).toBe(200);
    await world.setExpiresAt(id, new Date(Date.now() - 1000));
    const grants = world.stats().refreshGrants;
    const results = await Promise.all(Array.from({ length: 50 }, () => call(world.tasksUrl)));
    expect(world.stats().refreshGrants - grants).toBe(1);
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(results.some((r) => r.retriedAfter401)).toBe(false);
  });
});

describe("401 from the provider", () => {
  it("refreshes once and retries once, then succeeds", async () => {
    await world.control("/__test/expire-access-tokens");
    const grants = world.stats().refreshGrants;
    const res = await call(world.tasksUrl);
    expect(res).toMatchObject({ status: 200, attempts: 2, retriedAfter401: true });
    expect(world.stats().refreshGrants).toBe(grants + 1);
  });

  it("an upstream that always answers 401: exactly one forced refresh, one retry, and its 401 back", async () => {
    const u = await upstream((_req, res) => {
      res.writeHead(401, { "www-authenticate": 'Bearer error="invalid_token"' });
      res.end('{"error":"invalid_token"}');
    });
    const grants = world.stats().refreshGrants;
    const res = await call(`${u.url}/whatever`);
    expect(res.status).toBe(401);
    expect(res.attempts).toBe(2);
    expect(u.requests()).toBe(2);
    expect(world.stats().refreshGrants).toBe(grants + 1);
    // The refreshed token set is stored and works.
    expect((await call(world.tasksUrl)).status).toBe(200);
  });
});

describe("redirects are never followed", () => {
  it.each(["GET", "POST"])("a %s answered with 302/307 to a foreign listener: nothing reaches it, the 3xx comes back", async (method) => {
    const foreign = await upstream((_req, res) => {
      res.writeHead(200);
      res.end("stolen");
    });
    const redirecting = await upstream((req, res) => {
      res.writeHead(method === "GET" ? 302 : 307, { location: `${foreign.url}/collect?from=${encodeURIComponent(req.url ?? "")}` });
      res.end();
    });
    const res = await call(`${redirecting.url}/start`, {
      method,
      body: method === "POST" ? '{"x":1}' : undefined,
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(method === "GET" ? 302 : 307);
    expect(res.headers.location).toBe(`${foreign.url}/collect?from=%2Fstart`);
    expect(res.attempts).toBe(1);
    await new Promise((r) => setTimeout(r, 150));
    expect(foreign.requests()).toBe(0);
    expect(redirecting.requests()).toBe(1);
  });
});

describe("echoes of the tokens are scrubbed", () => {
  it("body and headers that echo the Authorization header, the raw token, its base64 and its URL-encoding", async () => {
    const { access, refresh } = await world.plainTokens(id);
    let seenAuthorization = "";
    const echo = await upstream((req, res) => {
      const auth = req.headers.authorization ?? "";
      seenAuthorization = auth;
      const token = auth.replace(/^Bearer /, "");
      res.writeHead(200, {
        "content-type": "application/json",
        "x-echo-authorization": auth,
        "x-echo-basic": `Basic ${Buffer.from(`user:${token}`).toString("base64")}`,
        "set-cookie": `session=${token}; Path=/`,
        location: `https://elsewhere.test/cb?access_token=${encodeURIComponent(token)}`,
      });
      res.end(
        JSON.stringify({
          headers: req.headers,
          token,
          base64: Buffer.from(`Bearer ${token}`).toString("base64"),
          base64url: Buffer.from(token).toString("base64url"),
          urlencoded: encodeURIComponent(`a=${token}&b=1`),
          // A refresh token in a body (as a careless debug endpoint might show it).
          refresh: `rt=${refresh}`,
        }),
      );
    });
    const res = await call(`${echo.url}/debug`);
    expect(seenAuthorization).toBe(`Bearer ${access}`);
    expect(res.status).toBe(200);
    const everything = `${res.body.toString("utf8")}\n${JSON.stringify(res.headers)}`;
    for (const secret of [access, refresh]) {
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(Buffer.from(secret).toString("base64url").slice(4, -4));
      expect(everything).not.toContain(Buffer.from(secret).toString("base64").slice(4, -4));
    }
    // Also the base64 of larger strings holding the token, at whatever alignment.
    for (const wrapped of [`Bearer ${access}`, `user:${access}`]) expect(everything).not.toContain(Buffer.from(wrapped).toString("base64").slice(12, -8));
    const body = JSON.parse(res.body.toString("utf8"));
    expect(body.token).toBe(REDACTED);
    expect(body.headers.authorization).toBe(`Bearer ${REDACTED}`);
    expect(res.headers["x-echo-authorization"]).toBe(`Bearer ${REDACTED}`);
    expect(res.headers["content-type"]).toBe("application/json");
    expect(res.headers).not.toHaveProperty("content-length");
  });
});

describe("retries", () => {
  function flaky(failures: number, status: number, headers: Record<string, string> = {}) {
    let left = failures;
    return upstream((_req, res) => {
      if (left-- > 0) {
        res.writeHead(status, headers);
        res.end("busy");
        return;
      }
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok");
    });
  }

  it("retries an idempotent method on 503 up to twice", async () => {
    const u = await flaky(2, 503);
    const res = await call(`${u.url}/x`);
    expect(res).toMatchObject({ status: 200, attempts: 3 });
    expect(u.requests()).toBe(3);
    const worse = await flaky(5, 502);
    expect(await call(`${worse.url}/x`, { method: "DELETE" })).toMatchObject({ status: 502, attempts: 3 });
  });

  it("never retries a POST", async () => {
    const u = await flaky(1, 503);
    const res = await call(`${u.url}/x`, { method: "POST", body: "{}" });
    expect(res).toMatchObject({ status: 503, attempts: 1 });
    expect(u.requests()).toBe(1);
  });

  it("honours a short Retry-After and hands back a long one", async () => {
    const short = await flaky(1, 429, { "retry-after": "1" });
    const started = Date.now();
    expect(await call(`${short.url}/x`)).toMatchObject({ status: 200, attempts: 2 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    const long = await flaky(1, 429, { "retry-after": "120" });
    const res = await call(`${long.url}/x`);
    expect(res).toMatchObject({ status: 429, attempts: 1 });
    expect(res.headers["retry-after"]).toBe("120");
  });

  it("a silent upstream times out with a typed error", async () => {
    const silent = await upstream(() => new Promise(() => undefined));
    await expect(call(`${silent.url}/x`, { timeoutMs: 300 })).rejects.toMatchObject({ name: "VaultCallError", code: "provider_timeout", httpStatus: 504 });
  });
});

describe("refusals and boundaries", () => {
  it("refuses URLs no credential may go to, before decrypting anything", async () => {
    for (const url of ["http://example.com/x", "ftp://127.0.0.1/x", "https://user:pw@example.com/x", "/relative"]) {
      await expect(call(url)).rejects.toMatchObject({ code: "invalid_upstream_url" });
    }
  });

  it("a caller cannot supply its own Authorization or Cookie", async () => {
    let seen: Record<string, unknown> = {};
    const u = await upstream((req, res) => {
      seen = { ...req.headers };
      res.end("ok");
    });
    await call(`${u.url}/x`, { headers: { authorization: "Bearer attacker", cookie: "a=b", "x-keep": "yes" } });
    expect(seen.authorization).not.toBe("Bearer attacker");
    expect(seen.cookie).toBeUndefined();
    expect(seen["x-keep"]).toBe("yes");
  });

  it("another tenant's connection does not exist for the caller", async () => {
    await expect(callProvider({ tenantId: world.people.carol.tenantId, connectionId: id, method: "GET", url: world.tasksUrl })).rejects.toMatchObject({
      code: "connection_not_found",
    });
  });

  it("a provider outage does not stop a call whose token is still valid (the connection is degraded, still usable)", async () => {
    await world.setExpiresAt(id, new Date(Date.now() + 30_000));
    await world.control("/__test/fail-token-endpoint", { count: 1 });
    const res = await call(world.tasksUrl);
    expect(res.status).toBe(200);
    const row = await (await getDb()).connection.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: "degraded", failureCount: 1 });
  });

  it("the stored token set is unchanged by a call that needed no refresh", async () => {
    const before = createHash("sha256")
      .update(JSON.stringify(await world.plainTokens(id)))
      .digest("hex");
    expect((await call(world.tasksUrl)).status).toBe(200);
    expect(
      createHash("sha256")
        .update(JSON.stringify(await world.plainTokens(id)))
        .digest("hex"),
    ).toBe(before);
  });
});
