// Credential resolution with real connections: alice's own Demo Tasks connection first; bob's
// connection, marked as the tenant's service account, only when alice's is unusable AND the tenant
// switch, the agent's ceiling and the delegation all allow it. Each gate is shown refusing, and the
// answer, the receipt and the audit say which credential was used.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { startActionWorld } from "@/lib/testing/action-world";
import { DEMO_TASKS_CEILING, insertConnection } from "@/lib/testing/fixtures";
import type { TestClient } from "@/lib/testing/oauth-clients";

const w = await startActionWorld();
const { runTool } = await import("./tools");
const { runProxy } = await import("./proxy");
const { VaultError } = await import("@/lib/errors");
const { loadActionContext, serviceAccountFor, serviceAccountForExchange } = await import("./credential");
const { authenticateBearer } = await import("@/lib/oauth-server/bearer");
const { evaluate } = await import("@/lib/pdp/evaluate");
const { verifyReceipt } = await import("@/lib/receipts/verify");
const { alice, bob } = w.people;
const db = w.db;

let aliceCnx: { id: string; tenantId: string; userId: string };
let bobCnx = "";
let trusted: TestClient;
let untrusted: TestClient;

const opts = { requestId: "req-cred", channel: "api" as const };
const callerFor = async (t: string) => {
  const caller = await authenticateBearer(new Request("http://localhost:3999/api/v1/tools", { headers: { authorization: `Bearer ${t}` } }));
  if (caller.kind !== "delegation") throw new Error("expected a delegation token");
  return caller;
};
async function refusal(p: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof VaultError) return { status: e.status, code: e.code };
    throw e;
  }
  throw new Error("expected a refusal");
}

const setTenantSwitch = (on: boolean) => db.tenant.update({ where: { id: "acme" }, data: { allowServiceAccounts: on } });
const setAliceStatus = (status: "active" | "needs_reconnect" | "revoked") => db.connection.update({ where: { id: aliceCnx.id }, data: { status } });

/** A delegation token issued while alice's connection works (later tests break it after the exchange). */
async function session(client: TestClient, allowServiceAccount: boolean) {
  const d = await w.grant(client, aliceCnx, { allowServiceAccount });
  return callerFor(await w.token(client, d.id));
}

beforeAll(async () => {
  const id = await w.connect();
  aliceCnx = await db.connection.findUniqueOrThrow({ where: { id }, select: { id: true, tenantId: true, userId: true } });
  bobCnx = await w.connect(bob, "bob");
  await db.connection.update({ where: { id: bobCnx }, data: { isServiceAccount: true, label: "acme service account" } });
  await w.rememberTokens(aliceCnx.id);
  await w.rememberTokens(bobCnx);
  trusted = await w.agent({ ...DEMO_TASKS_CEILING, allowServiceAccount: true });
  untrusted = await w.agent({ ...DEMO_TASKS_CEILING, allowServiceAccount: false });
});

afterEach(async () => {
  await setAliceStatus("active");
  await setTenantSwitch(false);
});

afterAll(async () => {
  await w.provider.close();
});

const titles = (output: unknown) => (output as { tasks: { title: string }[] }).tasks.map((t) => t.title);

describe("the person's own connection comes first", () => {
  it("every gate open, alice's connection usable: alice's credential, never the service account", async () => {
    await setTenantSwitch(true);
    const caller = await session(trusted, true);
    const { output, credential, receipt } = await runTool(caller, "demo-tasks.list_tasks", {}, opts);
    expect(credential).toBe("user");
    expect(titles(output)).toContain("Buy oat milk");
    expect(await verifyReceipt(receipt)).toMatchObject({ credential: "user", cnx: aliceCnx.id });
  });
});

describe("a tenant service account, when every gate allows it", () => {
  it("alice's connection needs reconnecting: the tool runs with the service account, and says so everywhere", async () => {
    await setTenantSwitch(true);
    const caller = await session(trusted, true);
    await setAliceStatus("needs_reconnect");
    const { output, credential, receipt } = await runTool(caller, "demo-tasks.list_tasks", {}, opts);
    expect(credential).toBe("service_account");
    expect(titles(output)).toContain("Book dentist appointment");
    const claims = await verifyReceipt(receipt);
    expect(claims).toMatchObject({ credential: "service_account", cnx: bobCnx, sub: alice.arn, del: caller.delegationId });
    const action = await db.auditEvent.findUniqueOrThrow({ where: { tenantId_seq: { tenantId: "acme", seq: claims.audit_seq } } });
    expect(action.details).toMatchObject({ credential: "service_account", connectionId: bobCnx });
    const decision = await db.auditEvent.findFirstOrThrow({
      where: { tenantId: "acme", action: "pdp.decision", seq: { lt: claims.audit_seq } },
      orderBy: { seq: "desc" },
    });
    expect(decision).toMatchObject({ outcome: "allow", details: { credential: "service_account", serviceAccountId: bobCnx } });
  });

  it("the proxy answer names the credential too", async () => {
    await setTenantSwitch(true);
    const caller = await session(trusted, true);
    await setAliceStatus("revoked");
    const res = await runProxy(caller, { method: "GET", path: "/me" }, { requestId: "req-proxy" });
    expect(res).toMatchObject({ credential: "service_account", data: { sub: "bob" } });
  });

  it("alice's refresh token dies during the call: the service account takes over for that call", async () => {
    await setTenantSwitch(true);
    const caller = await session(trusted, true);
    const live = await w.rememberTokens(aliceCnx.id);
    await w.storeTokens(aliceCnx.id, { access: "expired-access-000", refresh: "dead-refresh-000", expiresAt: new Date(Date.now() - 1000) });
    try {
      const { output, credential } = await runTool(caller, "demo-tasks.list_tasks", {}, opts);
      expect(credential).toBe("service_account");
      expect(titles(output)).toContain("Book dentist appointment");
      expect((await db.connection.findUniqueOrThrow({ where: { id: aliceCnx.id } })).status).toBe("needs_reconnect");
    } finally {
      await w.storeTokens(aliceCnx.id, { access: live.access, refresh: live.refresh, expiresAt: new Date(Date.now() + 3_600_000) });
    }
  });
});

describe("the token exchange asks the same gates", () => {
  it("alice's connection already needs reconnecting: the exchange succeeds on the service account, and the tool then runs with it", async () => {
    await setTenantSwitch(true);
    const d = await w.grant(trusted, aliceCnx, { allowServiceAccount: true });
    await setAliceStatus("needs_reconnect");
    const who = { tenantId: "acme", agentId: trusted.agent.id, delegationId: d.id };
    expect(await serviceAccountForExchange(who)).toBe(bobCnx);
    const caller = await callerFor(await w.token(trusted, d.id));
    expect(caller.connectionId).toBe(aliceCnx.id);
    const { output, credential } = await runTool(caller, "demo-tasks.list_tasks", {}, opts);
    expect(credential).toBe("service_account");
    expect(titles(output)).toContain("Book dentist appointment");
  });

  it.each([
    ["the tenant switch is off", { tenant: false, ceiling: true, delegation: true }],
    ["the agent's ceiling does not allow it", { tenant: true, ceiling: false, delegation: true }],
    ["the delegation does not allow it", { tenant: true, ceiling: true, delegation: false }],
  ] as const)("%s: no service account for the exchange, and the token endpoint refuses", async (_name, gates) => {
    await setTenantSwitch(gates.tenant);
    const client = gates.ceiling ? trusted : untrusted;
    const d = await w.grant(client, aliceCnx, { allowServiceAccount: gates.delegation });
    await setAliceStatus("needs_reconnect");
    expect(await serviceAccountForExchange({ tenantId: "acme", agentId: client.agent.id, delegationId: d.id })).toBeUndefined();
    await expect(w.token(client, d.id)).rejects.toThrow(/invalid_grant/);
  });

  it("names no service account while alice's connection works, or for someone else's delegation", async () => {
    await setTenantSwitch(true);
    const d = await w.grant(trusted, aliceCnx, { allowServiceAccount: true });
    expect(await serviceAccountForExchange({ tenantId: "acme", agentId: trusted.agent.id, delegationId: d.id })).toBeUndefined();
    await setAliceStatus("needs_reconnect");
    expect(await serviceAccountForExchange({ tenantId: "acme", agentId: untrusted.agent.id, delegationId: d.id })).toBeUndefined();
    expect(await serviceAccountForExchange({ tenantId: "globex", agentId: trusted.agent.id, delegationId: d.id })).toBeUndefined();
    expect(await serviceAccountForExchange({ tenantId: "acme", agentId: trusted.agent.id, delegationId: "no-such-delegation" })).toBeUndefined();
  });
});

describe("each gate refusing keeps the service account out", () => {
  it.each([
    ["the tenant switch is off", { tenant: false, ceiling: true, delegation: true }, "tenant_switch"],
    ["the agent's ceiling does not allow it", { tenant: true, ceiling: false, delegation: true }, "agent_ceiling"],
    ["the delegation does not allow it", { tenant: true, ceiling: true, delegation: false }, "delegation"],
  ] as const)("%s: the agent is refused (connection_unavailable), the service account is not used", async (_name, gates, gate) => {
    await setTenantSwitch(gates.tenant);
    const caller = await session(gates.ceiling ? trusted : untrusted, gates.delegation);
    await setAliceStatus("needs_reconnect");
    expect(await serviceAccountFor(await loadActionContext(caller))).toEqual({ refused: gate });
    expect(await refusal(runTool(caller, "demo-tasks.list_tasks", {}, opts))).toEqual({ status: 403, code: "connection_unavailable" });
    const last = await db.auditEvent.findFirstOrThrow({ where: { tenantId: "acme" }, orderBy: { seq: "desc" } });
    expect(last).toMatchObject({ action: "pdp.decision", outcome: "deny" });
    expect(last.details).not.toHaveProperty("credential");
  });

  it("no service account is connected for the provider", async () => {
    await setTenantSwitch(true);
    const caller = await session(trusted, true);
    await setAliceStatus("needs_reconnect");
    await db.connection.update({ where: { id: bobCnx }, data: { isServiceAccount: false } });
    try {
      expect(await serviceAccountFor(await loadActionContext(caller))).toEqual({ refused: "none_connected" });
      expect(await refusal(runTool(caller, "demo-tasks.list_tasks", {}, opts))).toEqual({ status: 403, code: "connection_unavailable" });
    } finally {
      await db.connection.update({ where: { id: bobCnx }, data: { isServiceAccount: true } });
    }
  });

  it("mid-call loss with a gate closed: the agent gets connection_needs_reconnect", async () => {
    await setTenantSwitch(false);
    const caller = await session(trusted, true);
    const live = await w.rememberTokens(aliceCnx.id);
    await w.storeTokens(aliceCnx.id, { access: "expired-access-001", refresh: "dead-refresh-001", expiresAt: new Date(Date.now() - 1000) });
    try {
      expect(await refusal(runTool(caller, "demo-tasks.list_tasks", {}, opts))).toEqual({ status: 409, code: "connection_needs_reconnect" });
    } finally {
      await w.storeTokens(aliceCnx.id, { access: live.access, refresh: live.refresh, expiresAt: new Date(Date.now() + 3_600_000) });
    }
  });

  it("the PDP itself refuses a stand-in that is not a service account, or an agent whose ceiling forbids one", async () => {
    const caller = await session(trusted, true);
    const ordinary = await insertConnection(db, bob);
    const notServiceAccount = await evaluate({
      tenantId: "acme",
      agentId: trusted.agent.id,
      delegationId: caller.delegationId,
      action: { kind: "tool", tool: "demo-tasks.list_tasks" },
      serviceAccountId: ordinary.id,
    });
    expect(notServiceAccount).toMatchObject({ decision: "deny", code: "connection_unavailable" });
    const otherCaller = await session(untrusted, true);
    const ceilingSays = await evaluate({
      tenantId: "acme",
      agentId: untrusted.agent.id,
      delegationId: otherCaller.delegationId,
      action: { kind: "tool", tool: "demo-tasks.list_tasks" },
      serviceAccountId: bobCnx,
    });
    expect(ceilingSays).toMatchObject({ decision: "deny", code: "service_account_not_allowed", layer: "ceiling" });
    const allowed = await evaluate({
      tenantId: "acme",
      agentId: trusted.agent.id,
      delegationId: caller.delegationId,
      action: { kind: "tool", tool: "demo-tasks.list_tasks" },
      serviceAccountId: bobCnx,
    });
    expect(allowed.decision).toBe("allow");
  });
});
