// Token exchange refusals about the grant itself, after the client authenticated: the delegation is
// another agent's or another tenant's, revoked, expired, on a disconnected connection or outside the
// agent's ceiling (invalid_grant), or the scope asked for is wider than delegated (invalid_scope).
// Each answers the exact error, issues nothing, and is audited as a token.exchange failure.
import { randomUUID } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startConnectWorld } from "@/lib/testing/connect-harness";
import { DEMO_TASKS_CEILING, insertAgent, insertConnection, insertDelegation } from "@/lib/testing/fixtures";
import { agentWithCredentials, exchangeParams, tokenRequest, type TestClient } from "@/lib/testing/oauth-clients";

const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const { POST } = await import("./route");
const { alice, carol } = world.people;
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
