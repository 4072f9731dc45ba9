// Two portal instances on one PostgreSQL database, each with its own caches and audit writer: this
// test process is instance A, a child process is instance B (lib/testing/instances.ts). What one
// instance commits, the other obeys on its very next call, however warm its caches; a rate limit is
// exact across both; and a process killed right after its provider call leaves the call's
// write-ahead record in the audit log.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startActionWorld } from "@/lib/testing/action-world";
import { createPostgresDatabase } from "@/lib/testing/db";
import { startInstance, type Instance } from "@/lib/testing/instances";
import type { TestClient } from "@/lib/testing/oauth-clients";

const database = await createPostgresDatabase();
const w = await startActionWorld({ databaseUrl: database.url });
const { POST: proxyA } = await import("@/app/api/v1/proxy/route");
const { revokeDelegation } = await import("@/lib/delegations/delegations");
const { updateAgent } = await import("@/lib/agents/agents");
const { disconnectConnection } = await import("@/lib/vault/connect/disconnect");
const { verifyTenantChain } = await import("@/lib/audit/verify");
const { alice, bob } = w.people;
const db = w.db;

let b: Instance;
let cnx: { id: string; tenantId: string; userId: string };

type Answer = { status: number; code?: string; startedAt: number };
const GET_TASKS = { method: "GET", path: "/tasks" };

async function callB(token: string, body: unknown = GET_TASKS): Promise<Answer> {
  const startedAt = performance.now();
  const res = await fetch(`${b.url}/api/v1/proxy`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { code?: string };
  return { status: res.status, code: json.code, startedAt };
}

async function callA(token: string): Promise<Answer> {
  const startedAt = performance.now();
  const res = await w.send(proxyA, "/api/v1/proxy", { body: GET_TASKS, token });
  return { status: res.status, code: (res.json as { code?: string } | null)?.code, startedAt };
}

async function session(client?: TestClient, constraints?: Record<string, unknown>) {
  const agent = client ?? (await w.agent());
  const d = await w.grant(agent, cnx, constraints ? { constraints } : {});
  return { agent, delegationId: d.id, token: await w.token(agent, d.id) };
}

beforeAll(async () => {
  const id = await w.connect();
  cnx = await db.connection.findUniqueOrThrow({ where: { id }, select: { id: true, tenantId: true, userId: true } });
  b = await startInstance();
});

afterAll(async () => {
  await b.kill();
  await w.provider.close();
  await database.drop();
});

/** Calls B in `streams` closed loops until stopped; every answer with the moment it was sent. */
function streamOnB(token: string, streams = 4) {
  const answers: Answer[] = [];
  let stopped = false;
  const loops = Array.from({ length: streams }, async () => {
    while (!stopped) answers.push(await callB(token));
  });
  return {
    answers,
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

describe("a change committed on one instance refuses the very next call on the other", () => {
  it("a revoke on A, raced against a stream of calls on B: no call sent after its commit is allowed", async () => {
    const s = await session();
    for (let i = 0; i < 5; i++) expect((await callB(s.token)).status).toBe(200);
    const stream = streamOnB(s.token);
    await new Promise((r) => setTimeout(r, 150));
    const revokeStarted = performance.now();
    await revokeDelegation(alice, s.delegationId);
    const committed = performance.now();
    await new Promise((r) => setTimeout(r, 250));
    await stream.stop();

    const before = stream.answers.filter((a) => a.startedAt < revokeStarted);
    const after = stream.answers.filter((a) => a.startedAt > committed);
    expect(before.filter((a) => a.status === 200).length).toBeGreaterThan(3);
    expect(after.length).toBeGreaterThan(3);
    expect(after.map((a) => `${a.status} ${a.code}`)).toEqual(after.map(() => "401 delegation_revoked"));
    // The audit chain orders them: no allowed decision on this delegation comes after the revocation.
    const revoked = await db.auditEvent.findFirstOrThrow({ where: { action: "delegation.revoke", target: s.delegationId } });
    expect(await db.auditEvent.count({ where: { action: "pdp.decision", target: s.delegationId, outcome: "allow", seq: { gt: revoked.seq } } })).toBe(0);
    expect((await verifyTenantChain(db, "acme")).break).toBeNull();
  });

  it("an agent suspended on A: B's next call is refused", async () => {
    const s = await session();
    for (let i = 0; i < 3; i++) expect((await callB(s.token)).status).toBe(200);
    await updateAgent(bob, s.agent.agent.id, { status: "suspended" });
    expect(await callB(s.token)).toMatchObject({ status: 401, code: "agent_suspended" });
    await updateAgent(bob, s.agent.agent.id, { status: "active" });
    expect((await callB(s.token)).status).toBe(200);
  });

  it("a ceiling narrowed on A: B's next call is refused by the new ceiling", async () => {
    const s = await session();
    expect((await callB(s.token)).status).toBe(200);
    await updateAgent(bob, s.agent.agent.id, {
      ceiling: {
        providers: ["demo-tasks"],
        tools: [],
        methods: ["GET"],
        pathPatterns: ["/me"],
        maxDelegationSeconds: 86_400,
        allowServiceAccount: false,
        approvalTools: [],
        approvalMethods: [],
      },
    });
    expect(await callB(s.token)).toMatchObject({ status: 403, code: "path_not_allowed" });
  });

  it("a refresh on A: B's warm copy of the ciphertext is not used after it (the new token is)", async () => {
    const s = await session();
    expect((await callB(s.token)).status).toBe(200);
    const before = await w.plainTokens(cnx.id);
    // A refresh stores a new token set: B's copy of the row is now of an older credential version.
    await w.setExpiresAt(cnx.id, new Date(Date.now() - 1_000));
    expect((await callA(s.token)).status).toBe(200);
    const after = await w.plainTokens(cnx.id);
    expect(after.access).not.toBe(before.access);
    const seen: string[] = [];
    w.provider.interceptApi((req) => {
      seen.push(req.headers.authorization ?? "");
      return false;
    });
    try {
      expect((await callB(s.token)).status).toBe(200);
    } finally {
      w.provider.interceptApi(null);
    }
    expect(seen).toEqual([`Bearer ${after.access}`]);
  });

  it("a disconnect on A: B's next call is refused", async () => {
    const own = await w.connect(bob, "bob");
    const bobCnx = await db.connection.findUniqueOrThrow({ where: { id: own }, select: { id: true, tenantId: true, userId: true } });
    const agent = await w.agent();
    const d = await w.grant(agent, bobCnx);
    const token = await w.token(agent, d.id);
    expect((await callB(token)).status).toBe(200);
    await disconnectConnection(bob, own);
    const answer = await callB(token);
    expect(answer.status).toBe(401);
    expect(answer.code).toBe("delegation_revoked");
  });
});

describe("rate limits across instances", () => {
  it("12 simultaneous calls, 6 on each instance, with a limit of 4: exactly 4 allowed", async () => {
    const s = await session(undefined, { rateLimit: { max: 4, perSeconds: 600 } });
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? callA(s.token) : callB(s.token))));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(4);
    expect(answers.filter((a) => a.status === 403 && a.code === "rate_limited")).toHaveLength(8);
    // Every decision recorded, the 8 refusals too (the token exchange's own decision is not a call).
    const calls = { action: "pdp.decision", target: s.delegationId, details: { path: ["kind"], equals: "proxy" } };
    expect(await db.auditEvent.count({ where: calls })).toBe(12);
    expect(await db.auditEvent.count({ where: { ...calls, outcome: "allow" } })).toBe(4);
  });
});

describe("an instance that dies right after its provider call", () => {
  it("leaves the call's write-ahead record: the decision, what was sent, and no outcome", async () => {
    const c = await startInstance();
    const s = await session();
    let arrived = 0;
    const killed = new Promise<void>((resolve) => {
      w.provider.interceptApi((req) => {
        if (!req.url?.startsWith("/tasks")) return false;
        arrived += 1;
        // The provider received the call; the instance dies before it can hear the answer.
        void c.kill("SIGKILL").then(resolve);
        return true;
      });
    });
    const requestId = `wal-${Date.now()}`;
    const sent = fetch(`${c.url}/api/v1/proxy`, {
      method: "POST",
      headers: { authorization: `Bearer ${s.token}`, "content-type": "application/json", "x-request-id": requestId },
      body: JSON.stringify(GET_TASKS),
    }).catch((e: Error) => e);
    await killed;
    w.provider.interceptApi(null);
    expect(await sent).toBeInstanceOf(Error);
    expect(arrived).toBe(1);
    const decision = await db.auditEvent.findFirstOrThrow({
      where: { action: "pdp.decision", target: s.delegationId, outcome: "allow", details: { path: ["kind"], equals: "proxy" } },
    });
    expect(decision.details).toMatchObject({
      kind: "proxy",
      method: "GET",
      path: "/tasks",
      connectionId: cnx.id,
      provider: "demo-tasks",
      requestId,
      request_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(await db.auditEvent.count({ where: { action: "action.proxy", target: s.delegationId } })).toBe(0);
    expect((await verifyTenantChain(db, "acme")).break).toBeNull();
  });
});
