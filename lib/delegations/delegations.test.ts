// Delegations on a real database: a grant lands only inside (agent ceiling ∩ the connection's granted
// scopes), every refusal leaves nothing written (no grant, no audit event), the form's options match
// what a grant accepts, revoking is immediate and audited, and tenants and people stay apart.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startConnectWorld } from "@/lib/testing/connect-harness";
import { DEMO_TASKS_CEILING, insertAgent, insertConnection, insertDelegation } from "@/lib/testing/fixtures";

const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const { grantDelegation, listMyDelegations, listTenantDelegations, listAgentDelegations, revokeDelegation, delegationOptions } = await import("./delegations");
const { createDelegationBody } = await import("./schemas");
const { alice, bob, carol } = world.people;
type Person = typeof alice;

const HOUR = 3_600_000;
const db = await getDb();

let helper: { id: string; name: string };
let reader: { id: string; name: string };
let sleeper: { id: string };
let githubber: { id: string };
let globexBot: { id: string };
let trusted: { id: string; name: string };
let aliceTasks: { id: string; tenantId: string; userId: string };
let aliceReadOnly: { id: string; tenantId: string; userId: string };
let aliceBroken: { id: string };
let aliceGone: { id: string };
let bobTasks: { id: string; tenantId: string; userId: string };
let carolTasks: { id: string; tenantId: string; userId: string };

beforeAll(async () => {
  helper = await insertAgent(db, "acme", { name: "Helper", ceiling: { ...DEMO_TASKS_CEILING, methods: ["GET", "POST", "DELETE"] } });
  reader = await insertAgent(db, "acme", {
    name: "Reader",
    ceiling: { providers: ["demo-tasks"], tools: ["demo-tasks.list_tasks"], methods: ["GET"], maxDelegationSeconds: 3600 },
  });
  sleeper = await insertAgent(db, "acme", { name: "Sleeper", status: "suspended", ceiling: DEMO_TASKS_CEILING });
  githubber = await insertAgent(db, "acme", { name: "Githubber", ceiling: { providers: ["github"], tools: ["github.list_repos"] } });
  globexBot = await insertAgent(db, "globex", { name: "Globex bot", ceiling: DEMO_TASKS_CEILING });
  trusted = await insertAgent(db, "acme", { name: "Trusted", ceiling: { ...DEMO_TASKS_CEILING, allowServiceAccount: true } });
  aliceTasks = await insertConnection(db, alice, { label: "alice@tasks" });
  aliceReadOnly = await insertConnection(db, alice, { label: "alice-ro@tasks", scopes: ["tasks.read"] });
  aliceBroken = await insertConnection(db, alice, { status: "needs_reconnect" });
  aliceGone = await insertConnection(db, alice, { status: "revoked" });
  bobTasks = await insertConnection(db, bob, { label: "bob@tasks" });
  carolTasks = await insertConnection(db, carol, { label: "carol@tasks" });
});

afterAll(async () => {
  await world.provider.close();
});

function body(overrides: Record<string, unknown> = {}) {
  return createDelegationBody.parse({
    agentId: helper.id,
    connectionId: aliceTasks.id,
    scopes: ["tasks.read"],
    tools: ["demo-tasks.list_tasks"],
    expiresAt: new Date(Date.now() + HOUR).toISOString(),
    ...overrides,
  });
}

function agentCaller(tenantId: string, agent: { id: string; name: string }) {
  return { kind: "agent" as const, tenantId, agent: { id: agent.id, clientId: `agt_${agent.id}`, name: agent.name } };
}

async function counts() {
  return { delegations: await db.delegation.count(), audit: await db.auditEvent.count() };
}

async function expectRefused(run: () => Promise<unknown>, code: string, status: number) {
  const before = await counts();
  const error = await run().then(
    () => null,
    (e: unknown) => e as { code?: string; message?: string; name?: string },
  );
  expect(error, `expected a refusal with ${code}`).not.toBeNull();
  expect(error!.code).toBe(code);
  expect(error!.message).toMatch(/[.:]/);
  const name = { 400: "BadRequestError", 403: "ForbiddenError", 404: "NotFoundError" }[status];
  expect(error!.name).toBe(name);
  expect(await counts()).toEqual(before);
}

describe("grantDelegation", () => {
  it("grants inside the ceiling and the connection's scopes, with the audit event in the same write", async () => {
    const before = await counts();
    const dto = await grantDelegation(
      alice,
      body({
        scopes: ["tasks.read", "tasks.write"],
        tools: ["demo-tasks.list_tasks", "demo-tasks.create_task"],
        constraints: { readOnly: true, methods: ["GET"] },
      }),
    );
    expect(dto).toMatchObject({
      agentId: helper.id,
      agentName: "Helper",
      connectionId: aliceTasks.id,
      provider: "demo-tasks",
      connectionLabel: "alice@tasks",
      userArn: alice.arn,
      scopes: ["tasks.read", "tasks.write"],
      tools: ["demo-tasks.list_tasks", "demo-tasks.create_task"],
      constraints: { readOnly: true, methods: ["GET"], approvalForWrites: false },
      revokedAt: null,
      status: "active",
    });
    expect(await counts()).toEqual({ delegations: before.delegations + 1, audit: before.audit + 1 });
    const event = await db.auditEvent.findFirstOrThrow({ where: { target: dto.id } });
    expect(event).toMatchObject({ tenantId: "acme", action: "delegation.grant", outcome: "success", actorArn: alice.arn, agentId: helper.id });
    // The stored row is the grant exactly, created at the instant its length was checked.
    const row = await db.delegation.findUniqueOrThrow({ where: { id: dto.id } });
    expect(row.tenantId).toBe("acme");
    expect(row.userId).toBe(alice.id);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBeLessThanOrEqual(HOUR);
  });

  it("defaults the constraints and accepts an expiry of exactly the ceiling's maximum", async () => {
    const dto = await grantDelegation(alice, body({ agentId: reader.id, expiresAt: new Date(Date.now() + HOUR).toISOString(), tools: [] }));
    expect(dto.constraints).toEqual({ readOnly: false, approvalForWrites: false });
    expect(dto.tools).toEqual([]);
  });

  it("refuses a connection that is not the person's own, or unknown, as not found", async () => {
    await expectRefused(() => grantDelegation(alice, body({ connectionId: bobTasks.id })), "connection_not_found", 404);
    await expectRefused(() => grantDelegation(alice, body({ connectionId: carolTasks.id })), "connection_not_found", 404);
    await expectRefused(() => grantDelegation(alice, body({ connectionId: "no-such-connection" })), "connection_not_found", 404);
  });

  it("refuses an agent of another tenant, or unknown, as not found", async () => {
    await expectRefused(() => grantDelegation(alice, body({ agentId: globexBot.id })), "agent_not_found", 404);
    await expectRefused(() => grantDelegation(carol, body({ connectionId: carolTasks.id })), "agent_not_found", 404);
    await expectRefused(() => grantDelegation(alice, body({ agentId: "no-such-agent" })), "agent_not_found", 404);
  });

  it("refuses a connection that needs reconnecting or is disconnected", async () => {
    await expectRefused(() => grantDelegation(alice, body({ connectionId: aliceBroken.id })), "connection_unavailable", 403);
    await expectRefused(() => grantDelegation(alice, body({ connectionId: aliceGone.id })), "connection_unavailable", 403);
  });

  it("refuses a suspended agent and a provider outside the agent's ceiling", async () => {
    await expectRefused(() => grantDelegation(alice, body({ agentId: sleeper.id })), "agent_suspended", 403);
    await expectRefused(() => grantDelegation(alice, body({ agentId: githubber.id, tools: [] })), "provider_not_allowed", 403);
  });

  it("refuses a scope the connection was not granted", async () => {
    await expectRefused(() => grantDelegation(alice, body({ connectionId: aliceReadOnly.id, scopes: ["tasks.write"], tools: [] })), "scope_not_granted", 403);
    await expectRefused(() => grantDelegation(alice, body({ scopes: ["tasks.read", "admin"], tools: [] })), "scope_not_granted", 403);
  });

  it("refuses tools outside the ceiling, of another provider, or without one of their scopes chosen", async () => {
    await expectRefused(
      () => grantDelegation(alice, body({ agentId: reader.id, scopes: ["tasks.write"], tools: ["demo-tasks.create_task"] })),
      "tool_not_allowed",
      403,
    );
    await expectRefused(() => grantDelegation(alice, body({ tools: ["github.list_repos"] })), "tool_not_allowed", 403);
    await expectRefused(() => grantDelegation(alice, body({ scopes: ["tasks.read"], tools: ["demo-tasks.create_task"] })), "tool_needs_scope", 400);
  });

  it("refuses an expiry in the past or beyond the ceiling's longest delegation", async () => {
    await expectRefused(() => grantDelegation(alice, body({ expiresAt: new Date(Date.now() - 1000).toISOString() })), "expiry_in_past", 400);
    await expectRefused(
      () => grantDelegation(alice, body({ agentId: reader.id, expiresAt: new Date(Date.now() + 2 * HOUR).toISOString() })),
      "delegation_too_long",
      403,
    );
    await expectRefused(() => grantDelegation(alice, body({ expiresAt: new Date(Date.now() + 31 * 24 * HOUR).toISOString() })), "delegation_too_long", 403);
  });

  it("refuses limits that would widen the ceiling's methods", async () => {
    await expectRefused(() => grantDelegation(alice, body({ constraints: { methods: ["GET", "PUT"] } })), "method_not_allowed", 403);
    await expectRefused(() => grantDelegation(alice, body({ agentId: reader.id, constraints: { methods: ["POST"] } })), "method_not_allowed", 403);
  });

  it("refuses the service-account option for an agent whose ceiling does not allow service accounts, writing nothing", async () => {
    await expectRefused(() => grantDelegation(alice, body({ allowServiceAccount: true })), "service_account_not_allowed", 403);
    const error = await grantDelegation(alice, body({ agentId: reader.id, allowServiceAccount: true })).catch((e: Error) => e);
    expect((error as Error).message).toBe(
      "An administrator has not allowed Reader to act with a service account: grant access without the service-account option.",
    );
  });

  it("grants the service-account option when the ceiling allows it: stored, audited and in the DTO; off by default", async () => {
    const dto = await grantDelegation(alice, body({ agentId: trusted.id, allowServiceAccount: true }));
    expect(dto).toMatchObject({ agentId: trusted.id, allowServiceAccount: true, status: "active" });
    expect((await db.delegation.findUniqueOrThrow({ where: { id: dto.id } })).allowServiceAccount).toBe(true);
    const event = await db.auditEvent.findFirstOrThrow({ where: { target: dto.id, action: "delegation.grant" } });
    expect(event.details).toMatchObject({ allowServiceAccount: true });
    expect((await listMyDelegations(alice)).find((d) => d.id === dto.id)?.allowServiceAccount).toBe(true);

    const plain = await grantDelegation(alice, body({ agentId: trusted.id }));
    expect(plain.allowServiceAccount).toBe(false);
    expect((await db.delegation.findUniqueOrThrow({ where: { id: plain.id } })).allowServiceAccount).toBe(false);
  });

  it("refuses malformed bodies before anything is read", () => {
    const base = { agentId: helper.id, connectionId: aliceTasks.id, scopes: ["tasks.read"], tools: [], expiresAt: new Date(Date.now() + HOUR).toISOString() };
    expect(createDelegationBody.safeParse(base).success).toBe(true);
    expect(createDelegationBody.safeParse({ ...base, scopes: [] }).success).toBe(false);
    expect(createDelegationBody.safeParse({ ...base, scopes: ["tasks.read", "tasks.read"] }).success).toBe(false);
    expect(createDelegationBody.safeParse({ ...base, scopes: ["tasks.read tasks.write"] }).success).toBe(false);
    expect(createDelegationBody.safeParse({ ...base, tools: ["demo-tasks.list_tasks", "demo-tasks.list_tasks"] }).success).toBe(false);
    expect(createDelegationBody.safeParse({ ...base, tools: ["demo-tasks.drop_database"] }).success).toBe(false);
    expect(createDelegationBody.safeParse({ ...base, expiresAt: "tomorrow" }).success).toBe(false);
    expect(createDelegationBody.safeParse({ ...base, userId: bob.id }).success).toBe(false);
    expect(createDelegationBody.safeParse({ ...base, constraints: { readOnly: true, sudo: true } }).success).toBe(false);
    expect(createDelegationBody.safeParse({ ...base, allowServiceAccount: "yes" }).success).toBe(false);
    expect(
      createDelegationBody.safeParse({ ...base, constraints: { timeWindow: { days: ["mon"], start: "09:00", end: "17:00", timeZone: "Mars/Olympus" } } })
        .success,
    ).toBe(false);
  });
});

describe("delegationOptions", () => {
  it("offers the ceiling ∩ the connection's scopes and says why the rest is not offered", async () => {
    const options = await delegationOptions(alice, aliceReadOnly.id);
    expect(options.connection).toMatchObject({ id: aliceReadOnly.id, provider: "demo-tasks", scopes: ["tasks.read"] });
    const byName = new Map(options.agents.map((a) => [a.agentName, a]));
    expect([...byName.keys()].sort()).toEqual(["Githubber", "Helper", "Reader", "Sleeper", "Trusted"]);

    const h = byName.get("Helper")!;
    expect(h.unavailable).toBeNull();
    expect(h.scopes.map((s) => s.scope)).toEqual(["tasks.read"]);
    expect(h.refusedScopes.map((s) => [s.scope, s.code])).toEqual([["tasks.write", "scope_not_granted"]]);
    expect(h.tools.map((t) => t.name).sort()).toEqual(["demo-tasks.list_tasks", "demo-tasks.whoami"]);
    expect(h.refusedTools.map((t) => [t.name, t.code]).sort()).toEqual([
      ["demo-tasks.create_task", "scope_not_granted"],
      ["demo-tasks.delete_task", "scope_not_granted"],
    ]);
    expect(h.maxDelegationSeconds).toBe(30 * 86_400);

    const r = byName.get("Reader")!;
    expect(r.tools.map((t) => t.name)).toEqual(["demo-tasks.list_tasks"]);
    expect(r.refusedTools.every((t) => t.code === "tool_not_allowed")).toBe(true);
    expect(r.maxDelegationSeconds).toBe(3600);
    expect(r.methods).toEqual(["GET"]);

    expect(byName.get("Sleeper")!.unavailable?.code).toBe("agent_suspended");
    expect(byName.get("Githubber")!.unavailable?.code).toBe("provider_not_allowed");
    expect(byName.get("Sleeper")!.tools).toEqual([]);
  });

  it("offers only what a grant then accepts", async () => {
    const options = await delegationOptions(alice, aliceTasks.id);
    for (const agent of options.agents.filter((a) => !a.unavailable)) {
      const dto = await grantDelegation(
        alice,
        body({
          agentId: agent.agentId,
          scopes: agent.scopes.map((s) => s.scope),
          tools: agent.tools.map((t) => t.name),
          expiresAt: new Date(Date.now() + agent.maxDelegationSeconds * 1000).toISOString(),
        }),
      );
      expect(dto.status).toBe("active");
    }
  });

  it("says per agent whether its ceiling allows service accounts, and whether the tenant switch is on", async () => {
    const off = await delegationOptions(alice, aliceTasks.id);
    expect(off.tenantAllowsServiceAccounts).toBe(false);
    const byName = new Map(off.agents.map((a) => [a.agentName, a.allowServiceAccount]));
    expect(byName.get("Trusted")).toBe(true);
    expect(byName.get("Helper")).toBe(false);
    await db.tenant.update({ where: { id: "acme" }, data: { allowServiceAccounts: true } });
    try {
      expect((await delegationOptions(alice, aliceTasks.id)).tenantAllowsServiceAccounts).toBe(true);
    } finally {
      await db.tenant.update({ where: { id: "acme" }, data: { allowServiceAccounts: false } });
    }
  });

  it("marks every agent unavailable on a connection that needs reconnecting", async () => {
    const options = await delegationOptions(alice, aliceBroken.id);
    expect(options.agents.every((a) => a.unavailable?.code === "connection_unavailable")).toBe(true);
  });

  it("is not found for someone else's connection", async () => {
    await expect(delegationOptions(alice, bobTasks.id)).rejects.toMatchObject({ name: "NotFoundError", code: "connection_not_found" });
    await expect(delegationOptions(carol, aliceTasks.id)).rejects.toMatchObject({ name: "NotFoundError" });
  });
});

describe("revokeDelegation and the lists", () => {
  it("revokes at once: revokedAt set, listed as revoked, gone from the agent's list; twice says so", async () => {
    const dto = await grantDelegation(alice, body());
    const caller = agentCaller("acme", helper);
    expect((await listAgentDelegations(caller)).map((d) => d.id)).toContain(dto.id);
    const auditBefore = await db.auditEvent.count();

    const first = await revokeDelegation(alice, dto.id);
    expect(first.alreadyRevoked).toBe(false);
    expect(first.delegation.status).toBe("revoked");
    expect((await db.delegation.findUniqueOrThrow({ where: { id: dto.id } })).revokedAt).toBeInstanceOf(Date);
    expect((await listMyDelegations(alice)).find((d) => d.id === dto.id)?.status).toBe("revoked");
    expect((await listAgentDelegations(caller)).map((d) => d.id)).not.toContain(dto.id);
    const event = await db.auditEvent.findFirstOrThrow({ where: { target: dto.id, action: "delegation.revoke" } });
    expect(event).toMatchObject({ actorArn: alice.arn, outcome: "success", agentId: helper.id });

    const second = await revokeDelegation(alice, dto.id);
    expect(second.alreadyRevoked).toBe(true);
    expect(second.delegation.revokedAt).toBe(first.delegation.revokedAt);
    expect(await db.auditEvent.count()).toBe(auditBefore + 1);
  });

  it("lets the owner or a tenant admin revoke: alice cannot revoke bob's grant, bob can revoke alice's", async () => {
    const bobs = await grantDelegation(bob, body({ connectionId: bobTasks.id }));
    await expectRefused(() => revokeDelegation(alice, bobs.id), "delegation_not_found", 404);
    expect((await db.delegation.findUniqueOrThrow({ where: { id: bobs.id } })).revokedAt).toBeNull();

    const alices = await grantDelegation(alice, body());
    const result = await revokeDelegation(bob, alices.id);
    expect(result.delegation).toMatchObject({ status: "revoked", userArn: alice.arn });
    const event = await db.auditEvent.findFirstOrThrow({ where: { target: alices.id, action: "delegation.revoke" } });
    expect(event.actorArn).toBe(bob.arn);
    expect(event.details).toMatchObject({ ownerArn: alice.arn, byAdministrator: true });
  });

  it("keeps carol (globex) away from acme's agents and grants", async () => {
    const alices = await grantDelegation(alice, body());
    const globexGrant = await insertDelegation(db, { agentId: globexBot.id, connection: carolTasks });
    const options = await delegationOptions(carol, carolTasks.id);
    expect(options.agents.map((a) => a.agentName)).toEqual(["Globex bot"]);
    expect((await listMyDelegations(carol)).map((d) => d.id)).toEqual([globexGrant.id]);
    await expectRefused(() => revokeDelegation(carol, alices.id), "delegation_not_found", 404);
    await expect(listTenantDelegations(carol)).rejects.toMatchObject({ name: "ForbiddenError" });
    expect(await listAgentDelegations(agentCaller("globex", helper))).toEqual([]);

    const tenant = await listTenantDelegations(bob);
    expect(tenant.map((d) => d.id)).toContain(alices.id);
    expect(tenant.map((d) => d.id)).not.toContain(globexGrant.id);
    expect(new Set(tenant.map((d) => d.userArn))).toEqual(new Set([alice.arn, bob.arn]));
  });

  it("lists only a person's own grants (optionally on one connection), and tenant lists only for admins", async () => {
    const mine = await listMyDelegations(alice);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((d) => d.userArn === alice.arn)).toBe(true);
    const onReadOnly = await listMyDelegations(alice, { connectionId: aliceTasks.id });
    expect(onReadOnly.every((d) => d.connectionId === aliceTasks.id)).toBe(true);
    expect(await listMyDelegations(alice, { connectionId: bobTasks.id })).toEqual([]);
    await expect(listTenantDelegations(alice as Person)).rejects.toMatchObject({ name: "ForbiddenError" });
  });

  it("gives an agent only its own live grants: not expired, not revoked, not another agent's", async () => {
    const expired = await insertDelegation(db, { agentId: reader.id, connection: aliceTasks, expiresAt: new Date(Date.now() - 1000) });
    const revoked = await insertDelegation(db, { agentId: reader.id, connection: aliceTasks, revokedAt: new Date() });
    const live = await insertDelegation(db, { agentId: reader.id, connection: aliceTasks });
    const listed = await listAgentDelegations(agentCaller("acme", reader));
    const ids = listed.map((d) => d.id);
    expect(ids).toContain(live.id);
    expect(ids).not.toContain(expired.id);
    expect(ids).not.toContain(revoked.id);
    expect(listed.every((d) => d.agentId === reader.id && d.status === "active")).toBe(true);
    expect((await listMyDelegations(alice)).find((d) => d.id === expired.id)?.status).toBe("expired");
  });

  it("never puts a credential-looking field in a DTO", async () => {
    const [dto] = await listMyDelegations(alice);
    expect(Object.keys(dto!).sort()).toEqual(
      [
        "agentClientId",
        "agentId",
        "agentName",
        "allowServiceAccount",
        "connectionId",
        "connectionLabel",
        "constraints",
        "createdAt",
        "expiresAt",
        "id",
        "provider",
        "revokedAt",
        "scopes",
        "status",
        "tools",
        "userArn",
        "userName",
      ].sort(),
    );
  });
});
