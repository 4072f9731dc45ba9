// GET /api/v1/status over a real database, with the two ways in as they are: a portal session cookie
// and access tokens from the vault's token endpoint. Administrators and agents get an answer for
// their own tenant; a person who is not an administrator gets 403; no credentials, 401
// with a bearer challenge; a bad token, 401 without falling back to the session.
import { beforeEach, describe, expect, it } from "vitest";
import {
  agentToken,
  agentWithCredentials,
  bearer,
  delegationToken,
  DEMO_TASKS_CEILING,
  insertConnection,
  insertDelegation,
  portalBrowser,
  startConnectWorld,
} from "@/lib/testing";

const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const { statusDto } = await import("@/lib/monitor/schemas");
const route = await import("./route");
const { alice, bob, carol } = world.people;
const db = await getDb();
const browser = portalBrowser();

const reader = await agentWithCredentials(db, "acme", { name: "Status reader", ceiling: DEMO_TASKS_CEILING });
const connection = await insertConnection(db, alice);
const delegation = await insertDelegation(db, { agentId: reader.agent.id, connection });
// The tenant's one token exchange is the real one that issues this delegation token.
const delegationBearer = bearer(await delegationToken(reader, delegation.id));
const agentBearer = bearer(await agentToken(reader));
const globexBearer = bearer(await agentToken(await agentWithCredentials(db, "globex")));

function get(headers: Record<string, string> = {}) {
  return route.GET(browser.request("/api/v1/status", { headers }), { params: Promise.resolve({}) });
}
const forged = { authorization: "Bearer token-from-the-vault" };

beforeEach(() => {
  browser.signOut();
});

describe("GET /api/v1/status", () => {
  it("answers an administrator with the whole tenant's status", async () => {
    await browser.signIn(bob);
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = statusDto.parse(await res.json());
    expect(body).toMatchObject({
      tenantId: "acme",
      view: "admin",
      exchanges: { total: 1, success: 1, byProvider: { "demo-tasks": { success: 1, failure: 0 } } },
    });
    expect(body.authorizedAgents.authorized).toBe(1);
  });

  it("answers an agent token and a delegation token with the agent view", async () => {
    for (const token of [agentBearer, delegationBearer]) {
      const res = await get(token);
      expect(res.status).toBe(200);
      expect(res.headers.get("x-request-id")).toBeTruthy();
      expect(await res.json()).toMatchObject({ tenantId: "acme", view: "agent", exchanges: { total: 1 } });
    }
  });

  it("gives another tenant's agent nothing of acme", async () => {
    const body = await (await get(globexBearer)).json();
    expect(body).toMatchObject({
      tenantId: "globex",
      exchanges: { total: 0, byProvider: {} },
      connectedAccounts: { total: 0 },
      authorizedAgents: { total: 1, authorized: 0 },
    });
  });

  it("refuses a signed-in person who is not an administrator with 403", async () => {
    for (const person of [alice, carol]) {
      await browser.signIn(person);
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
    await browser.signIn(bob);
    const res = await get(forged);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/error="invalid_token"/);
    expect(await res.json()).toMatchObject({ code: "token_invalid" });
  });
});
