// The tenant status over a real database (PGlite): exchanges counted from the audit log and joined to
// the delegation's provider, connections by status, authorized agents, derived alerts (reconnect,
// failing refreshes, PDP denials, a tampered audit chain, two active signing keys), what an agent
// may see of it, and one tenant seeing nothing of another.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { startConnectWorld } from "@/lib/testing/connect-harness";

const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const { appendAudit } = await import("@/lib/audit/append");
const { insertAgent, insertConnection, insertDelegation, DEMO_TASKS_CEILING } = await import("@/lib/testing/fixtures");
const { upsertPerson } = await import("@/lib/tenancy/people");
const { tenantStatus, UNKNOWN_PROVIDER } = await import("./status");
const { DENIAL_ALERT_THRESHOLD } = await import("./alerts");
const { statusDto } = await import("./schemas");
const { alice, bob, carol } = world.people;
const db = await getDb();
const dave = await upsertPerson({ id: "dave", tenantId: "globex", tenantName: "Globex", email: "dave@globex.test", name: "Dave Diaz", role: "admin" });

afterAll(async () => {
  await world.provider.close();
});

async function audit(
  tenantId: string,
  action: string,
  outcome: "success" | "failure" | "allow" | "deny",
  extra: { agentId?: string; target?: string; details?: Record<string, unknown>; actorArn?: string } = {},
) {
  await db.$transaction((tx) => appendAudit(tx, { tenantId, action, outcome, ...extra }));
}
const HOUR = 3_600_000;

// acme: alice's Demo Tasks and GitHub connections, plus connections in every status.
const tasks = await insertConnection(db, alice, { label: "alice-tasks" });
const github = await insertConnection(db, alice, { provider: "github", scopes: ["repo"], label: "alice-github" });
const broken = await insertConnection(db, alice, { status: "needs_reconnect", label: "alice-broken" });
await db.connection.update({
  where: { id: broken.id },
  data: { lastError: "Demo Tasks refused the refresh token (it was revoked or has expired): reconnect Demo Tasks." },
});
const flaky = await insertConnection(db, bob, { label: "bob-flaky" });
await db.connection.update({
  where: { id: flaky.id },
  data: { failureCount: 2, lastError: "Demo Tasks could not be reached to refresh the access token; the vault will try again." },
});
await insertConnection(db, bob, { status: "degraded", label: "bob-degraded" });
await insertConnection(db, bob, { status: "revoked", label: "bob-gone" });
const gone = await insertConnection(db, alice, { status: "revoked", label: "alice-gone" });

// Agents: authorized (live grant), revoked-only, expired-only, on a disconnected connection only, suspended with a live grant, none.
const helper = await insertAgent(db, "acme", { name: "Helper", ceiling: DEMO_TASKS_CEILING });
const revokedOnly = await insertAgent(db, "acme", { name: "Revoked only" });
const expiredOnly = await insertAgent(db, "acme", { name: "Expired only" });
const disconnectedOnly = await insertAgent(db, "acme", { name: "Disconnected only" });
const suspended = await insertAgent(db, "acme", { name: "Suspended", status: "suspended" });
const idle = await insertAgent(db, "acme", { name: "Idle" });
const onTasks = await insertDelegation(db, { agentId: helper.id, connection: tasks });
const onGithub = await insertDelegation(db, { agentId: helper.id, connection: github, scopes: ["repo"] });
await insertDelegation(db, { agentId: helper.id, connection: broken });
await insertDelegation(db, { agentId: revokedOnly.id, connection: tasks, revokedAt: new Date() });
await insertDelegation(db, { agentId: expiredOnly.id, connection: tasks, expiresAt: new Date(Date.now() - 1000) });
await insertDelegation(db, { agentId: disconnectedOnly.id, connection: gone });
await insertDelegation(db, { agentId: suspended.id, connection: flaky });

// Exchanges: 3 Demo Tasks successes, 1 Demo Tasks failure, 1 GitHub success, 2 failures naming no delegation.
for (let i = 0; i < 3; i++)
  await audit("acme", "token.exchange", "success", {
    agentId: helper.id,
    actorArn: alice.arn,
    target: onTasks.id,
    details: { clientAuth: "client_secret_basic" },
  });
await audit("acme", "token.exchange", "failure", { agentId: helper.id, target: onTasks.id, details: { error: "invalid_scope", code: "scope_not_delegated" } });
await audit("acme", "token.exchange", "success", { agentId: helper.id, actorArn: alice.arn, target: onGithub.id });
await audit("acme", "token.exchange", "failure", {
  agentId: helper.id,
  target: "no-such-delegation",
  details: { error: "invalid_grant", code: "delegation_unknown" },
});
await audit("acme", "token.exchange", "failure", { agentId: idle.id });
// Events that are not exchanges must not count.
await audit("acme", "token.client_credentials", "success", { agentId: helper.id, target: helper.clientId });
await audit("acme", "action.tool", "success", { agentId: helper.id, actorArn: alice.arn, target: onTasks.id, details: { provider: "demo-tasks" } });

// Denials: the helper is refused often enough to alert, the idle agent not quite.
for (let i = 0; i < DENIAL_ALERT_THRESHOLD; i++)
  await audit("acme", "pdp.decision", "deny", { agentId: helper.id, target: onTasks.id, details: { code: "tool_not_delegated" } });
for (let i = 0; i < DENIAL_ALERT_THRESHOLD - 1; i++) await audit("acme", "pdp.decision", "deny", { agentId: idle.id, target: onTasks.id });

// globex: carol's one connection and one exchange.
const carolTasks = await insertConnection(db, carol, { label: "carol-tasks" });
const globexAgent = await insertAgent(db, "globex", { name: "Globex agent" });
const carolGrant = await insertDelegation(db, { agentId: globexAgent.id, connection: carolTasks });
await audit("globex", "token.exchange", "success", { agentId: globexAgent.id, actorArn: carol.arn, target: carolGrant.id });

const asAdmin = (person = bob) => ({ kind: "admin" as const, person });
const asAgent = (agent: { id: string; clientId: string; name: string; tenantId: string }) => ({
  kind: "agent" as const,
  caller: { kind: "agent" as const, tenantId: agent.tenantId, agent: { id: agent.id, clientId: agent.clientId, name: agent.name } },
});

describe("tenantStatus for an administrator", () => {
  it("counts exchanges by the delegation's provider, with failures naming no delegation as unknown", async () => {
    const status = await tenantStatus(asAdmin());
    expect(statusDto.parse(status)).toEqual(status);
    expect(status).toMatchObject({ tenantId: "acme", view: "admin" });
    expect(status.exchanges).toEqual({
      total: 7,
      success: 4,
      failure: 3,
      byProvider: { "demo-tasks": { success: 3, failure: 1 }, github: { success: 1, failure: 0 }, [UNKNOWN_PROVIDER]: { success: 0, failure: 2 } },
    });
  });

  it("prefers a provider the exchange event names itself", async () => {
    await audit("acme", "token.exchange", "success", { agentId: helper.id, target: onTasks.id, details: { provider: "slack" } });
    const status = await tenantStatus(asAdmin());
    expect(status.exchanges.byProvider.slack).toEqual({ success: 1, failure: 0 });
    expect(status.exchanges.byProvider["demo-tasks"]).toEqual({ success: 3, failure: 1 });
    expect(status.exchanges.total).toBe(8);
  });

  it("counts connections not disconnected, by status", async () => {
    const { connectedAccounts } = await tenantStatus(asAdmin());
    expect(connectedAccounts).toEqual({ total: 5, byStatus: { active: 3, refreshing: 0, degraded: 1, needs_reconnect: 1 } });
  });

  it("counts as authorized only active agents with a live delegation", async () => {
    const { authorizedAgents } = await tenantStatus(asAdmin());
    expect(authorizedAgents).toEqual({ authorized: 1, active: 5, suspended: 1, total: 6 });
  });

  it("derives alerts: reconnect, failing refreshes, noisy agents; each a sentence with a subject", async () => {
    const { openAlerts } = await tenantStatus(asAdmin());
    expect(openAlerts.count).toBe(openAlerts.alerts.length);
    const warnings = openAlerts.alerts.filter((a) => a.severity === "warning").length;
    expect(warnings).toBeGreaterThan(0);
    expect(openAlerts.bySeverity).toEqual({
      critical: openAlerts.alerts.filter((a) => a.severity === "critical").length,
      warning: warnings,
      info: openAlerts.alerts.filter((a) => a.severity === "info").length,
    });
    const kinds = openAlerts.alerts.map((a) => `${a.kind}:${a.subject.id}`).sort();
    const degraded = await db.connection.findFirstOrThrow({ where: { label: "bob-degraded" } });
    expect(kinds).toEqual(
      [`agent_denials:${helper.id}`, `connection_failing:${degraded.id}`, `connection_failing:${flaky.id}`, `connection_needs_reconnect:${broken.id}`].sort(),
    );
    const reconnect = openAlerts.alerts.find((a) => a.kind === "connection_needs_reconnect")!;
    expect(reconnect.message).toMatch(/Alice Archer's Demo Tasks connection "alice-broken" needs reconnecting/);
    const failing = openAlerts.alerts.find((a) => a.subject.id === flaky.id)!;
    expect(failing.message).toMatch(/2 failed refreshes.*could not be reached/);
    const noisy = openAlerts.alerts.find((a) => a.kind === "agent_denials")!;
    expect(noisy.message).toMatch(new RegExp(`Agent "Helper" was refused ${DENIAL_ALERT_THRESHOLD} times`));
    expect(noisy.since).not.toBeNull();
  });

  it("forgets denials older than an hour", async () => {
    const later = new Date(Date.now() + HOUR + 60_000);
    const { openAlerts } = await tenantStatus(asAdmin(), later);
    expect(openAlerts.alerts.some((a) => a.kind === "agent_denials")).toBe(false);
  });

  it("raises a critical alert when a recent audit event was changed, and when one was removed", async () => {
    const victim = await db.auditEvent.findFirstOrThrow({ where: { tenantId: "acme", action: "token.exchange" }, orderBy: { seq: "desc" } });
    await db.auditEvent.update({ where: { id: victim.id }, data: { outcome: "failure" } });
    try {
      const first = (await tenantStatus(asAdmin())).openAlerts.alerts[0]!;
      expect(first).toMatchObject({ kind: "audit_chain_broken", severity: "critical", subject: { type: "vault", id: null } });
      expect(first.message).toContain(`#${victim.seq}`);
      expect(first.message).toContain("npm run audit:verify");
    } finally {
      await db.auditEvent.update({ where: { id: victim.id }, data: { outcome: victim.outcome } });
    }
    expect((await tenantStatus(asAdmin())).openAlerts.alerts.some((a) => a.kind === "audit_chain_broken")).toBe(false);

    const oldest = await db.auditEvent.findFirstOrThrow({ where: { tenantId: "acme", seq: 1 } });
    await db.auditEvent.delete({ where: { id: oldest.id } });
    try {
      const alert = (await tenantStatus(asAdmin())).openAlerts.alerts.find((a) => a.kind === "audit_chain_broken");
      expect(alert?.message).toMatch(/events were removed or inserted/);
    } finally {
      await db.auditEvent.create({ data: oldest as never });
    }
  });

  it("warns when more than one signing key is active", async () => {
    const kids = [randomUUID(), randomUUID()];
    for (const kid of kids)
      await db.signingKey.create({
        data: { kid, alg: "EdDSA", publicJwk: { kty: "OKP", crv: "Ed25519", x: "AA", kid }, encBlob: new Uint8Array([1]), keyVersion: 1 },
      });
    try {
      const alert = (await tenantStatus(asAdmin())).openAlerts.alerts.find((a) => a.kind === "signing_keys");
      expect(alert?.message).toMatch(/2 signing keys are active at once/);
    } finally {
      await db.signingKey.deleteMany({ where: { kid: { in: kids } } });
    }
  });

  it("reports the refresh engine's state", async () => {
    const { refreshEngine } = await tenantStatus(asAdmin());
    expect(refreshEngine).toMatchObject({ running: false, sweeping: false, lastRunError: null });
  });

  it("refuses a person who is not an administrator", async () => {
    await expect(tenantStatus(asAdmin(alice))).rejects.toMatchObject({ name: "ForbiddenError" });
  });
});

describe("tenantStatus for an agent", () => {
  it("sees the tenant-wide counts", async () => {
    const [admin, agent] = await Promise.all([tenantStatus(asAdmin()), tenantStatus(asAgent(helper))]);
    expect(agent.view).toBe("agent");
    expect(agent.exchanges).toEqual(admin.exchanges);
    expect(agent.connectedAccounts).toEqual(admin.connectedAccounts);
    expect(agent.authorizedAgents).toEqual(admin.authorizedAgents);
  });

  it("sees alerts about its own grants and itself only, naming no person or label", async () => {
    const { openAlerts } = await tenantStatus(asAgent(helper));
    expect(openAlerts.alerts.map((a) => `${a.kind}:${a.subject.id}`).sort()).toEqual(
      [`agent_denials:${helper.id}`, `connection_needs_reconnect:${broken.id}`].sort(),
    );
    const text = JSON.stringify(openAlerts);
    for (const hidden of ["Alice", "Bob", "alice-broken", "bob-flaky", alice.arn, "Helper"]) expect(text).not.toContain(hidden);
    expect(openAlerts.alerts.find((a) => a.kind === "connection_needs_reconnect")!.message).toMatch(
      /behind your delegation needs reconnecting: ask the person who granted it/,
    );
  });

  it("an agent without grants sees no connection alerts and nobody else's denials", async () => {
    const { openAlerts } = await tenantStatus(asAgent(idle));
    expect(openAlerts).toEqual({ count: 0, bySeverity: { critical: 0, warning: 0, info: 0 }, alerts: [] });
  });
});

describe("tenant isolation", () => {
  it("globex sees its own figures and nothing of acme", async () => {
    for (const status of [await tenantStatus(asAdmin(dave)), await tenantStatus(asAgent(globexAgent))]) {
      expect(status.tenantId).toBe("globex");
      expect(status.exchanges).toEqual({ total: 1, success: 1, failure: 0, byProvider: { "demo-tasks": { success: 1, failure: 0 } } });
      expect(status.connectedAccounts).toEqual({ total: 1, byStatus: { active: 1, refreshing: 0, degraded: 0, needs_reconnect: 0 } });
      expect(status.authorizedAgents).toEqual({ authorized: 1, active: 1, suspended: 0, total: 1 });
      expect(status.openAlerts).toEqual({ count: 0, bySeverity: { critical: 0, warning: 0, info: 0 }, alerts: [] });
    }
  });

  it("an exchange naming another tenant's delegation is not attributed to its provider", async () => {
    await audit("globex", "token.exchange", "failure", { agentId: globexAgent.id, target: onGithub.id });
    const status = await tenantStatus(asAdmin(dave));
    expect(status.exchanges.byProvider).toEqual({ "demo-tasks": { success: 1, failure: 0 }, [UNKNOWN_PROVIDER]: { success: 0, failure: 1 } });
  });
});
