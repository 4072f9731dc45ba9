// POST /api/v1/proxy against the real Demo Tasks provider and loopback listeners: GET and POST work
// with alice's credential, which never appears in any answer; every SSRF form is refused with 400
// before any request leaves the vault; a redirect to a foreign host is handed back, never followed;
// PDP denials reach the agent with their code; receipts verify against the published JWKS and point
// at the audit row; an audit log that cannot be written withholds the result.
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import http from "node:http";

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { agentToken, insertConnection, startActionWorld, startRouteServer, startUpstream, type TestClient, type Upstream } from "@/lib/testing";

const w = await startActionWorld();
const { POST } = await import("./route");
const jwksRoute = await import("@/app/.well-known/jwks.json/route");
const { vaultPublicJwks } = await import("@/lib/vault/signing/signing-keys");
const { requestSha256, sha256 } = await import("@/lib/receipts/claims");
const { verifyReceipt } = await import("@/lib/receipts/verify");
const { verifyTenantChain } = await import("@/lib/audit/verify");
const { alice } = w.people;
const db = w.db;

const upstreams: Upstream[] = [];
let aliceCnx: { id: string; tenantId: string; userId: string };
let client: TestClient;
let token = "";

const proxy = (body: unknown, t = token, headers: Record<string, string> = {}) => w.send(POST, "/api/v1/proxy", { body, token: t, headers });

beforeAll(async () => {
  const id = await w.connect();
  aliceCnx = await db.connection.findUniqueOrThrow({ where: { id }, select: { id: true, tenantId: true, userId: true } });
  await w.rememberTokens(id);
  client = await w.agent();
  token = await w.token(client, (await w.grant(client, aliceCnx)).id);
});

afterAll(async () => {
  await Promise.all(upstreams.map((u) => u.close()));
  await w.provider.close();
});

async function upstream(handler: Parameters<typeof startUpstream>[0]) {
  const u = await startUpstream(handler);
  upstreams.push(u);
  return u;
}

describe("proxying to Demo Tasks", () => {
  it("GET /tasks answers alice's tasks with status, allow-listed headers, data and a receipt", async () => {
    const res = await proxy({ method: "GET", path: "/tasks" }, token, { "x-request-id": "proxy-get-1" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("proxy-get-1");
    expect(res.json).toMatchObject({
      status: 200,
      encoding: "json",
      credential: "user",
      headers: { "content-type": expect.stringContaining("application/json") },
    });
    expect(res.json.data.tasks.map((t: { title: string }) => t.title)).toContain("Buy oat milk");
    for (const name of Object.keys(res.json.headers)) expect(["content-type", "cache-control", "etag", "last-modified"]).toContain(name);
    expect(typeof res.json.receipt).toBe("string");
  });

  it("POST /tasks creates a task (201) that the next GET lists", async () => {
    const res = await proxy({ method: "POST", path: "/tasks", body: { title: "Proxy-made task" } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 201, data: { title: "Proxy-made task", done: false } });
    const list = await proxy({ method: "GET", path: "/tasks", query: { unused: "1" } });
    expect(list.json.data.tasks.map((t: { id: string }) => t.id)).toContain(res.json.data.id);
  });

  it("relays the provider's refusal as its status (DELETE of an unknown task: 404)", async () => {
    const res = await proxy({ method: "DELETE", path: "/tasks/no-such-task" });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 404, data: { error: "not_found" } });
  });

  it("50 simultaneous calls on an expired access token: one refresh at the provider, all 50 succeed", async () => {
    expect((await w.control("/__test/expire-access-tokens")).status).toBe(200);
    await w.setExpiresAt(aliceCnx.id, new Date(Date.now() - 1000));
    const before = w.stats().refreshGrants;
    const answers = await Promise.all(Array.from({ length: 50 }, () => proxy({ method: "GET", path: "/tasks" })));
    expect(w.stats().refreshGrants - before).toBe(1);
    expect(answers.map((a) => `${a.status}/${a.json.status}`)).toEqual(Array(50).fill("200/200"));
    await w.rememberTokens(aliceCnx.id);
  });
});

describe("receipts", () => {
  it("verify against the vault's JWKS (in process and at /.well-known/jwks.json) and point at the audit row", async () => {
    const res = await proxy({ method: "POST", path: "/tasks", body: { title: "Receipt task" } });
    const { receipt, data } = res.json as { receipt: string; data: unknown };
    expect(decodeProtectedHeader(receipt)).toMatchObject({ alg: "EdDSA", typ: "receipt+jwt", kid: expect.any(String) });

    const local = await jwtVerify(receipt, createLocalJWKSet(await vaultPublicJwks()), { issuer: "http://localhost:3999", typ: "receipt+jwt" });
    const site = await startRouteServer({ "/.well-known/jwks.json": { GET: () => jwksRoute.GET() } });
    try {
      const remote = await jwtVerify(receipt, createRemoteJWKSet(new URL(`${site.url}/.well-known/jwks.json`)), { issuer: "http://localhost:3999" });
      expect(remote.payload).toEqual(local.payload);
    } finally {
      await site.close();
    }
    const claims = await verifyReceipt(receipt);
    expect(claims).toMatchObject({
      sub: alice.arn,
      act: { sub: client.clientId },
      cnx: aliceCnx.id,
      action: "proxy",
      credential: "user",
      status: 201,
      request_sha256: requestSha256("POST", new URL(`${w.provider.issuer}/tasks`), Buffer.from(JSON.stringify({ title: "Receipt task" }))),
    });
    // Exactly the bytes of `data` as they appear in the answer.
    expect(res.text).toContain(JSON.stringify(data));
    expect(claims.response_sha256).toBe(sha256(JSON.stringify(data)));

    const row = await db.auditEvent.findUniqueOrThrow({ where: { tenantId_seq: { tenantId: "acme", seq: claims.audit_seq } } });
    expect(row).toMatchObject({
      hash: claims.audit_hash,
      action: "action.proxy",
      outcome: "success",
      actorArn: alice.arn,
      agentId: client.agent.id,
      target: claims.del,
    });
    expect(row.details).toMatchObject({
      provider: "demo-tasks",
      connectionId: aliceCnx.id,
      credential: "user",
      method: "POST",
      path: "/tasks",
      status: 201,
      request_sha256: claims.request_sha256,
      response_sha256: claims.response_sha256,
      channel: "api",
    });
    expect((await verifyTenantChain(db, "acme")).break).toBeNull();
  });

  it("a tampered receipt does not verify", async () => {
    const { receipt } = (await proxy({ method: "GET", path: "/tasks" })).json as { receipt: string };
    const [h, p, s] = receipt.split(".");
    const claims = JSON.parse(Buffer.from(p!, "base64url").toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, status: 500 })).toString("base64url")}.${s}`;
    await expect(jwtVerify(forged, createLocalJWKSet(await vaultPublicJwks()))).rejects.toThrow();
  });
});

describe("SSRF: refused at the route, nothing leaves the vault", () => {
  it("every form of escaping the API base answers 400, and no listener receives anything", async () => {
    const evil = await upstream((_req, res) => {
      res.end("got you");
    });
    const host = new URL(evil.url).host;
    const paths = [
      `${evil.url}/collect`,
      `https:${host}/collect`,
      `//${host}/collect`,
      `///${host}/collect`,
      "/../collect",
      "/tasks/../../collect",
      "/%2e%2e/collect",
      "/%2E%2E/collect",
      "/tasks/%2e%2e%2f%2e%2e/collect",
      "/%252e%252e/collect",
      "/%25252e%25252e/collect",
      "/.%2e/collect",
      "/./tasks",
      `/tasks@${host}`,
      `/@${host}/collect`,
      `/tasks%40${host}`,
      "/tasks\\..\\collect",
      `\\\\${host}/collect`,
      "/tasks%5c..%5ccollect",
      "/tasks\u0000",
      `/tasks\r\nHost: ${host}`,
      "/tasks%0d%0aHost:%20evil",
      "/tasks\u007f",
      "/tasks?access_token=steal",
      "/tasks%3Fx=1",
      "/tasks#fragment",
      `/tasks/%2F%2F${host}`,
      " /tasks",
      "tasks",
      "/tasks/%zz",
    ];
    const answers = [];
    // Every request the vault sends a provider goes out through node:http (lib/vault/call/upstream.ts).
    const requestSpy = vi.spyOn(http, "request");
    const auditsBefore = await db.auditEvent.count({ where: { tenantId: "acme" } });
    try {
      for (const path of paths) answers.push({ path, res: await proxy({ method: "GET", path }) });
      answers.push({ path: "authorization header", res: await proxy({ method: "GET", path: "/tasks", headers: { Authorization: "Bearer mine" } }) });
      answers.push({ path: "host header", res: await proxy({ method: "GET", path: "/tasks", headers: { host } }) });
      answers.push({ path: "x-forwarded-host header", res: await proxy({ method: "GET", path: "/tasks", headers: { "x-forwarded-host": host } }) });
      answers.push({ path: "cookie header", res: await proxy({ method: "GET", path: "/tasks", headers: { cookie: "a=b" } }) });
      answers.push({
        path: "header with CRLF",
        res: await proxy({ method: "POST", path: "/tasks", headers: { accept: `application/json\r\nHost: ${host}` } }),
      });
      answers.push({ path: "GET with a body", res: await proxy({ method: "GET", path: "/tasks", body: "x" }) });
      answers.push({ path: "TRACE", res: await proxy({ method: "TRACE", path: "/tasks" }) });
      expect(requestSpy).not.toHaveBeenCalled();
    } finally {
      requestSpy.mockRestore();
    }
    for (const { path, res } of answers) {
      expect(res.status, path).toBe(400);
      expect(res.headers.get("content-type"), path).toContain("application/problem+json");
      expect(["path_refused", "header_refused", "body_refused", "invalid_request"], path).toContain(res.json.code);
    }
    expect(answers.filter((a) => a.res.json.code === "path_refused").length).toBe(paths.length);
    await new Promise((r) => setTimeout(r, 100));
    expect(evil.requests()).toBe(0);
    // Refused before the PDP was even asked: nothing was decided, nothing audited.
    expect(await db.auditEvent.count({ where: { tenantId: "acme" } })).toBe(auditsBefore);
  });

  it("control: the same spy sees the one call a valid path makes", async () => {
    // Every request the vault sends a provider goes out through node:http (lib/vault/call/upstream.ts).
    const requestSpy = vi.spyOn(http, "request");
    try {
      expect((await proxy({ method: "GET", path: "/tasks" })).json.status).toBe(200);
      expect(requestSpy.mock.calls.map(([url]) => String(url))).toEqual([`${w.provider.issuer}/tasks`]);
    } finally {
      requestSpy.mockRestore();
    }
  });
});

describe("a provider on loopback listeners (redirects, headers, bodies)", () => {
  const LOOP_TOKEN = "loop-access-token-7f3a9c2e5b1d";
  let api: Upstream;
  let foreign: Upstream;
  let foreignAuthorization: string | undefined;
  let loopToken = "";

  beforeAll(async () => {
    foreign = await upstream((req, res) => {
      foreignAuthorization = req.headers.authorization;
      res.end("collected");
    });
    api = await upstream((req, res) => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      if (path === "/start") {
        res.writeHead(req.method === "GET" ? 302 : 307, { location: `${foreign.url}/collect`, "set-cookie": "sid=1", "x-internal-host": "db-7" });
        res.end();
      } else if (path === "/echo") {
        res.writeHead(200, { "content-type": "application/json", "x-echo": req.headers.authorization ?? "", "www-authenticate": "Bearer" });
        res.end(JSON.stringify({ authorization: req.headers.authorization, ok: true }));
      } else if (path === "/logo.png") {
        res.writeHead(200, { "content-type": "image/png" });
        res.end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0xfe]));
      } else if (path === "/notes.txt") {
        res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
        res.end("plain words");
      } else {
        res.writeHead(204);
        res.end();
      }
    });
    await db.providerRegistration.create({
      data: {
        tenantId: "acme",
        key: "loop-api",
        clientId: "loop-client",
        definition: {
          key: "loop-api",
          name: "Loop API",
          description: "A loopback API for tests.",
          kind: "generic",
          authorizationUrl: `${api.url}/authorize`,
          tokenUrl: `${api.url}/token`,
          scopes: [{ name: "read", description: "Read", default: true }],
          tokenAuthMethod: "client_secret_basic",
          apiBaseUrl: api.url,
          accountIdentity: { source: "token", idPath: "sub", labelPath: "sub" },
          supportsRefresh: false,
        },
      },
    });
    const cnx = await insertConnection(db, alice, { provider: "loop-api", scopes: ["read"] });
    await w.storeTokens(cnx.id, { access: LOOP_TOKEN, expiresAt: null });
    w.remember(LOOP_TOKEN);
    const loopClient = await w.agent({ providers: ["loop-api"], methods: ["GET", "POST"], pathPatterns: ["/**"], maxDelegationSeconds: 86_400 });
    loopToken = await w.token(loopClient, (await w.grant(loopClient, cnx, { scopes: ["read"], tools: [] })).id);
  });

  it.each(["GET", "POST"])("a %s redirected to a foreign host: the 3xx comes back, the foreign listener receives nothing", async (method) => {
    const res = await proxy({ method, path: "/start", ...(method === "POST" ? { body: { x: 1 } } : {}) }, loopToken);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: method === "GET" ? 302 : 307, headers: { location: `${foreign.url}/collect` }, data: null, encoding: "none" });
    // Only allow-listed headers come back: no cookies, no internals.
    expect(Object.keys(res.json.headers).sort()).toEqual(["location"]);
    await new Promise((r) => setTimeout(r, 150));
    expect(foreign.requests()).toBe(0);
    expect(foreignAuthorization).toBeUndefined();
  });

  it("an upstream that echoes the Authorization header: the echo is scrubbed from body and headers", async () => {
    const res = await proxy({ method: "GET", path: "/echo" }, loopToken);
    expect(res.json.status).toBe(200);
    expect(res.json.data.ok).toBe(true);
    expect(res.json.data.authorization).not.toContain(LOOP_TOKEN);
    expect(res.json.headers).not.toHaveProperty("x-echo");
    expect(res.json.headers).not.toHaveProperty("www-authenticate");
  });

  it("bodies come back as JSON, text or base64, and say which", async () => {
    const png = await proxy({ method: "GET", path: "/logo.png" }, loopToken);
    expect(png.json).toMatchObject({ encoding: "base64", data: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0xfe]).toString("base64") });
    const text = await proxy({ method: "GET", path: "/notes.txt" }, loopToken);
    expect(text.json).toMatchObject({ encoding: "text", data: "plain words" });
    const empty = await proxy({ method: "GET", path: "/nothing" }, loopToken);
    expect(empty.json).toMatchObject({ status: 204, encoding: "none", data: null });
    expect((await verifyReceipt(png.json.receipt)).response_sha256).toBe(sha256(JSON.stringify(png.json.data)));
  });
});

describe("PDP denials reach the agent with their code", () => {
  it("a write that needs approval answers 202 with the approval to poll, and sends nothing", async () => {
    const t = await w.token(client, (await w.grant(client, aliceCnx, { constraints: { approvalForWrites: true } })).id);
    const requestSpy = vi.spyOn(http, "request");
    try {
      const res = await proxy({ method: "POST", path: "/tasks", body: { title: "no" } }, t);
      expect(res.status).toBe(202);
      expect(res.json).toMatchObject({ approval_id: expect.any(String), status: "pending", expires_at: expect.any(String) });
      expect(requestSpy).not.toHaveBeenCalled();
    } finally {
      requestSpy.mockRestore();
    }
  });

  it.each([
    ["read-only delegation, POST", { constraints: { readOnly: true } }, { method: "POST", path: "/tasks", body: { title: "no" } }, "read_only"],
    ["path outside the delegation", { constraints: { pathPatterns: ["/me"] } }, { method: "GET", path: "/tasks" }, "path_not_allowed"],
    ["method the delegation does not allow", { constraints: { methods: ["GET" as const] } }, { method: "DELETE", path: "/tasks/x" }, "method_not_allowed"],
  ])("%s -> 403 %s", async (_name, grant, body, code) => {
    const t = await w.token(client, (await w.grant(client, aliceCnx, grant)).id);
    // Every request the vault sends a provider goes out through node:http (lib/vault/call/upstream.ts).
    const requestSpy = vi.spyOn(http, "request");
    try {
      const res = await proxy(body, t);
      expect(res.status).toBe(403);
      expect(res.json).toMatchObject({ code, status: 403 });
      expect(res.json.detail).toMatch(/\.$/);
      expect(requestSpy).not.toHaveBeenCalled();
    } finally {
      requestSpy.mockRestore();
    }
  });

  it("a path outside the agent's ceiling -> 403 path_not_allowed", async () => {
    const narrow = await w.agent({ providers: ["demo-tasks"], methods: ["GET"], pathPatterns: ["/me"], maxDelegationSeconds: 86_400 });
    const t = await w.token(narrow, (await w.grant(narrow, aliceCnx)).id);
    expect((await proxy({ method: "GET", path: "/tasks" }, t)).json).toMatchObject({ status: 403, code: "path_not_allowed" });
    expect((await proxy({ method: "POST", path: "/me" }, t)).json).toMatchObject({ status: 403, code: "method_not_allowed" });
    expect((await proxy({ method: "GET", path: "/me" }, t)).json).toMatchObject({ status: 200, data: { sub: "alice" } });
  });

  it("a delegation revoked mid-session: the next call is refused with 401", async () => {
    const d = await w.grant(client, aliceCnx);
    const t = await w.token(client, d.id);
    expect((await proxy({ method: "GET", path: "/tasks" }, t)).status).toBe(200);
    await db.delegation.update({ where: { id: d.id }, data: { revokedAt: new Date() } });
    const res = await proxy({ method: "GET", path: "/tasks" }, t);
    expect(res.status).toBe(401);
    expect(res.json.code).toBe("delegation_revoked");
  });

  it("an agent token (not a delegation token) is refused with 403 wrong_token_kind", async () => {
    expect((await proxy({ method: "GET", path: "/tasks" }, await agentToken(client))).json.code).toBe("wrong_token_kind");
  });
});

describe("audit is part of the action", () => {
  it("when the audit event cannot be written the agent gets 503 audit_unavailable and no data", async () => {
    await db.$executeRawUnsafe(`CREATE OR REPLACE FUNCTION refuse_action_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.action LIKE 'action.%' THEN RAISE EXCEPTION 'audit store refuses'; END IF; RETURN NEW; END $$`);
    await db.$executeRawUnsafe(`CREATE TRIGGER refuse_action_audit BEFORE INSERT ON "AuditEvent" FOR EACH ROW EXECUTE FUNCTION refuse_action_audit()`);
    try {
      const res = await proxy({ method: "GET", path: "/tasks" });
      expect(res.status).toBe(503);
      expect(res.json).toMatchObject({ code: "audit_unavailable", status: 503 });
      expect(res.json).not.toHaveProperty("data");
      expect(res.json).not.toHaveProperty("receipt");
      expect(res.text).not.toMatch(/oat milk|tasks/i);
    } finally {
      await db.$executeRawUnsafe(`DROP TRIGGER refuse_action_audit ON "AuditEvent"`);
      await db.$executeRawUnsafe(`DROP FUNCTION refuse_action_audit()`);
    }
    expect((await proxy({ method: "GET", path: "/tasks" })).status).toBe(200);
  });
});

describe("zero exposure", () => {
  it("no answer of this file holds a live provider token (access or refresh)", async () => {
    await w.rememberTokens(aliceCnx.id);
    const { answers, secrets, hits } = w.leaks();
    expect(secrets).toBeGreaterThanOrEqual(3);
    expect(answers).toBeGreaterThan(80);
    expect(hits).toEqual([]);
    // Control: the scan finds a token when one is there.
    const { access } = await w.plainTokens(aliceCnx.id);
    w.transcript.push(`planted ${access}`);
    expect(w.leaks().hits.length).toBe(1);
    w.transcript.pop();
  });
});
