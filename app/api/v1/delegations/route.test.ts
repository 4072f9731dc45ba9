// The delegation BFF routes on a real database: status codes, the Origin check on every change (with
// nothing written when it fails), the session-or-agent-token choice on GET, and problem+json codes a
// script can rely on. The grant rules themselves are covered in lib/delegations/delegations.test.ts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  agentToken,
  agentWithCredentials,
  delegationToken,
  DEMO_TASKS_CEILING,
  insertConnection,
  insertDelegation,
  PORTAL_ORIGIN,
  portalBrowser,
  startConnectWorld,
  type TestClient,
} from "@/lib/testing";

const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const { GET, POST } = await import("./route");
const { DELETE } = await import("./[id]/route");
const { GET: OPTIONS } = await import("./options/route");
const { alice, bob, carol } = world.people;
const db = await getDb();
const browser = portalBrowser();

const BASE = PORTAL_ORIGIN;
const ORIGIN = { origin: BASE };
let agent: { id: string };
let helper: TestClient;
/** Vault-issued agent tokens: the Helper's, and one of another tenant's agent. */
let helperToken: string;
let globexToken: string;
let aliceTasks: { id: string; tenantId: string; userId: string };
let bobTasks: { id: string; tenantId: string; userId: string };

beforeAll(async () => {
  helper = await agentWithCredentials(db, "acme", { name: "Helper", ceiling: DEMO_TASKS_CEILING });
  agent = helper.agent;
  helperToken = await agentToken(helper);
  globexToken = await agentToken(await agentWithCredentials(db, "globex"));
  aliceTasks = await insertConnection(db, alice, { label: "alice@tasks" });
  bobTasks = await insertConnection(db, bob, { label: "bob@tasks" });
});

beforeEach(async () => {
  await browser.signIn(alice);
});

afterAll(async () => {
  await world.provider.close();
});

type Problem = { code: string; detail: string; status: number };
type List = { delegations: Array<{ id: string; userArn: string; connectionId: string; status: string; agentId: string }> };

function get(query = "", headers: Record<string, string> = {}) {
  return GET(browser.request(`${BASE}/api/v1/delegations${query}`, { headers }), { params: Promise.resolve({}) });
}

function post(body: unknown, headers: Record<string, string> = ORIGIN) {
  return POST(browser.request(`${BASE}/api/v1/delegations`, { method: "POST", body, origin: null, headers }));
}

function del(id: string, headers: Record<string, string> = ORIGIN) {
  return DELETE(browser.request(`${BASE}/api/v1/delegations/${id}`, { method: "DELETE", origin: null, headers }), { params: Promise.resolve({ id }) });
}

function grantBody(overrides: Record<string, unknown> = {}) {
  return {
    agentId: agent.id,
    connectionId: aliceTasks.id,
    scopes: ["tasks.read"],
    tools: ["demo-tasks.list_tasks"],
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    ...overrides,
  };
}

const delegationCount = () => db.delegation.count();

describe("POST /api/v1/delegations", () => {
  it("grants from the portal: 201 with the DTO", async () => {
    const res = await post(grantBody());
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const { delegation } = (await res.json()) as { delegation: Record<string, unknown> };
    expect(delegation).toMatchObject({ agentId: agent.id, agentName: "Helper", connectionId: aliceTasks.id, status: "active", userArn: alice.arn });
  });

  it("refuses a request from another site, or with no Origin, and writes nothing", async () => {
    const before = await delegationCount();
    for (const headers of [{ origin: "https://evil.example" }, { origin: "null" }, {}] as Record<string, string>[]) {
      const res = await post(grantBody(), headers);
      expect(res.status).toBe(403);
      expect(((await res.json()) as Problem).code).toBe("origin_mismatch");
    }
    expect(await delegationCount()).toBe(before);
  });

  it("answers 401 without a session, even with an agent token", async () => {
    browser.signOut();
    const before = await delegationCount();
    expect((await post(grantBody())).status).toBe(401);
    expect((await post(grantBody(), { ...ORIGIN, authorization: `Bearer ${helperToken}` })).status).toBe(401);
    expect(await delegationCount()).toBe(before);
  });

  it("answers 400 with a sentence for a malformed body, and 403/404 with the rule's code", async () => {
    const before = await delegationCount();
    const bad = await post(grantBody({ scopes: [], extra: true }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Problem).detail).toMatch(/scopes/);
    const notGranted = await post(grantBody({ scopes: ["tasks.admin"], tools: [] }));
    expect(notGranted.status).toBe(403);
    expect(((await notGranted.json()) as Problem).code).toBe("scope_not_granted");
    const tooLong = await post(grantBody({ expiresAt: new Date(Date.now() + 400 * 86_400_000).toISOString() }));
    expect(((await tooLong.json()) as Problem).code).toBe("delegation_too_long");
    const needsScope = await post(grantBody({ tools: ["demo-tasks.create_task"] }));
    expect(needsScope.status).toBe(400);
    expect(((await needsScope.json()) as Problem).code).toBe("tool_needs_scope");
    const others = await post(grantBody({ connectionId: bobTasks.id }));
    expect(others.status).toBe(404);
    expect(((await others.json()) as Problem).code).toBe("connection_not_found");
    const serviceAccount = await post(grantBody({ allowServiceAccount: true }));
    expect(serviceAccount.status).toBe(403);
    expect((await serviceAccount.json()) as Problem).toMatchObject({
      code: "service_account_not_allowed",
      detail: expect.stringMatching(/service account.*\.$/),
    });
    const invalidJson = await POST(browser.request(`${BASE}/api/v1/delegations`, { method: "POST", origin: null, headers: ORIGIN, body: "{nope" }));
    expect(invalidJson.status).toBe(400);
    expect(await delegationCount()).toBe(before);
  });
});

describe("GET /api/v1/delegations", () => {
  it("answers 401 without a session or token", async () => {
    browser.signOut();
    expect((await get()).status).toBe(401);
  });

  it("lists mine, on one connection when asked, and the tenant's for admins only", async () => {
    await insertDelegation(db, { agentId: agent.id, connection: bobTasks });
    const mine = (await (await get()).json()) as List;
    expect(mine.delegations.length).toBeGreaterThan(0);
    expect(mine.delegations.every((d) => d.userArn === alice.arn)).toBe(true);
    const onBobs = (await (await get(`?connectionId=${bobTasks.id}`)).json()) as List;
    expect(onBobs.delegations).toEqual([]);

    const refused = await get("?scope=tenant");
    expect(refused.status).toBe(403);
    await browser.signIn(bob);
    const tenant = (await (await get("?scope=tenant")).json()) as List;
    expect(new Set(tenant.delegations.map((d) => d.userArn))).toEqual(new Set([alice.arn, bob.arn]));
    await browser.signIn(carol);
    expect(((await (await get()).json()) as List).delegations).toEqual([]);
  });

  it("refuses an unknown query with 400", async () => {
    expect((await get("?scope=everyone")).status).toBe(400);
    expect((await get("?userId=acme.bob")).status).toBe(400);
  });

  it("with an agent token, lists that agent's live grants in its tenant, with X-Request-ID echoed", async () => {
    browser.signOut();
    const res = await get("", { authorization: `Bearer ${helperToken}`, "x-request-id": "req-42" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("req-42");
    const list = (await res.json()) as List;
    expect(list.delegations.length).toBeGreaterThan(0);
    expect(list.delegations.every((d) => d.agentId === agent.id && d.status === "active")).toBe(true);
    const otherTenant = (await (await get("", { authorization: `Bearer ${globexToken}` })).json()) as List;
    expect(otherTenant.delegations).toEqual([]);
  });

  it("with a bad token answers 401 with a challenge, and a delegation token 403, even with a session", async () => {
    const bad = await get("", { authorization: "Bearer forged" });
    expect(bad.status).toBe(401);
    expect(bad.headers.get("www-authenticate")).toMatch(/^Bearer /);
    const grant = await insertDelegation(db, { agentId: agent.id, connection: aliceTasks });
    const wrongKind = await get("", { authorization: `Bearer ${await delegationToken(helper, grant.id)}` });
    expect(wrongKind.status).toBe(403);
    expect(((await wrongKind.json()) as Problem).code).toBe("wrong_token_kind");
  });
});

describe("DELETE /api/v1/delegations/{id}", () => {
  it("revokes from the portal, says so when asked twice, and refuses other sites", async () => {
    const { delegation } = (await (await post(grantBody())).json()) as { delegation: { id: string } };
    const foreign = await del(delegation.id, { origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    expect((await db.delegation.findUniqueOrThrow({ where: { id: delegation.id } })).revokedAt).toBeNull();

    const first = await del(delegation.id);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ alreadyRevoked: false, delegation: { id: delegation.id, status: "revoked" } });
    const second = await del(delegation.id);
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ alreadyRevoked: true });
  });

  it("is 404 for someone else's grant unless the caller administers the tenant", async () => {
    const { delegation } = (await (await post(grantBody())).json()) as { delegation: { id: string } };
    const bobs = await insertDelegation(db, { agentId: agent.id, connection: bobTasks });
    const notMine = await del(bobs.id);
    expect(notMine.status).toBe(404);
    expect(((await notMine.json()) as Problem).code).toBe("delegation_not_found");
    await browser.signIn(carol);
    expect((await del(delegation.id)).status).toBe(404);
    await browser.signIn(bob);
    expect((await del(delegation.id)).status).toBe(200);
    expect((await del("no-such-grant")).status).toBe(404);
  });
});

describe("GET /api/v1/delegations/options", () => {
  function options(query: string) {
    return OPTIONS(browser.request(`${BASE}/api/v1/delegations/options${query}`));
  }

  it("answers the form's options for my connection, 404 for another's, 400 without a connection", async () => {
    const res = await options(`?connectionId=${aliceTasks.id}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { agents: Array<{ agentName: string; unavailable: unknown }>; serverTime: string };
    expect(body.agents).toEqual([expect.objectContaining({ agentName: "Helper", unavailable: null })]);
    expect(Number.isNaN(Date.parse(body.serverTime))).toBe(false);
    expect((await options(`?connectionId=${bobTasks.id}`)).status).toBe(404);
    expect((await options("")).status).toBe(400);
    browser.signOut();
    expect((await options(`?connectionId=${aliceTasks.id}`)).status).toBe(401);
  });
});
