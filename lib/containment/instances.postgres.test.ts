// Containment across two portal instances on one PostgreSQL database (lib/testing/instances.ts):
// this test process is instance A, a child process is instance B with caches of its own. An alert
// opened on A holds the agent back on B at its very next call, however warm B's copies of the rows
// are: a suspension refuses it (401 agent_suspended), a rate limit answers 429 with Retry-After.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startActionWorld } from "@/lib/testing/action-world";
import { createPostgresDatabase } from "@/lib/testing/db";
import { startInstance, type Instance } from "@/lib/testing/instances";

const database = await createPostgresDatabase();
const w = await startActionWorld({ databaseUrl: database.url });
const { POST: proxyA } = await import("@/app/api/v1/proxy/route");
const { issueToken } = await import("@/lib/testing/agent-tokens");
const { exchangeParams } = await import("@/lib/testing/oauth-clients");
const { createPolicy } = await import("./policies");
const { bob } = w.people;

let b: Instance;
let cnx: { id: string; tenantId: string; userId: string };

async function callB(token: string): Promise<{ status: number; code?: string; retryAfter: string | null }> {
  const res = await fetch(`${b.url}/api/v1/proxy`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ method: "GET", path: "/tasks" }),
  });
  return { status: res.status, code: ((await res.json()) as { code?: string }).code, retryAfter: res.headers.get("retry-after") };
}

async function session() {
  const agent = await w.agent();
  const d = await w.grant(agent, cnx);
  return { agent, delegationId: d.id, token: await w.token(agent, d.id) };
}

beforeAll(async () => {
  const id = await w.connect();
  cnx = await w.db.connection.findUniqueOrThrow({ where: { id }, select: { id: true, tenantId: true, userId: true } });
  b = await startInstance();
  await createPolicy(bob, {
    detector: "unauthorized_agent",
    action: "suspend",
    dryRun: false,
    requireAdminApproval: false,
    cooldownSeconds: 300,
    enabled: true,
  });
  await createPolicy(bob, { detector: "denial_storm", action: "rate_limit", dryRun: false, requireAdminApproval: false, cooldownSeconds: 90, enabled: true });
});

afterAll(async () => {
  await b.kill();
  await w.provider.close();
  await database.drop();
});

describe("an enforcement on one instance holds the agent on the other", () => {
  it("a suspension for unauthorized access on A refuses the agent's next call on B", async () => {
    const victim = await session();
    const { agent, token } = await session();
    for (let i = 0; i < 3; i++) expect((await callB(token)).status).toBe(200);
    await expect(issueToken(agent, exchangeParams(victim.delegationId))).rejects.toThrow(/invalid_grant/);
    expect((await w.db.agent.findUniqueOrThrow({ where: { id: agent.agent.id } })).status).toBe("suspended");
    expect(await callB(token)).toMatchObject({ status: 401, code: "agent_suspended" });
    expect((await callB(victim.token)).status).toBe(200);
  });

  it("a rate limit for a denial storm on A answers the agent's next call on B with 429", async () => {
    const { token } = await session();
    expect((await callB(token)).status).toBe(200);
    for (let i = 0; i < 11; i++) {
      const res = await w.send(proxyA, "/api/v1/proxy", { body: { method: "PUT", path: "/tasks/1", body: {} }, token });
      expect(res.status).toBe(403);
    }
    const held = await callB(token);
    expect(held).toMatchObject({ status: 429, code: "agent_rate_limited" });
    expect(Number(held.retryAfter)).toBeGreaterThan(60);
  });
});
