// The PDP against a real database: facts loaded by id and compared with the caller's tenant, one
// audit event per decision with no secret in it, the rate limit counted from allowed actions of the
// one delegation only, and no decision at all when its audit event cannot be written.
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startConnectWorld } from "@/lib/testing/connect-harness";

const audit = vi.hoisted(() => ({ fail: false }));
vi.mock("@/lib/audit/writer", async (importOriginal) => {
  const real = await importOriginal<typeof import("@/lib/audit/writer")>();
  return {
    ...real,
    submitAudit: async (...args: Parameters<typeof real.submitAudit>) => {
      if (audit.fail) throw new Error("disk full");
      return real.submitAudit(...args);
    },
  };
});

const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const { insertAgent, insertConnection, insertDelegation, DEMO_TASKS_CEILING } = await import("@/lib/testing/fixtures");
const { evaluate, evaluateMany } = await import("./evaluate");
const { alice, carol } = world.people;
const db = await getDb();

const SECRET_HASH = "scrypt$N=16384$c2FsdA$bm90LWEtcmVhbC1oYXNoLWJ1dC1hLXNlY3JldA";
const LIST = { kind: "tool", tool: "demo-tasks.list_tasks" } as const;

afterAll(async () => {
  await world.provider.close();
});

beforeEach(() => {
  audit.fail = false;
});

async function setup(opts: { constraints?: Record<string, unknown>; revokedAt?: Date } = {}) {
  const agent = await insertAgent(db, "acme", { ceiling: DEMO_TASKS_CEILING, secretHash: SECRET_HASH });
  const connection = await insertConnection(db, alice);
  const delegation = await insertDelegation(db, {
    agentId: agent.id,
    connection,
    scopes: ["tasks.read", "tasks.write"],
    tools: ["demo-tasks.list_tasks", "demo-tasks.create_task"],
    constraints: opts.constraints,
    revokedAt: opts.revokedAt ?? null,
  });
  return { agent, connection, delegation };
}

async function auditRows(target: string) {
  return db.auditEvent.findMany({ where: { action: "pdp.decision", target }, orderBy: { seq: "asc" } });
}

describe("evaluate", () => {
  it("allows a valid exchange and writes exactly one audit event, naming the person and holding no secret", async () => {
    const { agent, delegation } = await setup();
    const decision = await evaluate({ tenantId: "acme", agentId: agent.id, delegationId: delegation.id, action: { kind: "exchange" }, requestId: "req-42" });
    expect(decision).toMatchObject({ decision: "allow", layer: "data", code: "allowed", scopes: ["tasks.read", "tasks.write"] });
    const rows = await auditRows(delegation.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ tenantId: "acme", outcome: "allow", agentId: agent.id, actorArn: alice.arn, target: delegation.id });
    expect(rows[0]!.details).toEqual({ kind: "exchange", layer: "data", code: "allowed", requestId: "req-42" });
    expect(JSON.stringify(rows)).not.toContain(SECRET_HASH);
  });

  it("records a denial with its layer and code", async () => {
    const { agent, delegation } = await setup({ revokedAt: new Date() });
    const decision = await evaluate({
      tenantId: "acme",
      agentId: agent.id,
      delegationId: delegation.id,
      action: { kind: "proxy", method: "GET", path: "/tasks?access_token=leak" },
    });
    expect(decision).toMatchObject({ decision: "deny", layer: "consent", code: "delegation_revoked" });
    const rows = await auditRows(delegation.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ outcome: "deny", agentId: agent.id });
    expect(rows[0]!.details).toEqual({ kind: "proxy", method: "GET", path: "/tasks", layer: "consent", code: "delegation_revoked" });
  });

  it("answers another tenant's delegation exactly like an unknown one, and names nobody of that tenant", async () => {
    const { agent } = await setup();
    const globexAgent = await insertAgent(db, "globex", { ceiling: DEMO_TASKS_CEILING });
    const carolConnection = await insertConnection(db, carol);
    const foreign = await insertDelegation(db, { agentId: globexAgent.id, connection: carolConnection });
    const theirs = await evaluate({ tenantId: "acme", agentId: agent.id, delegationId: foreign.id, action: { kind: "exchange" } });
    const unknown = await evaluate({ tenantId: "acme", agentId: agent.id, delegationId: "00000000-0000-4000-8000-000000000000", action: { kind: "exchange" } });
    expect(theirs).toEqual(unknown);
    expect(theirs).toMatchObject({ decision: "deny", layer: "consent", code: "delegation_unknown" });
    const rows = await auditRows(foreign.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ tenantId: "acme", outcome: "deny", actorArn: null });
    expect(await db.auditEvent.count({ where: { tenantId: "globex", action: "pdp.decision" } })).toBe(0);
  });

  it("treats another tenant's agent as unknown", async () => {
    const { delegation } = await setup();
    const globexAgent = await insertAgent(db, "globex", { ceiling: DEMO_TASKS_CEILING });
    const decision = await evaluate({ tenantId: "acme", agentId: globexAgent.id, delegationId: delegation.id, action: LIST });
    expect(decision).toMatchObject({ decision: "deny", layer: "ceiling", code: "agent_unknown" });
    expect((await auditRows(delegation.id))[0]).toMatchObject({ agentId: null, outcome: "deny" });
  });

  it("sees a suspension and a disconnection at once", async () => {
    const { agent, connection, delegation } = await setup();
    await db.connection.update({ where: { id: connection.id }, data: { status: "needs_reconnect" } });
    expect((await evaluate({ tenantId: "acme", agentId: agent.id, delegationId: delegation.id, action: LIST })).code).toBe("connection_unavailable");
    await db.agent.update({ where: { id: agent.id }, data: { status: "suspended" } });
    expect((await evaluate({ tenantId: "acme", agentId: agent.id, delegationId: delegation.id, action: LIST })).code).toBe("agent_suspended");
  });

  it("denies when the stored constraints or ceiling cannot be read", async () => {
    const { agent, delegation } = await setup();
    await db.delegation.update({ where: { id: delegation.id }, data: { constraints: { readOnly: "sometimes" } } });
    expect(await evaluate({ tenantId: "acme", agentId: agent.id, delegationId: delegation.id, action: LIST })).toMatchObject({
      layer: "data",
      code: "constraints_unreadable",
    });
    await db.agent.update({ where: { id: agent.id }, data: { ceiling: { providers: "all" } } });
    expect(await evaluate({ tenantId: "acme", agentId: agent.id, delegationId: delegation.id, action: LIST })).toMatchObject({
      layer: "ceiling",
      code: "provider_not_allowed",
    });
  });
});

describe("rate limit", () => {
  it("counts only this delegation's allowed tool and proxy calls", async () => {
    const { agent, connection, delegation } = await setup({ constraints: { rateLimit: { max: 2, perSeconds: 600 } } });
    const other = await insertDelegation(db, { agentId: agent.id, connection, tools: ["demo-tasks.list_tasks"] });
    const ask = (delegationId: string, action: Parameters<typeof evaluate>[0]["action"], advisory = false) =>
      evaluate({ tenantId: "acme", agentId: agent.id, delegationId, action, advisory });

    // None of these count: exchanges, denials, questions, and another delegation's calls.
    for (let i = 0; i < 3; i++) expect((await ask(delegation.id, { kind: "exchange" })).code).toBe("allowed");
    for (let i = 0; i < 3; i++) expect((await ask(delegation.id, { kind: "tool", tool: "demo-tasks.whoami" })).code).toBe("tool_not_delegated");
    for (let i = 0; i < 3; i++) expect((await ask(delegation.id, LIST, true)).code).toBe("allowed");
    for (let i = 0; i < 3; i++) expect((await ask(other.id, LIST)).code).toBe("allowed");

    expect((await ask(delegation.id, LIST)).code).toBe("allowed");
    expect((await ask(delegation.id, { kind: "proxy", method: "GET", path: "/tasks" })).code).toBe("allowed");
    const third = await ask(delegation.id, LIST);
    expect(third).toMatchObject({ decision: "deny", layer: "data", code: "rate_limited" });
    expect((await auditRows(delegation.id)).at(-1)).toMatchObject({ outcome: "deny", details: expect.objectContaining({ code: "rate_limited" }) });
    // The limit's own denials do not extend it, and other delegations are unaffected.
    expect((await ask(other.id, LIST)).code).toBe("allowed");
  });

  it("lets exactly max concurrent calls through", async () => {
    const { agent, delegation } = await setup({ constraints: { rateLimit: { max: 3, perSeconds: 600 } } });
    const results = await Promise.all(
      Array.from({ length: 8 }, () => evaluate({ tenantId: "acme", agentId: agent.id, delegationId: delegation.id, action: LIST })),
    );
    expect(results.filter((d) => d.decision === "allow")).toHaveLength(3);
    expect(results.filter((d) => d.code === "rate_limited")).toHaveLength(5);
  });

  it("forgets calls older than the window", async () => {
    const { agent, delegation } = await setup({ constraints: { rateLimit: { max: 1, perSeconds: 1 } } });
    const call = () => evaluate({ tenantId: "acme", agentId: agent.id, delegationId: delegation.id, action: LIST });
    expect((await call()).code).toBe("allowed");
    expect((await call()).code).toBe("rate_limited");
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await call()).code).toBe("allowed");
  });
});

describe("when the audit event cannot be written", () => {
  it("throws, allows nothing and records nothing", async () => {
    const { agent, delegation } = await setup({ constraints: { rateLimit: { max: 1, perSeconds: 600 } } });
    audit.fail = true;
    await expect(evaluate({ tenantId: "acme", agentId: agent.id, delegationId: delegation.id, action: LIST })).rejects.toThrow("disk full");
    await expect(evaluate({ tenantId: "acme", agentId: agent.id, delegationId: delegation.id, action: { kind: "exchange" } })).rejects.toThrow();
    expect(await auditRows(delegation.id)).toHaveLength(0);
    audit.fail = false;
    // Nothing was counted either: the one allowed call is still available.
    expect((await evaluate({ tenantId: "acme", agentId: agent.id, delegationId: delegation.id, action: LIST })).code).toBe("allowed");
  });
});

describe("evaluateMany", () => {
  it("decides and audits each question in order", async () => {
    const { agent, delegation } = await setup();
    const input = { tenantId: "acme", agentId: agent.id, delegationId: delegation.id };
    const out = await evaluateMany([
      { ...input, action: LIST },
      { ...input, action: { kind: "tool", tool: "demo-tasks.delete_task" } },
    ]);
    expect(out.map((d) => d.code)).toEqual(["allowed", "tool_not_delegated"]);
    expect((await auditRows(delegation.id)).map((r) => r.outcome)).toEqual(["allow", "deny"]);
  });
});
