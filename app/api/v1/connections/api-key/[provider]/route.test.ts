// POST /api/v1/connections/api-key/{provider} against a loopback provider that takes an API key: a
// verified key is stored sealed and shown only as a fingerprint and its last four; a key the
// provider refuses, a malformed one, unknown fields or an OAuth provider write nothing; the proxy
// carries the key where the provider wants it through an ordinary delegation, scrubs its echoes
// and does not retry a 401; replacing keeps the connection and its delegations; removing is the
// ordinary disconnect. The key never appears in any answer or in the row outside the ciphertext.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startActionWorld, startUpstream, type TestClient, type Upstream } from "@/lib/testing";
import { portalBrowser } from "@/lib/testing/portal-session";

const w = await startActionWorld();
const { POST } = await import("./route");
const proxyRoute = await import("@/app/api/v1/proxy/route");
const connectionRoute = await import("@/app/api/v1/connections/[id]/route");
const { REDACTED } = await import("@/lib/log/redact");
const { alice, bob } = w.people;
const db = w.db;
const browser = portalBrowser();

const KEY = "lk_live_0123456789abcdefWXYZ";
const NEW_KEY = "lk_live_fedcba9876543210QRST";
const REFUSED_KEY = "lk_live_refusedrefusedrefused";
const PROVIDER = "loop-keys";
const PATH = `/api/v1/connections/api-key/${PROVIDER}`;

let api: Upstream;
/** What the provider received: the key header and query of each request, by path. */
const seen: { path: string; key: string | undefined; version: string | undefined }[] = [];

type Problem = { code: string; detail: string };

async function paste(body: unknown, provider = PROVIDER) {
  const res = await POST(browser.request(`/api/v1/connections/api-key/${provider}`, { body }), { params: Promise.resolve({ provider }) });
  const text = await res.text();
  w.transcript.push(text);
  return { status: res.status, text, json: JSON.parse(text) as any };
}

const connections = () => db.connection.count({ where: { tenantId: alice.tenantId, providerKey: PROVIDER, status: { not: "revoked" } } });
const audits = () => db.auditEvent.count({ where: { tenantId: alice.tenantId, action: { in: ["connection.connect", "connection.reconnect"] } } });

beforeAll(async () => {
  api = await startUpstream((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const key = req.headers["x-loop-key"] as string | undefined;
    seen.push({ path: url.pathname, key, version: req.headers["x-loop-version"] as string | undefined });
    if (key !== KEY && key !== NEW_KEY) {
      res.writeHead(401, { "content-type": "application/json" });
      res.end('{"error":"bad key"}');
      return;
    }
    res.writeHead(200, { "content-type": "application/json", "x-echo": `key=${key}` });
    if (url.pathname === "/me") res.end(JSON.stringify({ id: "acct-42", name: "Loop account" }));
    else if (url.pathname === "/echo") res.end(JSON.stringify({ youSent: key, base64: Buffer.from(`k:${key}`).toString("base64") }));
    else if (url.pathname === "/deny") res.end("{}");
    else res.end("{}");
  });
  // As an administrator's generic provider would be registered: a key in a header, a constant version header, a key check.
  await db.providerRegistration.create({
    data: {
      tenantId: alice.tenantId,
      key: PROVIDER,
      clientId: "-",
      definition: {
        key: PROVIDER,
        name: "Loop Keys",
        description: "A loopback API that takes an API key.",
        kind: "generic",
        credential: {
          type: "api_key",
          fields: [{ name: "api_key", label: "API key", pattern: "^lk_(live|test)_[A-Za-z0-9]{16,}$", hint: "lk_live_..." }],
          apply: [
            { in: "header", name: "x-loop-key", value: "{api_key}" },
            { in: "header", name: "x-loop-version", value: "2026-01-01" },
          ],
          lastFour: "api_key",
          verify: { path: "/me", idPath: "id", labelPath: "name" },
        },
        scopes: [{ name: "api", description: "Everything this key allows.", default: true }],
        apiBaseUrl: api.url,
        supportsRefresh: false,
      },
    },
  });
  await browser.signIn(alice);
  w.remember(KEY);
  w.remember(NEW_KEY);
  w.remember(REFUSED_KEY);
});

afterAll(async () => {
  await api.close();
  await w.provider.close();
});

describe("pasting a key", () => {
  it("refuses a key in the wrong format before anything is sent, without echoing it", async () => {
    const before = api.requests();
    const res = await paste({ fields: { api_key: "sk-not-a-loop-key-0123456789" } });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: "invalid_field", detail: expect.stringContaining("lk_live_...") });
    expect(res.text).not.toContain("sk-not-a-loop-key");
    expect(api.requests()).toBe(before);
  });

  it("refuses unknown and missing fields, an OAuth provider and an unknown one, each with a sentence", async () => {
    const unknown = await paste({ fields: { api_key: KEY, password: "x" } });
    expect(unknown.status).toBe(400);
    expect((unknown.json as Problem).code).toBe("unknown_field");
    const missing = await paste({ fields: {} });
    expect(missing.json).toMatchObject({ code: "missing_field", detail: "Paste the API key of your Loop Keys account." });
    const oauth = await paste({ fields: { api_key: KEY } }, "demo-tasks");
    expect(oauth.json).toMatchObject({ code: "not_api_key_provider", detail: expect.stringMatching(/connects with OAuth/) });
    const none = await paste({ fields: { api_key: KEY } }, "no-such-provider");
    expect(none.status).toBe(404);
    const extra = await paste({ fields: { api_key: KEY }, owner: "bob" });
    expect(extra.status).toBe(400);
    expect(await connections()).toBe(0);
  });

  it("a key the provider refuses at the check: 400 with a sentence, and nothing written", async () => {
    const [rows, events] = [await connections(), await audits()];
    const res = await paste({ fields: { api_key: REFUSED_KEY } });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: "credential_rejected", detail: expect.stringMatching(/Loop Keys refused this key \(401\)/) });
    expect(seen.at(-1)).toMatchObject({ path: "/me", key: REFUSED_KEY, version: "2026-01-01" });
    expect([await connections(), await audits()]).toEqual([rows, events]);
  });

  it("a verified key: stored sealed, named by the provider's answer, shown by fingerprint and last four only", async () => {
    const res = await paste({ fields: { api_key: ` ${KEY} ` } });
    expect(res.status).toBe(201);
    expect(seen.at(-1)).toMatchObject({ path: "/me", key: KEY });
    const { connection } = res.json;
    expect(connection).toMatchObject({
      provider: PROVIDER,
      label: "Loop account",
      status: "active",
      scopes: ["api"],
      expiresAt: null,
      metadata: { credential: { type: "api_key", fingerprint: expect.stringMatching(/^[0-9a-f]{4}(:[0-9a-f]{4}){3}$/), lastFour: "WXYZ", verified: true } },
    });
    expect(res.json.verified).toBe(true);
    const row = await db.connection.findUniqueOrThrow({ where: { id: connection.id }, omit: { encBlob: false } });
    expect(row.accountId).toBe("acct-42");
    expect(row.encBlob).not.toBeNull();
    expect(Buffer.from(row.encBlob!).includes(Buffer.from(KEY))).toBe(false);
    const { encBlob: _blob, ...rest } = row;
    expect(JSON.stringify(rest)).not.toContain(KEY);
    const event = await db.auditEvent.findFirstOrThrow({ where: { target: connection.id, action: "connection.connect" } });
    expect(event.details).toMatchObject({ credential: "api_key", fingerprint: connection.metadata.credential.fingerprint, verified: true });
    expect(JSON.stringify(event.details)).not.toContain(KEY);
  });

  it("the same key pasted again is the same connection; without the check nothing is sent", async () => {
    const before = api.requests();
    const again = await paste({ fields: { api_key: KEY }, verify: false, label: "My loop key" });
    expect(again.status).toBe(200);
    expect(api.requests()).toBe(before);
    expect(again.json).toMatchObject({
      reconnected: true,
      verified: false,
      connection: { label: "My loop key", metadata: { credential: { verified: false } } },
    });
    expect(await connections()).toBe(1);
  });
});

describe("an agent acting through the pasted key", () => {
  let client: TestClient;
  let token = "";
  let id = "";
  const proxy = (body: unknown) => w.send(proxyRoute.POST, "/api/v1/proxy", { body, token });

  beforeAll(async () => {
    const row = await db.connection.findFirstOrThrow({
      where: { providerKey: PROVIDER, userId: alice.id },
      select: { id: true, tenantId: true, userId: true },
    });
    id = row.id;
    client = await w.agent({ providers: [PROVIDER], methods: ["GET", "POST"], pathPatterns: ["/**"], maxDelegationSeconds: 86_400 });
    token = await w.token(client, (await w.grant(client, row, { scopes: ["api"], tools: [] })).id);
  });

  it("the proxy places the key as the provider wants it, and scrubs the provider's echoes of it", async () => {
    const res = await proxy({ method: "GET", path: "/echo" });
    expect(res.status, res.text).toBe(200);
    expect(seen.at(-1)).toEqual({ path: "/echo", key: KEY, version: "2026-01-01" });
    expect(res.json.data.youSent).toBe(REDACTED);
    expect(res.json.data.base64).not.toContain(Buffer.from(`k:${KEY}`).toString("base64").slice(4, 20));
    expect(w.leaks().hits).toEqual([]);
  });

  it("an agent cannot send a key header of its own beside the vault's", async () => {
    const before = api.requests();
    const res = await proxy({ method: "GET", path: "/echo", headers: { "x-loop-key": "lk_live_agentsownagentsown" } });
    expect(res.json).toMatchObject({ code: "header_refused" });
    expect(api.requests()).toBe(before);
  });

  it("a 401 from the provider comes back as it is: a pasted key is not refreshed or retried", async () => {
    await db.connection.update({ where: { id }, data: { label: "still mine" } });
    const before = api.requests();
    // Swap the stored key for one the provider refuses, as a key revoked at the provider would be.
    const stale = await paste({ fields: { api_key: "lk_live_revokedrevokedrevoked" }, verify: false, replace: id });
    w.remember("lk_live_revokedrevokedrevoked");
    expect(stale.status).toBe(200);
    const res = await proxy({ method: "GET", path: "/echo" });
    expect(res.json.status).toBe(401);
    expect(api.requests()).toBe(before + 1);
  });

  it("replacing the key keeps the connection and its delegation, and the new key is what goes out", async () => {
    const res = await paste({ fields: { api_key: NEW_KEY }, replace: id });
    expect(res.status).toBe(200);
    // The person's name for it stays: replacing changes the key, not what they called the connection.
    expect(res.json.connection).toMatchObject({ id, label: "still mine", metadata: { credential: { lastFour: "QRST", verified: true } } });
    const out = await proxy({ method: "GET", path: "/echo" });
    expect(out.json.status).toBe(200);
    expect(seen.at(-1)?.key).toBe(NEW_KEY);
    const replaced = await db.auditEvent.findFirstOrThrow({ where: { target: id, action: "connection.reconnect" }, orderBy: { seq: "desc" } });
    expect(replaced.details).toMatchObject({ replaced: true });
  });

  it("nobody replaces another person's key", async () => {
    const bobs = portalBrowser();
    await bobs.signIn(bob);
    const res = await POST(bobs.request(PATH, { body: { fields: { api_key: KEY }, verify: false, replace: id } }), {
      params: Promise.resolve({ provider: PROVIDER }),
    });
    expect(res.status).toBe(404);
    expect(await db.connection.count({ where: { userId: bob.id, providerKey: PROVIDER } })).toBe(0);
  });

  it("removing is the ordinary disconnect: the key is wiped and the agent is refused", async () => {
    const res = await connectionRoute.DELETE(browser.request(`/api/v1/connections/${id}`, { method: "DELETE" }), { params: Promise.resolve({ id }) });
    expect(await res.json()).toMatchObject({ disconnected: true, revokedAtProvider: false, delegationsRevoked: 1 });
    expect((await db.connection.findUniqueOrThrow({ where: { id }, select: { encBlob: true } })).encBlob).toBeNull();
    const before = api.requests();
    const refused = await proxy({ method: "GET", path: "/echo" });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(api.requests()).toBe(before);
    expect(w.leaks().hits).toEqual([]);
  });
});
