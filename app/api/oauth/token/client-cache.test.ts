// The token endpoint remembers what it verified, and forgets it the moment it stops being true;
// and it slows down whoever keeps failing. A remembered secret stops working at once when the agent
// is rotated (no overlap), suspended or deleted; failed client authentication is throttled per client
// id and per source address with 429 and Retry-After, before any secret is hashed, while others are
// served as usual.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { startConnectWorld } from "@/lib/testing/connect-harness";
import { insertConnection, insertDelegation } from "@/lib/testing/fixtures";
import { agentWithCredentials, exchangeParams, type TestClient } from "@/lib/testing/oauth-clients";

const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const { POST } = await import("./route");
const { resetAuthThrottle, AUTH_THROTTLE_LIMITS } = await import("@/lib/oauth-server/throttle");
const { updateAgent, deleteAgent } = await import("@/lib/agents/agents");
const { bob, alice } = world.people;
const db = await getDb();
const ISSUER = "http://localhost:3999";

beforeEach(() => resetAuthThrottle());

afterAll(async () => {
  await world.provider.close();
});

async function exchange(client: { clientId: string }, secret: string, delegationId: string, address = "203.0.113.7") {
  const res = await POST(
    new Request(`${ISSUER}/api/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": address },
      body: new URLSearchParams(exchangeParams(delegationId, { client_id: client.clientId, client_secret: secret })).toString(),
    }),
  );
  return { status: res.status, retryAfter: res.headers.get("retry-after"), body: (await res.json()) as { access_token?: string; error?: string } };
}

async function agentWithGrant(): Promise<{ client: TestClient; delegationId: string }> {
  const client = await agentWithCredentials(db, "acme");
  const connection = await insertConnection(db, alice, { scopes: ["tasks.read"] });
  const delegationId = (await insertDelegation(db, { agentId: client.agent.id, connection, scopes: ["tasks.read"] })).id;
  return { client, delegationId };
}

describe("what the token endpoint remembers about a client", () => {
  let a: { client: TestClient; delegationId: string };
  beforeAll(async () => {
    a = await agentWithGrant();
  });

  it("a rotation without overlap: the remembered old secret is refused at once, the new one works", async () => {
    expect((await exchange(a.client, a.client.secret, a.delegationId)).status).toBe(200);
    expect((await exchange(a.client, a.client.secret, a.delegationId)).status).toBe(200);
    const { clientSecret } = await updateAgent(bob, a.client.agent.id, { rotateSecret: { overlapSeconds: 0 } });
    expect(await exchange(a.client, a.client.secret, a.delegationId)).toMatchObject({ status: 401, body: { error: "invalid_client" } });
    expect((await exchange(a.client, clientSecret!, a.delegationId)).status).toBe(200);
    a.client = { ...a.client, secret: clientSecret! };
  });

  it("a suspension: the remembered secret is refused at once; resumed, it works again", async () => {
    expect((await exchange(a.client, a.client.secret, a.delegationId)).status).toBe(200);
    await updateAgent(bob, a.client.agent.id, { status: "suspended" });
    expect(await exchange(a.client, a.client.secret, a.delegationId)).toMatchObject({ status: 401, body: { error: "invalid_client" } });
    await updateAgent(bob, a.client.agent.id, { status: "active" });
    expect((await exchange(a.client, a.client.secret, a.delegationId)).status).toBe(200);
  });

  it("a suspension written straight to the database (another instance, say) is seen too", async () => {
    expect((await exchange(a.client, a.client.secret, a.delegationId)).status).toBe(200);
    await db.agent.update({ where: { id: a.client.agent.id }, data: { status: "suspended" } });
    expect(await exchange(a.client, a.client.secret, a.delegationId)).toMatchObject({ status: 401, body: { error: "invalid_client" } });
    await db.agent.update({ where: { id: a.client.agent.id }, data: { status: "active" } });
  });

  it("a deletion: the remembered secret is refused at once", async () => {
    const d = await agentWithGrant();
    expect((await exchange(d.client, d.client.secret, d.delegationId)).status).toBe(200);
    await deleteAgent(bob, d.client.agent.id);
    expect(await exchange(d.client, d.client.secret, d.delegationId)).toMatchObject({ status: 401, body: { error: "invalid_client" } });
  });
});

describe("throttling failed client authentication", () => {
  it(`per client id: after ${AUTH_THROTTLE_LIMITS.client.points} failures even the right secret waits (429, Retry-After); other clients do not`, async () => {
    const a = await agentWithGrant();
    const other = await agentWithGrant();
    for (let i = 0; i < AUTH_THROTTLE_LIMITS.client.points; i++) {
      // Each from its own address, so only the per-client count is reached.
      expect((await exchange(a.client, "tvs_wrong", a.delegationId, `198.51.100.${i}`)).status).toBe(401);
    }
    const blocked = await exchange(a.client, a.client.secret, a.delegationId, "198.51.100.200");
    expect(blocked).toMatchObject({ status: 429, body: { error: "temporarily_unavailable" } });
    expect(blocked.body).not.toHaveProperty("access_token");
    expect(Number(blocked.retryAfter)).toBeGreaterThan(0);
    expect(Number(blocked.retryAfter)).toBeLessThanOrEqual(AUTH_THROTTLE_LIMITS.client.blockDuration);
    expect((await exchange(other.client, other.client.secret, other.delegationId, "198.51.100.201")).status).toBe(200);
  });

  it(`per address: ${AUTH_THROTTLE_LIMITS.address.points} failures over many client ids block that address only`, async () => {
    const a = await agentWithGrant();
    for (let i = 0; i < AUTH_THROTTLE_LIMITS.address.points; i++) {
      expect((await exchange({ clientId: `agt_guess${i}` }, "tvs_wrong", a.delegationId, "192.0.2.66")).status).toBe(401);
    }
    expect((await exchange(a.client, a.client.secret, a.delegationId, "192.0.2.66")).status).toBe(429);
    expect((await exchange(a.client, a.client.secret, a.delegationId, "192.0.2.67")).status).toBe(200);
  });

  it("successes never count towards the limit", async () => {
    const a = await agentWithGrant();
    for (let i = 0; i < AUTH_THROTTLE_LIMITS.client.points + 5; i++) expect((await exchange(a.client, a.client.secret, a.delegationId)).status).toBe(200);
  });
});
