// POST /api/v1/providers/generic with a real session: an administrator defines a provider whose key
// each person pastes (no OAuth client is stored, nor can one be set later; the policy version moves,
// the addition is audited),
// refusals are 400 sentences that name the form's field and store nothing, a person who is not an
// administrator gets 403, the OAuth kind still stores its client. End to end against a loopback API:
// for each placement the admin can choose, a person pastes a key through
// POST /api/v1/connections/api-key/{key} and an agent's proxy call carries it exactly there.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { portalBrowser, startActionWorld, startUpstream, type Upstream } from "@/lib/testing";

const w = await startActionWorld();
const { POST } = await import("./route");
const pasteRoute = await import("@/app/api/v1/connections/api-key/[provider]/route");
const proxyRoute = await import("@/app/api/v1/proxy/route");
const providersRoute = await import("@/app/api/v1/providers/route");
const clientRoute = await import("@/app/api/v1/providers/[key]/client/route");
const { NO_OAUTH_CLIENT } = await import("@/lib/providers/generic-registration");
const { REDACTED } = await import("@/lib/log/redact");
const { alice, bob: admin } = w.people;
const db = w.db;
const admins = portalBrowser();
const people = portalBrowser();

const KEY = "gk_live_0123456789abcdefWXYZ";

/** What the loopback API received on each request: the places a key can travel. */
type Seen = { path: string; authorization?: string; header?: string; query: Record<string, string> };
const seen: Seen[] = [];
let api: Upstream;

function received(req: { url?: string; headers: Record<string, string | string[] | undefined> }): Seen {
  const url = new URL(req.url ?? "/", "http://x");
  return {
    path: url.pathname,
    authorization: req.headers.authorization as string | undefined,
    header: req.headers["x-gk-key"] as string | undefined,
    query: Object.fromEntries(url.searchParams),
  };
}

/** Whether the key arrived by any placement this test uses. */
function carriesKey(s: Seen): boolean {
  const basic = `Basic ${Buffer.from(`${KEY}:`).toString("base64")}`;
  return s.authorization === `Bearer ${KEY}` || s.authorization === `Token ${KEY}` || s.authorization === basic || s.header === KEY || s.query.key === KEY;
}

async function define(body: Record<string, unknown>, browser = admins) {
  const res = await browser.send(POST, "/api/v1/providers/generic", { body });
  const text = await res.text();
  w.transcript.push(text);
  return { status: res.status, json: JSON.parse(text) as any };
}

const registrations = () => db.providerRegistration.count({ where: { tenantId: admin.tenantId } });
const policyVersion = async () => (await db.auditHead.findUniqueOrThrow({ where: { tenantId: admin.tenantId } })).policyVersion;

const apiKeyProvider = (key: string, extra: Record<string, unknown> = {}) => ({
  credential: "api_key",
  key,
  name: `Provider ${key}`,
  apiBaseUrl: `${api.url}/v1`,
  placement: "bearer",
  keyPattern: "^gk_(live|test)_[A-Za-z0-9]{16,}$",
  keyHint: "gk_live_...",
  showLastFour: true,
  verifyPath: "/me",
  accountIdPath: "account.id",
  accountLabelPath: "account.name",
  ...extra,
});

beforeAll(async () => {
  api = await startUpstream((req, res) => {
    const s = received(req);
    seen.push(s);
    if (!carriesKey(s)) {
      res.writeHead(401, { "content-type": "application/json" });
      res.end('{"error":"no key"}');
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    if (s.path === "/v1/me") res.end(JSON.stringify({ account: { id: "acct-7", name: "Generic account" } }));
    else res.end(JSON.stringify({ ok: true, youSent: KEY }));
  });
  await admins.signIn(admin);
  await people.signIn(alice);
  w.remember(KEY);
});

afterAll(async () => {
  await api.close();
  await w.provider.close();
});

describe("an administrator defines a generic API-key provider", () => {
  it("refuses a templated base, a header the vault sets itself and a broken pattern with sentences, and stores nothing", async () => {
    const before = await registrations();
    const templated = await define(apiKeyProvider("gk-bad", { apiBaseUrl: "https://{tenant}.example.com/v1" }));
    expect(templated).toEqual({
      status: 400,
      json: expect.objectContaining({ code: "invalid_request", detail: 'Field "apiBaseUrl" must be a fixed URL without {placeholders}.' }),
    });
    const host = await define(apiKeyProvider("gk-bad", { placement: "header", parameterName: "Host" }));
    expect(host.status).toBe(400);
    expect(host.json.detail).toBe('Field "parameterName" is a header the vault sets itself.');
    const regex = await define(apiKeyProvider("gk-bad", { keyPattern: "^gk_(live" }));
    expect(regex.status).toBe(400);
    expect(regex.json.detail).toBe('Field "keyPattern" must be a valid regular expression.');
    const missing = await define(apiKeyProvider("gk-bad", { placement: "query" }));
    expect(missing.json.detail).toBe('Field "parameterName" is required: name the query parameter that carries the key.');
    const withClient = await define(apiKeyProvider("gk-bad", { clientId: "id", clientSecret: "secret" }));
    expect(withClient.json.detail).toBe('The request body has unknown fields "clientId", "clientSecret".');
    const taken = await define(apiKeyProvider("github"));
    expect(taken).toMatchObject({ status: 409, json: { code: "provider_exists" } });
    expect(await registrations()).toBe(before);
  });

  it("answers 403 to a person who is not an administrator, and stores nothing", async () => {
    const before = await registrations();
    const res = await define(apiKeyProvider("gk-by-alice"), people);
    expect(res.status).toBe(403);
    expect(await registrations()).toBe(before);
  });

  it("stores the definition without any OAuth client, moves the policy version and audits the addition", async () => {
    const version = await policyVersion();
    const res = await define(apiKeyProvider("gk-bearer"));
    expect(res).toEqual({ status: 201, json: { key: "gk-bearer" } });
    const row = await db.providerRegistration.findUniqueOrThrow({
      where: { tenantId_key: { tenantId: admin.tenantId, key: "gk-bearer" } },
      omit: { encBlob: false },
    });
    expect(row).toMatchObject({ clientId: NO_OAUTH_CLIENT, encBlob: null, keyVersion: null, enabled: true });
    expect(row.definition).toMatchObject({
      kind: "generic",
      credential: { type: "api_key", apply: [{ in: "header", name: "authorization", value: "Bearer {api_key}" }], lastFour: "api_key" },
      scopes: [{ name: "api" }],
      supportsRefresh: false,
    });
    expect(await policyVersion()).toBeGreaterThan(version);
    const event = await db.auditEvent.findFirstOrThrow({ where: { tenantId: admin.tenantId, action: "provider.add", target: row.id } });
    expect(event).toMatchObject({ actorArn: admin.arn, outcome: "success" });
    expect(event.details).toMatchObject({ provider: "gk-bearer", credential: "api_key", placement: ["header authorization"], verify: "/me" });

    const again = await define(apiKeyProvider("gk-bearer"));
    expect(again).toMatchObject({ status: 409, json: { code: "provider_exists" } });
  });

  it("the catalogue lists it as set up, taking a pasted key, with its one scope", async () => {
    const res = await people.send(providersRoute.GET, "/api/v1/providers");
    const { providers } = (await res.json()) as { providers: Record<string, unknown>[] };
    expect(providers.find((p) => p.key === "gk-bearer")).toEqual({
      key: "gk-bearer",
      name: "Provider gk-bearer",
      description: "Provider gk-bearer, added by an administrator.",
      scopes: [{ name: "api", description: "Everything this key allows.", default: true }],
      configured: true,
      source: "generic",
      credential: "api_key",
    });
    expect(providers.find((p) => p.key === "demo-tasks")).toMatchObject({ credential: "oauth2" });
  });

  it("no OAuth client can be set on it afterwards", async () => {
    const res = await admins.send(clientRoute.PUT, "/api/v1/providers/gk-bearer/client", {
      method: "PUT",
      body: { clientId: "id", clientSecret: "secret" },
      params: { key: "gk-bearer" },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      code: "not_oauth_provider",
      detail: "Provider gk-bearer takes a key each person pastes: it has no OAuth client to set.",
    });
    const row = await db.providerRegistration.findUniqueOrThrow({ where: { tenantId_key: { tenantId: admin.tenantId, key: "gk-bearer" } } });
    expect(row.clientId).toBe(NO_OAUTH_CLIENT);
  });

  it("the OAuth 2.0 kind is unchanged: its client is stored, with or without credential: oauth2", async () => {
    const oauth = {
      name: "Acme OAuth",
      authorizationUrl: "https://acme.example.com/authorize",
      tokenUrl: "https://acme.example.com/token",
      userinfoUrl: "https://acme.example.com/me",
      apiBaseUrl: "https://api.acme.example.com",
      clientId: "acme-client",
      clientSecret: "acme-secret-never-echoed",
    };
    w.remember(oauth.clientSecret);
    expect(await define({ ...oauth, key: "acme-oauth" })).toEqual({ status: 201, json: { key: "acme-oauth" } });
    expect(await define({ ...oauth, key: "acme-oauth-2", credential: "oauth2" })).toEqual({ status: 201, json: { key: "acme-oauth-2" } });
    const row = await db.providerRegistration.findUniqueOrThrow({
      where: { tenantId_key: { tenantId: admin.tenantId, key: "acme-oauth" } },
      omit: { encBlob: false },
    });
    expect(row.clientId).toBe("acme-client");
    expect(row.encBlob).not.toBeNull();
    expect(row.definition).toMatchObject({ credential: { type: "oauth2" } });
    expect(w.leaks().hits).toEqual([]);
  });
});

describe("a person pastes a key and an agent's call carries it where the admin said", () => {
  const placements: [label: string, form: Record<string, unknown>, expected: (s: Seen) => void][] = [
    ["bearer", {}, (s) => expect(s).toMatchObject({ authorization: `Bearer ${KEY}`, header: undefined, query: {} })],
    ["header", { placement: "header", parameterName: "X-GK-Key" }, (s) => expect(s).toMatchObject({ authorization: undefined, header: KEY, query: {} })],
    [
      "prefixed",
      { placement: "header", parameterName: "authorization", prefix: "Token " },
      (s) => expect(s).toMatchObject({ authorization: `Token ${KEY}`, header: undefined, query: {} }),
    ],
    [
      "query",
      { placement: "query", parameterName: "key" },
      (s) => expect(s).toMatchObject({ authorization: undefined, header: undefined, query: { key: KEY } }),
    ],
    [
      "basic",
      { placement: "basic" },
      (s) => expect(s).toMatchObject({ authorization: `Basic ${Buffer.from(`${KEY}:`).toString("base64")}`, header: undefined, query: {} }),
    ],
  ];

  for (const [label, form, expected] of placements) {
    it(`${label}: the key check and the proxy call both carry it there, and the answer never shows it`, async () => {
      const key = label === "bearer" ? "gk-bearer" : `gk-${label}`;
      if (label !== "bearer") expect((await define(apiKeyProvider(key, form))).status).toBe(201);

      const pasted = await people.send(pasteRoute.POST, `/api/v1/connections/api-key/${key}`, {
        body: { fields: { api_key: KEY } },
        params: { provider: key },
      });
      const pastedText = await pasted.text();
      w.transcript.push(pastedText);
      expect(pasted.status, pastedText).toBe(201);
      const { connection, verified } = JSON.parse(pastedText) as { connection: any; verified: boolean };
      expect(verified).toBe(true);
      expect(connection).toMatchObject({
        provider: key,
        label: "Generic account",
        scopes: ["api"],
        metadata: { credential: { type: "api_key", lastFour: "WXYZ", verified: true } },
      });
      expect(seen.at(-1)?.path).toBe("/v1/me");
      expected(seen.at(-1)!);

      const row = await db.connection.findUniqueOrThrow({ where: { id: connection.id }, select: { id: true, tenantId: true, userId: true, accountId: true } });
      expect(row.accountId).toBe("acct-7");
      const client = await w.agent({ providers: [key], methods: ["GET"], pathPatterns: ["/**"], maxDelegationSeconds: 86_400 });
      const token = await w.token(client, (await w.grant(client, row, { scopes: ["api"], tools: [] })).id);
      const res = await w.send(proxyRoute.POST, "/api/v1/proxy", { body: { method: "GET", path: "/things" }, token });
      expect(res.status, res.text).toBe(200);
      expect(res.json).toMatchObject({ status: 200, data: { ok: true, youSent: REDACTED } });
      expect(seen.at(-1)?.path).toBe("/v1/things");
      expected(seen.at(-1)!);
      expect(w.leaks().hits).toEqual([]);
    });
  }
});
