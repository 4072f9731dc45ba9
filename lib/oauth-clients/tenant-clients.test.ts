// A client's standing in a tenant, on a real demo-mode database: the policy decides who may connect
// (and a person it does not cover leaves no trace), a new client waits for approval or is approved at
// once with the tenant's default ceiling and a backing agent of its own, simultaneous first connects
// make one row and one agent, a blocked client stays blocked, a suspended agent is a suspended client,
// and each tenant decides for itself.
import { afterAll, beforeEach, describe, expect, it } from "vitest";

import { DEMO_TASKS_CEILING, startConnectWorld } from "@/lib/testing";

const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const { ceilingSchema } = await import("@/lib/agents/ceiling");
const { registerClient } = await import("./registration");
const { resolveClient, ClientError } = await import("./resolve");
const { clientStandingFor } = await import("./tenant-clients");
const { alice, bob, carol } = world.people;
const db = await getDb();

const DEFAULT_CEILING = ceilingSchema.parse(DEMO_TASKS_CEILING);

let n = 0;
async function newClient(name = `Client ${++n}`) {
  const { client_id } = await registerClient({ client_name: name, redirect_uris: ["http://127.0.0.1/cb"], token_endpoint_auth_method: "none" });
  return resolveClient(client_id);
}

const setPolicy = (tenantId: string, policy: object) => db.tenant.update({ where: { id: tenantId }, data: { mcpClientPolicy: policy } });
const rowOf = (tenantId: string, clientId: string) =>
  db.tenantClient.findUnique({ where: { tenantId_clientId: { tenantId, clientId } }, include: { agent: true } });
const standing = (client: Awaited<ReturnType<typeof newClient>>, person: { id: string; tenantId: string; role: "admin" | "user" }) =>
  clientStandingFor({ tenantId: person.tenantId, client, person: { id: person.id, role: person.role } });

beforeEach(async () => {
  await setPolicy("acme", {});
  await setPolicy("globex", {});
});

afterAll(async () => {
  await world.provider.close();
});

describe("clientStandingFor", () => {
  it('under "approval" (the default), a first connect leaves the client pending, requested by that person, with no agent', async () => {
    const client = await newClient();
    expect(await standing(client, alice)).toEqual({ status: "pending" });
    const row = await rowOf("acme", client.id);
    expect(row).toMatchObject({ status: "pending", agentId: null, requestedById: alice.id, decidedById: null, decidedAt: null });
    const event = await db.auditEvent.findFirstOrThrow({ where: { tenantId: "acme", action: "mcp_client.request", target: client.id } });
    expect(event).toMatchObject({ actorArn: alice.arn, details: expect.objectContaining({ status: "pending", name: client.name }) });
    // Asking again changes nothing.
    expect(await standing(client, bob)).toEqual({ status: "pending" });
    expect(await db.tenantClient.count({ where: { clientId: client.id } })).toBe(1);
    expect((await rowOf("acme", client.id))!.requestedById).toBe(alice.id);
  });

  it('under "tenant_default", a first connect approves it at once, backed by a new agent with the default ceiling and nothing else', async () => {
    await setPolicy("acme", { newClients: "tenant_default", defaultCeiling: DEFAULT_CEILING });
    const client = await newClient("Claude");
    const answer = await standing(client, alice);
    expect(answer.status).toBe("approved");
    if (answer.status !== "approved") return;
    const agent = await db.agent.findUniqueOrThrow({ where: { id: answer.agent.id } });
    expect(answer.agent).toEqual({ id: agent.id, clientId: agent.clientId, tenantId: "acme", status: "active" });
    expect(agent).toMatchObject({
      tenantId: "acme",
      name: "Claude (MCP client)",
      secretHash: null,
      jwks: null,
      jwksUri: null,
      createdById: null,
      ceiling: DEFAULT_CEILING,
    });
    expect(await rowOf("acme", client.id)).toMatchObject({ status: "approved", agentId: agent.id, requestedById: alice.id });
    const actions = (await db.auditEvent.findMany({ where: { tenantId: "acme", target: client.id }, orderBy: { seq: "asc" } })).map((e) => e.action);
    expect(actions).toEqual(["mcp_client.request", "mcp_client.approve"]);
    // A second client of the same name gets an agent name of its own.
    const twin = await standing(await newClient("Claude"), alice);
    expect(twin.status).toBe("approved");
    if (twin.status === "approved")
      expect((await db.agent.findUniqueOrThrow({ where: { id: twin.agent.id } })).name).toMatch(/^Claude \(MCP client [0-9a-f]{6}\)$/);
  });

  it('under "admins", refuses people who are not administrators, writing nothing, and lets administrators ask', async () => {
    await setPolicy("acme", { whoMayConnect: "admins" });
    const client = await newClient();
    const before = await db.auditEvent.count();
    const refused = await standing(client, alice);
    expect(refused).toEqual({ status: "not_allowed", reason: expect.stringMatching(/^In your organisation only administrators may connect MCP clients.*\.$/) });
    expect(await rowOf("acme", client.id)).toBeNull();
    expect(await db.auditEvent.count()).toBe(before);
    // The role that counts is the stored one, not what the caller says.
    expect((await standing(client, { ...alice, role: "admin" })).status).toBe("not_allowed");
    expect(await standing(client, bob)).toEqual({ status: "pending" });
  });

  it('under "nobody", refuses everyone, administrators and already-approved clients too', async () => {
    await setPolicy("acme", { newClients: "tenant_default", defaultCeiling: DEFAULT_CEILING });
    const client = await newClient();
    expect((await standing(client, alice)).status).toBe("approved");
    await setPolicy("acme", { whoMayConnect: "nobody" });
    expect(await standing(client, bob)).toEqual({ status: "not_allowed", reason: expect.stringMatching(/does not let anyone connect MCP clients/) });
    expect((await standing(await newClient(), bob)).status).toBe("not_allowed");
  });

  it("makes one row and one agent when many people connect a new client at the same moment", async () => {
    await setPolicy("acme", { newClients: "tenant_default", defaultCeiling: DEFAULT_CEILING });
    const client = await newClient();
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => standing(client, i % 2 ? alice : bob)));
    const agentIds = new Set(answers.map((a) => (a.status === "approved" ? a.agent.id : a.status)));
    expect(agentIds.size).toBe(1);
    expect(await db.tenantClient.count({ where: { clientId: client.id } })).toBe(1);
    expect(await db.agent.count({ where: { tenantId: "acme", description: { contains: client.id } } })).toBe(1);
    expect(await db.auditEvent.count({ where: { tenantId: "acme", action: "mcp_client.request", target: client.id } })).toBe(1);
  });

  it("keeps a blocked client blocked, whatever the policy says", async () => {
    const client = await newClient();
    await standing(client, alice);
    await db.tenantClient.update({ where: { tenantId_clientId: { tenantId: "acme", clientId: client.id } }, data: { status: "blocked" } });
    await setPolicy("acme", { newClients: "tenant_default", defaultCeiling: DEFAULT_CEILING });
    expect(await standing(client, alice)).toEqual({ status: "blocked" });
    expect(await standing(client, bob)).toEqual({ status: "blocked" });
    expect((await rowOf("acme", client.id))!.agentId).toBeNull();
  });

  it("reports a suspended backing agent, and an approved client whose agent was deleted waits for approval again", async () => {
    await setPolicy("acme", { newClients: "tenant_default", defaultCeiling: DEFAULT_CEILING });
    const client = await newClient();
    const first = await standing(client, alice);
    if (first.status !== "approved") throw new Error("not approved");
    await db.agent.update({ where: { id: first.agent.id }, data: { status: "suspended" } });
    expect(await standing(client, alice)).toEqual({ status: "approved", agent: { ...first.agent, status: "suspended" } });
    await db.agent.delete({ where: { id: first.agent.id } });
    expect(await standing(client, alice)).toEqual({ status: "pending" });
  });

  it("lets each tenant decide for itself", async () => {
    await setPolicy("acme", { newClients: "tenant_default", defaultCeiling: DEFAULT_CEILING });
    const client = await newClient();
    expect((await standing(client, alice)).status).toBe("approved");
    expect(await standing(client, carol)).toEqual({ status: "pending" });
    expect((await rowOf("globex", client.id))!.agentId).toBeNull();
    // A person named with another tenant's id is no member of it.
    expect((await clientStandingFor({ tenantId: "globex", client, person: { id: bob.id, role: "admin" } })).status).toBe("not_allowed");
  });

  it("refuses a client the vault has no record of", async () => {
    const client = await newClient();
    await expect(standing({ ...client, id: "mcp_never_registered" }, alice)).rejects.toBeInstanceOf(ClientError);
    expect(await db.tenantClient.count({ where: { clientId: "mcp_never_registered" } })).toBe(0);
  });
});
