// GET /api/v1/status over a real database, with the two ways in mocked: a portal session
// (currentPerson) and an agent's access token (authenticateBearer). Administrators and agents get an
// answer for their own tenant; a person who is not an administrator gets 403; no credentials, 401
// with a bearer challenge; a bad token, 401 without falling back to the session.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { startConnectWorld } from "@/lib/testing/connect-harness";

const state = vi.hoisted(() => ({ person: null as null | Record<string, unknown>, bearer: null as null | Record<string, unknown> }));

vi.mock("@/lib/auth/session", () => ({ currentPerson: async () => state.person }));
vi.mock("@/lib/oauth-server/bearer", async (importOriginal) => {
  const real = await importOriginal<typeof import("@/lib/oauth-server/bearer")>();
  return {
    ...real,
    authenticateBearer: async (req: Request) => {
      if (!req.headers.get("authorization")) throw new real.BearerError("token_missing", "This call needs an access token.");
      if (!state.bearer) throw new real.BearerError("token_invalid", "The access token is not valid here.");
      return state.bearer;
    },
  };
});

const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const { appendAudit } = await import("@/lib/audit/append");
const { insertAgent, insertConnection, insertDelegation } = await import("@/lib/testing/fixtures");
const { statusDto } = await import("@/lib/monitor/schemas");
const route = await import("./route");
const { alice, bob, carol } = world.people;
const db = await getDb();

const agent = await insertAgent(db, "acme", { name: "Status reader" });
const connection = await insertConnection(db, alice);
const delegation = await insertDelegation(db, { agentId: agent.id, connection });
await db.$transaction((tx) => appendAudit(tx, { tenantId: "acme", action: "token.exchange", outcome: "success", agentId: agent.id, target: delegation.id }));
const globexAgent = await insertAgent(db, "globex");
const asAgent = (a = agent) => ({ kind: "agent", tenantId: a.tenantId, agent: { id: a.id, clientId: a.clientId, name: a.name } });
const asDelegation = {
  kind: "delegation",
  tenantId: "acme",
  agent: { id: agent.id, clientId: agent.clientId, name: agent.name },
  delegationId: delegation.id,
  connectionId: connection.id,
  userArn: alice.arn,
  scopes: ["tasks.read"],
  tokenId: "jti-1",
  expiresAt: new Date(Date.now() + 300_000),
};

function get(headers: Record<string, string> = {}) {
  return route.GET(new Request("http://localhost:3999/api/v1/status", { headers }), { params: Promise.resolve({}) });
}
const bearer = { authorization: "Bearer token-from-the-vault" };

beforeEach(() => {
  state.person = null;
  state.bearer = null;
});

describe("GET /api/v1/status", () => {
  it("answers an administrator with the whole tenant's status", async () => {
    state.person = bob;
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = statusDto.parse(await res.json());
    expect(body).toMatchObject({ tenantId: "acme", view: "admin", exchanges: { total: 1, success: 1, byProvider: { "demo-tasks": { success: 1, failure: 0 } } } });
    expect(body.authorizedAgents.authorized).toBe(1);
  });

  it("answers an agent token and a delegation token with the agent view", async () => {
    for (const caller of [asAgent(), asDelegation]) {
      state.bearer = caller;
      const res = await get(bearer);
      expect(res.status).toBe(200);
      expect(res.headers.get("x-request-id")).toBeTruthy();
      expect(await res.json()).toMatchObject({ tenantId: "acme", view: "agent", exchanges: { total: 1 } });
    }
  });

  it("gives another tenant's agent nothing of acme", async () => {
    state.bearer = asAgent(globexAgent);
    const body = await (await get(bearer)).json();
    expect(body).toMatchObject({ tenantId: "globex", exchanges: { total: 0, byProvider: {} }, connectedAccounts: { total: 0 }, authorizedAgents: { total: 1, authorized: 0 } });
  });

  it("refuses a signed-in person who is not an administrator with 403", async () => {
    for (const person of [alice, carol]) {
      state.person = person;
      const res = await get();
      expect(res.status).toBe(403);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(await res.json()).toMatchObject({ status: 403, code: "forbidden" });
    }
  });

  it("refuses a call with no credentials with 401 and a bearer challenge", async () => {
    const res = await get();
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer realm=/);
    expect(await res.json()).toMatchObject({ status: 401, code: "unauthenticated" });
  });

  it("refuses a bad token with 401 even when a session cookie would have been good", async () => {
    state.person = bob;
    const res = await get(bearer);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/error="invalid_token"/);
    expect(await res.json()).toMatchObject({ code: "token_invalid" });
  });
});
