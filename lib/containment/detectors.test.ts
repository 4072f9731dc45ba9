// Each detector on a scripted scenario, over the real token endpoint, proxy and tool routes with
// alice's real Demo Tasks connection: silent on a benign run of more than 200 ordinary calls, firing
// once the scenario crosses its line, at the boundary (20 exchanges are fine, the 21st fires), and on
// the tenant's own threshold. Windows are proved with the hooks' clock, broad consent through its
// hook; failing refreshes against the real provider's token endpoint.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { agentWithCredentials, startActionWorld, type TestClient } from "@/lib/testing";

const w = await startActionWorld();
const { POST: proxyPost } = await import("@/app/api/v1/proxy/route");
const { POST: toolPost } = await import("@/app/api/v1/tools/[name]/route");
const { GET: delegationGet } = await import("@/app/api/v1/delegation/route");
const { issueToken } = await import("@/lib/testing/agent-tokens");
const { exchangeParams } = await import("@/lib/testing/oauth-clients");
const { insertConnection, DEMO_TASKS_CEILING } = await import("@/lib/testing/fixtures");
const { revokeDelegation } = await import("@/lib/delegations/delegations");
const { updateDetectorSetting } = await import("./settings");
const detectors = await import("./detectors");
const { bob, alice, carol } = w.people;

let cnx: { id: string; tenantId: string; userId: string };

beforeAll(async () => {
  const id = await w.connect();
  cnx = await w.db.connection.findUniqueOrThrow({ where: { id }, select: { id: true, tenantId: true, userId: true } });
  await w.rememberTokens(id);
  detectors.resetDetectors();
});

afterAll(async () => {
  await w.provider.close();
});

const alertsOf = (agentId: string) => w.db.alert.findMany({ where: { agentId }, orderBy: { firstSeenAt: "asc" } });
const setting = (kind: Parameters<typeof updateDetectorSetting>[1], body: Parameters<typeof updateDetectorSetting>[2]) =>
  updateDetectorSetting(bob, kind, body);
const proxy = (token: string, method: string, path = "/tasks", body?: unknown) =>
  w.send(proxyPost, "/api/v1/proxy", { body: { method, path, ...(body ? { body } : {}) }, token });
const tool = (token: string, name: string, input: unknown = {}) => w.send(toolPost, `/api/v1/tools/${name}`, { body: { input }, token, params: { name } });

async function agentWithGrant(tools?: string[]): Promise<{ client: TestClient; delegationId: string; token: string }> {
  const client = await w.agent();
  const d = await w.grant(client, cnx, tools ? { tools } : {});
  return { client, delegationId: d.id, token: await w.token(client, d.id) };
}

describe("a benign baseline", () => {
  it("200 ordinary calls and 20 exchanges open no alert; once the baseline is learned, the same calls stay silent and a new tool is scope escalation", async () => {
    const { client, delegationId, token } = await agentWithGrant();
    for (let i = 0; i < 19; i++) await w.token(client, delegationId); // 20 exchanges in all
    for (let i = 0; i < 200; i++) {
      const res = i % 3 === 0 ? await tool(token, "demo-tasks.list_tasks") : i % 3 === 1 ? await proxy(token, "GET") : await tool(token, "demo-tasks.whoami");
      expect(res.status).toBe(200);
    }
    expect(await alertsOf(client.agent.id)).toEqual([]);
    // The learning period is over from now on: what it used so far is its baseline.
    await setting("scope_escalation", { windowSeconds: 0 });
    for (let i = 0; i < 10; i++) expect((await tool(token, "demo-tasks.list_tasks")).status).toBe(200);
    expect((await proxy(token, "GET")).status).toBe(200);
    expect(await alertsOf(client.agent.id)).toEqual([]);

    // The scenario: a tool it never used before.
    expect((await tool(token, "demo-tasks.create_task", { title: "Something new" })).status).toBe(200);
    const [alert, ...more] = await alertsOf(client.agent.id);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ kind: "scope_escalation", severity: "high", connectionId: cnx.id, details: { new: ["tool:demo-tasks.create_task"] } });
    // It is part of the baseline now: using it again is not news.
    expect((await tool(token, "demo-tasks.create_task", { title: "Again" })).status).toBe(200);
    expect((await w.db.alert.findUniqueOrThrow({ where: { id: alert!.id } })).count).toBe(1);
    // A proxy method it never used is new too, counted on the same open alert.
    expect((await proxy(token, "POST", "/tasks", { title: "By proxy" })).status).toBe(200);
    const after = await w.db.alert.findUniqueOrThrow({ where: { id: alert!.id } });
    expect(after).toMatchObject({ count: 2, details: { new: ["proxy:POST"] } });
    await setting("scope_escalation", { windowSeconds: null });
  });
});

describe("exchange velocity", () => {
  it("20 exchanges in five minutes are fine, the 21st is HIGH", async () => {
    const { client, delegationId } = await agentWithGrant(); // exchange 1
    for (let i = 0; i < 19; i++) await w.token(client, delegationId);
    expect(await alertsOf(client.agent.id)).toEqual([]);
    await w.token(client, delegationId);
    const [alert] = await alertsOf(client.agent.id);
    expect(alert).toMatchObject({ kind: "exchange_velocity", severity: "high", details: { exchanges: 21, threshold: 20, windowSeconds: 300 } });
  });

  it("follows the tenant's threshold (5 fine, the 6th fires) and stays silent when turned off", async () => {
    await setting("exchange_velocity", { threshold: 5 });
    const a = await agentWithGrant();
    for (let i = 0; i < 4; i++) await w.token(a.client, a.delegationId);
    expect(await alertsOf(a.client.agent.id)).toEqual([]);
    await w.token(a.client, a.delegationId);
    expect((await alertsOf(a.client.agent.id)).map((x) => x.kind)).toEqual(["exchange_velocity"]);
    await setting("exchange_velocity", { enabled: false });
    const b = await agentWithGrant();
    for (let i = 0; i < 10; i++) await w.token(b.client, b.delegationId);
    expect(await alertsOf(b.client.agent.id)).toEqual([]);
    await setting("exchange_velocity", { enabled: true, threshold: null });
  });

  it("counts within the window only: 21 exchanges spread over more than five minutes stay silent", async () => {
    const agent = await w.agent();
    const start = Date.now();
    for (let i = 0; i < 21; i++)
      await detectors.observeExchange({ tenantId: "acme", agentId: agent.agent.id, connectionId: cnx.id, scopes: ["tasks.read"] }, start + i * 20_000);
    expect(await alertsOf(agent.agent.id)).toEqual([]);
  });
});

describe("unauthorized agent access", () => {
  it("presenting another agent's delegation is CRITICAL", async () => {
    const victim = await agentWithGrant();
    const thief = await agentWithGrant();
    await expect(issueToken(thief.client, exchangeParams(victim.delegationId))).rejects.toThrow(/invalid_grant/);
    const [alert] = await alertsOf(thief.client.agent.id);
    expect(alert).toMatchObject({ kind: "unauthorized_agent", severity: "critical", connectionId: cnx.id, details: { code: "delegation_wrong_agent" } });
    expect(await alertsOf(victim.client.agent.id)).toEqual([]);
  });

  it("presenting another organisation's delegation is CRITICAL in the agent's own organisation, naming nothing of the other", async () => {
    const acme = await agentWithGrant();
    const globex = await agentWithCredentials(w.db, "globex", { ceiling: DEMO_TASKS_CEILING });
    await expect(issueToken(globex, exchangeParams(acme.delegationId))).rejects.toThrow(/invalid_grant/);
    const [alert] = await alertsOf(globex.agent.id);
    expect(alert).toMatchObject({ tenantId: "globex", kind: "unauthorized_agent", connectionId: null, details: { code: "foreign_delegation" } });
    expect(JSON.stringify(alert)).not.toContain(acme.delegationId);
  });

  it("presenting a revoked delegation is CRITICAL, on an acting route and on a reading one", async () => {
    for (const call of [(t: string) => proxy(t, "GET"), (t: string) => w.send(delegationGet, "/api/v1/delegation", { token: t })]) {
      const { client, delegationId, token } = await agentWithGrant();
      expect((await call(token)).status).toBe(200);
      await revokeDelegation(alice, delegationId);
      const refused = await call(token);
      expect(refused.status).toBe(401);
      expect(refused.json).toMatchObject({ code: "delegation_revoked" });
      const [alert] = await alertsOf(client.agent.id);
      expect(alert).toMatchObject({ kind: "unauthorized_agent", severity: "critical", details: { code: "delegation_revoked", delegationId } });
    }
  });
});

describe("unauthorized agent access to a connection", () => {
  it("a vault-signed token naming a connection its delegation does not grant is refused and CRITICAL", async () => {
    const { issueDelegationToken } = await import("@/lib/oauth-server/tokens");
    const other = await insertConnection(w.db, alice, { label: "alice-other" });
    const { client, delegationId } = await agentWithGrant();
    const d = await w.db.delegation.findUniqueOrThrow({ where: { id: delegationId }, include: { user: true } });
    const forged = await issueDelegationToken({
      agent: { clientId: client.clientId, tenantId: "acme" },
      delegation: { id: d.id, connectionId: other.id, userArn: d.user.arn, expiresAt: d.expiresAt },
      scopes: d.scopes,
    });
    const res = await w.send(delegationGet, "/api/v1/delegation", { token: forged.token });
    expect(res.status).toBe(401);
    const [alert] = await alertsOf(client.agent.id);
    expect(alert).toMatchObject({ kind: "unauthorized_agent", severity: "critical", connectionId: other.id, details: { code: "connection_not_granted" } });
  });
});

describe("denial storm", () => {
  it("10 refusals within the hour are tolerated, the 11th is an alert", async () => {
    const { client, token } = await agentWithGrant();
    for (let i = 0; i < 10; i++) expect((await proxy(token, "PUT", "/tasks/1", {})).status).toBe(403);
    expect(await alertsOf(client.agent.id)).toEqual([]);
    await proxy(token, "PUT", "/tasks/1", {});
    const [alert] = await alertsOf(client.agent.id);
    expect(alert).toMatchObject({ kind: "denial_storm", severity: "medium", details: { denials: 11, threshold: 10, lastCode: "method_not_allowed" } });
  });

  it("forgets refusals older than its window", async () => {
    const agent = await w.agent();
    const start = Date.now();
    const deny = (at: number) =>
      detectors.observeDecision({
        tenantId: "acme",
        agentId: agent.agent.id,
        delegationId: null,
        connectionId: null,
        decision: "deny",
        code: "scope_not_delegated",
        now: at,
      });
    for (let i = 0; i < 11; i++) await deny(start + i * 6 * 60_000); // one every six minutes: never 11 within an hour
    expect(await alertsOf(agent.agent.id)).toEqual([]);
  });
});

describe("broad consent", () => {
  const scopes = (n: number) => Array.from({ length: n }, (_, i) => `scope.${i}`);
  it("a grant of 10 scopes is fine, 11 is MEDIUM; for connections too", async () => {
    const agent = await w.agent();
    const grant = (n: number) =>
      detectors.observeGrant({ tenantId: "acme", what: "delegation", id: `grant-${n}`, agentId: agent.agent.id, connectionId: cnx.id, scopes: scopes(n) });
    await grant(10);
    expect(await alertsOf(agent.agent.id)).toEqual([]);
    await grant(11);
    expect(await alertsOf(agent.agent.id)).toMatchObject([{ kind: "broad_consent", severity: "medium", details: { delegationId: "grant-11", threshold: 10 } }]);
    const wide = await insertConnection(w.db, carol, { label: "carol-wide" });
    await detectors.observeGrant({ tenantId: "globex", what: "connection", id: wide.id, agentId: null, connectionId: wide.id, scopes: scopes(12) });
    expect(await w.db.alert.findMany({ where: { connectionId: wide.id } })).toMatchObject([{ tenantId: "globex", kind: "broad_consent", agentId: null }]);
  });
});

describe("failing connection", () => {
  it("two failed refreshes in a row at the real provider are not yet an alert, the third is", async () => {
    const { ensureFreshTokens } = await import("@/lib/vault/refresh/refresher");
    const id = await w.connect(bob, "bob");
    const failOnce = async () => {
      await w.setExpiresAt(id, new Date(Date.now() - 1000));
      expect((await w.control("/__test/fail-token-endpoint", { count: 1 })).status).toBe(200);
      await expect(ensureFreshTokens(id)).rejects.toMatchObject({ code: "provider_unavailable" });
    };
    await failOnce();
    await failOnce();
    expect(await w.db.alert.findMany({ where: { connectionId: id } })).toEqual([]);
    await failOnce();
    expect(await w.db.alert.findMany({ where: { connectionId: id } })).toMatchObject([
      { kind: "connection_failing", severity: "medium", agentId: null, details: { failures: 3, threshold: 3, status: "degraded" } },
    ]);
    // The next refresh succeeds; the alert stays until an administrator resolves it.
    expect(await ensureFreshTokens(id)).toBe("refreshed");
  });
});

describe("what an alert holds", () => {
  it("no alert and no answer carries a provider token", async () => {
    expect(w.leaks().hits).toEqual([]);
    const tokens = await w.rememberTokens(cnx.id);
    const all = JSON.stringify(await w.db.alert.findMany());
    expect(all).not.toContain(tokens.access);
    if (tokens.refresh) expect(all).not.toContain(tokens.refresh);
  });
});
