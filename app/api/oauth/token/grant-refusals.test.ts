// Token exchange refusals about the grant itself, after the client authenticated: the delegation is
// another agent's or another tenant's, revoked, expired, on a disconnected connection or outside the
// agent's ceiling (invalid_grant), or the scope asked for is wider than delegated (invalid_scope).
// Each answers the exact error, issues nothing, and is audited as a token.exchange failure.
// And the one way past a connection that needs reconnecting or is disconnected: the tenant's service
// account, only when the tenant switch, the agent's ceiling and the delegation all allow it (each gate
// is shown refusing, invalid_grant as before).
import { randomUUID } from "node:crypto";

import { decodeJwt } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { startConnectWorld } from "@/lib/testing/connect-harness";
import { DEMO_TASKS_CEILING, insertAgent, insertConnection, insertDelegation } from "@/lib/testing/fixtures";
import { agentWithCredentials, exchangeParams, tokenRequest, type TestClient } from "@/lib/testing/oauth-clients";

const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const { POST } = await import("./route");
const { alice, bob, carol } = world.people;
const ISSUER = "http://localhost:3999";

const db = await getDb();
let client: TestClient;
let delegationId: string;

beforeAll(async () => {
  client = await agentWithCredentials(db, "acme");
  const connection = await insertConnection(db, alice, { scopes: ["tasks.read", "tasks.write"] });
  delegationId = (await insertDelegation(db, { agentId: client.agent.id, connection, scopes: ["tasks.read"] })).id;
});

afterAll(async () => {
  await world.provider.close();
});

const successCount = () => db.auditEvent.count({ where: { action: "token.exchange", outcome: "success" } });
const postAuth = (c: TestClient = client) => ({ client_id: c.clientId, client_secret: c.secret });

async function expectRefused(req: Request, error: string) {
  const before = await successCount();
  const res = await POST(req);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body.error).toBe(error);
  expect(typeof body.error_description).toBe("string");
  expect(body).not.toHaveProperty("access_token");
  expect(res.status).toBe(400);
  expect(res.headers.get("cache-control")).toBe("no-store");
  expect(await successCount()).toBe(before);
  return { res, body };
}

describe("grant refusals", () => {
  it("delegation of another agent (invalid_grant)", async () => {
    const other = await agentWithCredentials(db, "acme");
    await expectRefused(tokenRequest(ISSUER, exchangeParams(delegationId, postAuth(other))), "invalid_grant");
  });

  it("delegation of another tenant (invalid_grant), worded like an unknown one", async () => {
    const globexAgent = await insertAgent(db, "globex", { ceiling: DEMO_TASKS_CEILING });
    const connection = await insertConnection(db, carol);
    const theirs = await insertDelegation(db, { agentId: globexAgent.id, connection });
    const other = await expectRefused(tokenRequest(ISSUER, exchangeParams(theirs.id, postAuth())), "invalid_grant");
    const unknown = await expectRefused(tokenRequest(ISSUER, exchangeParams(randomUUID(), postAuth())), "invalid_grant");
    expect(other.body.error_description).toBe(unknown.body.error_description);
  });

  it("revoked delegation (invalid_grant)", async () => {
    const connection = await insertConnection(db, alice);
    const d = await insertDelegation(db, { agentId: client.agent.id, connection, revokedAt: new Date() });
    await expectRefused(tokenRequest(ISSUER, exchangeParams(d.id, postAuth())), "invalid_grant");
  });

  it("expired delegation (invalid_grant)", async () => {
    const connection = await insertConnection(db, alice);
    const d = await insertDelegation(db, { agentId: client.agent.id, connection, expiresAt: new Date(Date.now() - 1000) });
    await expectRefused(tokenRequest(ISSUER, exchangeParams(d.id, postAuth())), "invalid_grant");
  });

  it("delegation on a disconnected connection (invalid_grant)", async () => {
    const connection = await insertConnection(db, alice, { status: "revoked" });
    const d = await insertDelegation(db, { agentId: client.agent.id, connection });
    await expectRefused(tokenRequest(ISSUER, exchangeParams(d.id, postAuth())), "invalid_grant");
  });

  it("delegation on a provider the agent's ceiling no longer allows (invalid_grant)", async () => {
    const narrow = await agentWithCredentials(db, "acme", { ceiling: { ...DEMO_TASKS_CEILING, providers: [] } });
    const connection = await insertConnection(db, alice);
    const d = await insertDelegation(db, { agentId: narrow.agent.id, connection });
    await expectRefused(tokenRequest(ISSUER, exchangeParams(d.id, postAuth(narrow))), "invalid_grant");
  });

  it("requested scope wider than the delegation (invalid_scope)", async () => {
    await expectRefused(tokenRequest(ISSUER, exchangeParams(delegationId, { ...postAuth(), scope: "tasks.read tasks.write" })), "invalid_scope");
    await expectRefused(tokenRequest(ISSUER, exchangeParams(delegationId, { ...postAuth(), scope: "tasks.admin" })), "invalid_scope");
    await expectRefused(tokenRequest(ISSUER, exchangeParams(delegationId, { ...postAuth(), scope: "" })), "invalid_scope");
  });

  it("audits every refusal after client authentication as a token.exchange failure", async () => {
    const before = await db.auditEvent.count({ where: { action: "token.exchange", outcome: "failure", agentId: client.agent.id } });
    await expectRefused(tokenRequest(ISSUER, exchangeParams(randomUUID(), postAuth())), "invalid_grant");
    await expectRefused(tokenRequest(ISSUER, exchangeParams(delegationId, { ...postAuth(), scope: "tasks.write" })), "invalid_scope");
    expect(await db.auditEvent.count({ where: { action: "token.exchange", outcome: "failure", agentId: client.agent.id } })).toBe(before + 2);
  });
});

describe("a tenant service account standing in for an unusable connection", () => {
  let trusted: TestClient;
  let untrusted: TestClient;
  let serviceAccount: string;
  const setTenantSwitch = (tenantId: string, on: boolean) => db.tenant.update({ where: { id: tenantId }, data: { allowServiceAccounts: on } });

  beforeAll(async () => {
    trusted = await agentWithCredentials(db, "acme", { ceiling: { ...DEMO_TASKS_CEILING, allowServiceAccount: true } });
    untrusted = await agentWithCredentials(db, "acme", { ceiling: { ...DEMO_TASKS_CEILING, allowServiceAccount: false } });
    serviceAccount = (await insertConnection(db, bob, { label: "acme service account" })).id;
    await db.connection.update({ where: { id: serviceAccount }, data: { isServiceAccount: true } });
  });

  afterEach(async () => {
    await setTenantSwitch("acme", false);
    await setTenantSwitch("globex", false);
    await db.connection.update({ where: { id: serviceAccount }, data: { isServiceAccount: true } });
  });

  /** A delegation on a connection of alice's in this state. */
  async function grantOn(c: TestClient, status: "active" | "needs_reconnect" | "revoked", allowServiceAccount: boolean) {
    const connection = await insertConnection(db, alice, { status });
    const d = await insertDelegation(db, { agentId: c.agent.id, connection, allowServiceAccount });
    return { delegationId: d.id, connectionId: connection.id };
  }

  const lastDecision = () => db.auditEvent.findFirstOrThrow({ where: { tenantId: "acme", action: "pdp.decision" }, orderBy: { seq: "desc" } });

  it.each(["needs_reconnect", "revoked"] as const)(
    "every gate open, alice's connection %s: the exchange succeeds on the service account, and says so",
    async (status) => {
      await setTenantSwitch("acme", true);
      const { delegationId, connectionId } = await grantOn(trusted, status, true);
      const res = await POST(tokenRequest(ISSUER, exchangeParams(delegationId, postAuth(trusted))));
      const body = (await res.json()) as Record<string, unknown>;
      expect(res.status).toBe(200);
      expect(body).toMatchObject({ token_type: "Bearer", scope: "tasks.read" });
      // The token still names the person's own connection: every action re-resolves the credential.
      expect(decodeJwt(body.access_token as string)).toMatchObject({ cnx: connectionId, del: delegationId, sub: alice.arn });
      const decision = await lastDecision();
      expect(decision).toMatchObject({
        outcome: "allow",
        target: delegationId,
        details: { kind: "exchange", credential: "service_account", serviceAccountId: serviceAccount },
      });
      const issued = await db.auditEvent.findFirstOrThrow({ where: { action: "token.exchange", target: delegationId }, orderBy: { seq: "desc" } });
      expect(issued).toMatchObject({ outcome: "success", details: { credential: "service_account", serviceAccountId: serviceAccount } });
    },
  );

  it("alice's connection works: her own is used, even with every gate open", async () => {
    await setTenantSwitch("acme", true);
    const { delegationId } = await grantOn(trusted, "active", true);
    const res = await POST(tokenRequest(ISSUER, exchangeParams(delegationId, postAuth(trusted))));
    expect(res.status).toBe(200);
    expect((await lastDecision()).details).not.toHaveProperty("credential");
    const issued = await db.auditEvent.findFirstOrThrow({ where: { action: "token.exchange", target: delegationId } });
    expect(issued.details).not.toHaveProperty("credential");
  });

  it.each([
    ["the tenant switch is off", { tenant: false, ceiling: true, delegation: true }],
    ["the agent's ceiling does not allow service accounts", { tenant: true, ceiling: false, delegation: true }],
    ["the delegation does not allow the service account", { tenant: true, ceiling: true, delegation: false }],
  ] as const)("%s: refused (invalid_grant), as before", async (_name, gates) => {
    await setTenantSwitch("acme", gates.tenant);
    const c = gates.ceiling ? trusted : untrusted;
    const { delegationId } = await grantOn(c, "needs_reconnect", gates.delegation);
    const { body } = await expectRefused(tokenRequest(ISSUER, exchangeParams(delegationId, postAuth(c))), "invalid_grant");
    expect(body.error_description).toMatch(/reconnect/);
    expect(await lastDecision()).toMatchObject({ outcome: "deny", target: delegationId, details: { code: "connection_unavailable" } });
    expect((await lastDecision()).details).not.toHaveProperty("credential");
  });

  it("no service account for the provider in this tenant (only another tenant's): refused (invalid_grant)", async () => {
    await setTenantSwitch("acme", true);
    await setTenantSwitch("globex", true);
    await db.connection.update({ where: { id: serviceAccount }, data: { isServiceAccount: false } });
    const globexAccount = await insertConnection(db, carol);
    await db.connection.update({ where: { id: globexAccount.id }, data: { isServiceAccount: true } });
    const { delegationId } = await grantOn(trusted, "needs_reconnect", true);
    await expectRefused(tokenRequest(ISSUER, exchangeParams(delegationId, postAuth(trusted))), "invalid_grant");
    expect((await lastDecision()).details).not.toHaveProperty("serviceAccountId");
  });

  it("the service account itself needs reconnecting: refused (invalid_grant)", async () => {
    await setTenantSwitch("acme", true);
    await db.connection.update({ where: { id: serviceAccount }, data: { status: "needs_reconnect" } });
    try {
      const { delegationId } = await grantOn(trusted, "needs_reconnect", true);
      await expectRefused(tokenRequest(ISSUER, exchangeParams(delegationId, postAuth(trusted))), "invalid_grant");
    } finally {
      await db.connection.update({ where: { id: serviceAccount }, data: { status: "active" } });
    }
  });

  it("a revoked or expired delegation stays refused even when the service account would stand in", async () => {
    await setTenantSwitch("acme", true);
    const connection = await insertConnection(db, alice, { status: "needs_reconnect" });
    const revoked = await insertDelegation(db, { agentId: trusted.agent.id, connection, allowServiceAccount: true, revokedAt: new Date() });
    const expired = await insertDelegation(db, { agentId: trusted.agent.id, connection, allowServiceAccount: true, expiresAt: new Date(Date.now() - 1000) });
    await expectRefused(tokenRequest(ISSUER, exchangeParams(revoked.id, postAuth(trusted))), "invalid_grant");
    expect((await lastDecision()).details).toMatchObject({ code: "delegation_revoked", credential: "service_account" });
    await expectRefused(tokenRequest(ISSUER, exchangeParams(expired.id, postAuth(trusted))), "invalid_grant");
    expect((await lastDecision()).details).toMatchObject({ code: "delegation_expired" });
  });
});
