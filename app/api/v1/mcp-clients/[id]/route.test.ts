// One MCP client through the BFF, on a real demo-mode database: approving with a ceiling creates its
// agent with exactly that ceiling; block, suspend, resume and a new ceiling act through that agent;
// removing it ends its agent, delegations, token families and unused codes. Each decision is audited.
// Every refusal (a non-admin, another organisation's client, another site, bad input) is a 4xx
// problem with a sentence that changed nothing; a metadata document's URL works as the id, encoded.
import { afterAll, beforeEach, describe, expect, it } from "vitest";

import { DEMO_TASKS_CEILING, PORTAL_ORIGIN, insertConnection, insertDelegation, portalBrowser, startConnectWorld, startUpstream } from "@/lib/testing";

const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const { ceilingSchema } = await import("@/lib/agents/ceiling");
const { registerClient } = await import("@/lib/oauth-clients/registration");
const { resolveClient } = await import("@/lib/oauth-clients/resolve");
const { clientStandingFor } = await import("@/lib/oauth-clients/tenant-clients");
const { GET, PATCH, DELETE } = await import("./route");
const { alice, bob, carol } = world.people;
const db = await getDb();
const browser = portalBrowser();
const BASE = `${PORTAL_ORIGIN}/api/v1/mcp-clients`;
const CEILING = ceilingSchema.parse(DEMO_TASKS_CEILING);
const NARROW = ceilingSchema.parse({ providers: ["demo-tasks"], tools: ["demo-tasks.list_tasks"] });

type Dto = { clientId: string; status: string; agent: { id: string; status: string; ceiling: unknown; activeDelegations: number } | null; decidedBy: unknown };
type Problem = { code: string; detail: string };

const documents = new Map<string, unknown>();
const docServer = await startUpstream((req, res) => {
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(documents.get(req.url ?? "")));
});

afterAll(async () => {
  await docServer.close();
  await world.provider.close();
});

beforeEach(async () => {
  await browser.signIn(bob);
});

type Person = { id: string; tenantId: string; role: "admin" | "user" };
const standing = async (clientId: string, person: Person = alice) =>
  clientStandingFor({ tenantId: person.tenantId, client: await resolveClient(clientId), person: { id: person.id, role: person.role } });

/** A registered client someone of the person's organisation asked to connect: pending there. */
async function pendingClient(person: Person = alice): Promise<string> {
  const { client_id } = await registerClient({
    client_name: `Client ${Math.random().toString(36).slice(2, 7)}`,
    redirect_uris: ["https://app.example.com/cb"],
    token_endpoint_auth_method: "none",
  });
  await standing(client_id, person);
  return client_id;
}

const call = (handler: typeof GET, id: string, init: Parameters<typeof browser.send>[2] = {}) =>
  browser.send(handler as Parameters<typeof browser.send>[0], `${BASE}/${encodeURIComponent(id)}`, { ...init, params: { id: init.params?.id ?? id } });
const get = (id: string) => call(GET, id);
const patch = (id: string, body: unknown, origin?: string | null) => call(PATCH, id, { method: "PATCH", body, ...(origin !== undefined ? { origin } : {}) });
const remove = (id: string, origin?: string | null) => call(DELETE, id, { method: "DELETE", ...(origin !== undefined ? { origin } : {}) });
const rowOf = (clientId: string, tenantId = "acme") =>
  db.tenantClient.findUnique({ where: { tenantId_clientId: { tenantId, clientId } }, include: { agent: true } });
const actionsOn = async (clientId: string) => (await db.auditEvent.findMany({ where: { target: clientId }, orderBy: { seq: "asc" } })).map((e) => e.action);

async function refused(res: Promise<Response>, status: number, code?: string): Promise<Problem> {
  const answer = await res;
  expect(answer.status).toBe(status);
  expect(answer.headers.get("content-type")).toBe("application/problem+json");
  const problem = (await answer.json()) as Problem;
  if (code) expect(problem.code).toBe(code);
  expect(problem.detail).toMatch(/^[A-Z].*\.$/);
  return problem;
}

/** Runs `fn` and checks that the client's row, its agent and the audit log are exactly as before. */
async function unchanged(clientId: string, fn: () => Promise<unknown>) {
  const before = { row: await rowOf(clientId), events: await db.auditEvent.count() };
  await fn();
  expect(await rowOf(clientId)).toEqual(before.row);
  expect(await db.auditEvent.count()).toBe(before.events);
}

describe("PATCH /api/v1/mcp-clients/{id}: decisions", () => {
  it("approves with a ceiling: the new agent has exactly that ceiling, and the client is approved", async () => {
    const id = await pendingClient();
    const res = await patch(id, { action: "approve", ceiling: CEILING });
    expect(res.status).toBe(200);
    const dto = (await res.json()) as Dto;
    expect(dto).toMatchObject({ clientId: id, status: "approved", agent: { status: "active", ceiling: CEILING, activeDelegations: 0 } });
    expect(dto.decidedBy).toEqual({ id: bob.id, name: bob.name, email: bob.email });
    const row = await rowOf(id);
    expect(row).toMatchObject({ status: "approved", decidedById: bob.id, agentId: dto.agent!.id });
    expect(row!.agent).toMatchObject({ tenantId: "acme", ceiling: CEILING, secretHash: null, createdById: null });
    expect(await standing(id)).toEqual({
      status: "approved",
      agent: { id: dto.agent!.id, clientId: row!.agent!.clientId, tenantId: "acme", status: "active" },
    });
    expect(await actionsOn(id)).toEqual(["mcp_client.request", "mcp_client.approve"]);
  });

  it("changes the ceiling, suspends and resumes through the agent, each audited", async () => {
    const id = await pendingClient();
    await patch(id, { action: "approve", ceiling: CEILING });
    expect(((await (await patch(id, { action: "set_ceiling", ceiling: NARROW })).json()) as Dto).agent!.ceiling).toEqual(NARROW);
    expect(((await (await patch(id, { action: "suspend" })).json()) as Dto).agent!.status).toBe("suspended");
    expect(await standing(id)).toMatchObject({ status: "approved", agent: { status: "suspended" } });
    expect(((await (await patch(id, { action: "resume" })).json()) as Dto).agent!.status).toBe("active");
    expect(await actionsOn(id)).toEqual(["mcp_client.request", "mcp_client.approve", "mcp_client.ceiling", "mcp_client.suspend", "mcp_client.resume"]);
  });

  it("blocks: the client stays blocked and its agent is suspended; approving again brings it back", async () => {
    const id = await pendingClient();
    await patch(id, { action: "approve", ceiling: CEILING });
    const blocked = (await (await patch(id, { action: "block" })).json()) as Dto;
    expect(blocked).toMatchObject({ status: "blocked", agent: { status: "suspended" } });
    expect(await standing(id)).toEqual({ status: "blocked" });
    expect((await rowOf(id))!.agent!.status).toBe("suspended");
    const back = (await (await patch(id, { action: "approve" })).json()) as Dto;
    expect(back).toMatchObject({ status: "approved", agent: { status: "active", ceiling: CEILING } });
    // Blocking a pending client needs no agent.
    const other = await pendingClient();
    expect(((await (await patch(other, { action: "block" })).json()) as Dto).status).toBe("blocked");
    expect((await rowOf(other))!.agentId).toBeNull();
  });

  it("refuses what the client's standing does not allow, changing nothing", async () => {
    const id = await pendingClient();
    await unchanged(id, async () => {
      await refused(patch(id, { action: "approve" }), 400, "ceiling_required");
      await refused(patch(id, { action: "suspend" }), 409, "mcp_client_not_approved");
      await refused(patch(id, { action: "resume" }), 409, "mcp_client_not_approved");
      await refused(patch(id, { action: "set_ceiling", ceiling: CEILING }), 409, "mcp_client_not_approved");
      await refused(patch(id, { action: "approve", ceiling: { ...CEILING, providers: ["nowhere"] } }), 400, "provider_not_in_catalogue");
    });
  });

  it("answers bad input with a 400 problem, never a 500", async () => {
    const id = await pendingClient();
    await unchanged(id, async () => {
      for (const body of [
        {},
        { action: "explode" },
        { action: "approve", ceiling: { providers: "demo-tasks" } },
        { action: "approve", ceiling: { ...CEILING, tools: ["no.such_tool"] } },
        { action: "block", ceiling: CEILING },
        { action: "set_ceiling" },
        "{ not json",
        [],
      ]) {
        await refused(patch(id, body), 400, "invalid_request");
      }
    });
  });
});

describe("who may decide", () => {
  it("refuses people who are not administrators (403) and people signed out (401)", async () => {
    const id = await pendingClient();
    await unchanged(id, async () => {
      await browser.signIn(alice);
      await refused(get(id), 403, "forbidden");
      await refused(patch(id, { action: "approve", ceiling: CEILING }), 403, "forbidden");
      await refused(remove(id), 403, "forbidden");
      browser.signOut();
      await refused(patch(id, { action: "block" }), 401, "unauthenticated");
    });
  });

  it("answers another organisation's client, and an unknown one, as not found (404)", async () => {
    const theirs = await pendingClient(carol);
    await unchanged(theirs, async () => {
      await refused(get(theirs), 404, "not_found");
      await refused(patch(theirs, { action: "approve", ceiling: CEILING }), 404, "not_found");
      await refused(remove(theirs), 404, "not_found");
    });
    expect(await rowOf(theirs, "globex")).toMatchObject({ status: "pending", agentId: null });
    await refused(get("mcp_unknown"), 404, "not_found");
    await refused(get(`https://x.example/${"a".repeat(1200)}`), 400, "invalid_request");
  });

  it("refuses PATCH and DELETE from another site, or with no Origin (403 origin_mismatch)", async () => {
    const id = await pendingClient();
    await unchanged(id, async () => {
      for (const origin of ["https://evil.example", "null", null]) {
        await refused(patch(id, { action: "approve", ceiling: CEILING }, origin), 403, "origin_mismatch");
        await refused(remove(id, origin), 403, "origin_mismatch");
      }
    });
  });
});

describe("GET and DELETE /api/v1/mcp-clients/{id}", () => {
  it("takes a metadata document's URL as the id, decoded or still encoded", async () => {
    const path = "/clients/inspector.json";
    const url = `${docServer.url}${path}`;
    documents.set(path, { client_id: url, client_name: "Inspector", redirect_uris: ["http://127.0.0.1/cb"] });
    await standing(url);
    for (const param of [url, encodeURIComponent(url)]) {
      const res = await call(GET, url, { params: { id: param } });
      expect(res.status, param).toBe(200);
      expect((await res.json()) as Dto).toMatchObject({ clientId: url, kind: "metadata_document", status: "pending", native: true });
    }
  });

  it("removes the client: its agent, delegations, token families and unused codes end, audited", async () => {
    const id = await pendingClient();
    const { agent } = (await (await patch(id, { action: "approve", ceiling: CEILING })).json()) as Dto;
    const connection = await insertConnection(db, alice);
    const delegation = await insertDelegation(db, { agentId: agent!.id, connection });
    const family = await db.tokenFamily.create({
      data: {
        id: `fam-${agent!.id}`,
        tenantId: "acme",
        clientId: id,
        agentId: agent!.id,
        userId: alice.id,
        resource: `${PORTAL_ORIGIN}/api/mcp`,
        delegationIds: [delegation.id],
      },
    });
    await db.refreshToken.create({ data: { tokenHash: `rt-${agent!.id}`, familyId: family.id, expiresAt: new Date(Date.now() + 3_600_000) } });
    await db.authorizationCode.create({
      data: {
        codeHash: `code-${agent!.id}`,
        clientId: id,
        tenantId: "acme",
        userId: alice.id,
        agentId: agent!.id,
        redirectUri: "https://app.example.com/cb",
        codeChallenge: "x",
        resource: `${PORTAL_ORIGIN}/api/mcp`,
        familyId: family.id,
        expiresAt: new Date(Date.now() + 60_000),
      },
    });
    expect(((await (await get(id)).json()) as Dto).agent!.activeDelegations).toBe(1);

    const res = await remove(id);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ deleted: true, delegationsEnded: 1 });
    expect(await rowOf(id)).toBeNull();
    expect(await db.agent.findUnique({ where: { id: agent!.id } })).toBeNull();
    expect(await db.delegation.findUnique({ where: { id: delegation.id } })).toBeNull();
    expect(await db.tokenFamily.findUnique({ where: { id: family.id } })).toBeNull();
    expect(await db.refreshToken.count({ where: { familyId: family.id } })).toBe(0);
    expect(await db.authorizationCode.count({ where: { clientId: id, tenantId: "acme" } })).toBe(0);
    const event = await db.auditEvent.findFirstOrThrow({ where: { target: id, action: "mcp_client.delete" } });
    expect(event).toMatchObject({
      actorArn: bob.arn,
      agentId: agent!.id,
      details: expect.objectContaining({ delegationsEnded: 1, codesDropped: 1, agentDeleted: true }),
    });
    await refused(get(id), 404, "not_found");
    await refused(remove(id), 404, "not_found");
    // The global client stays: connecting it again asks again.
    expect(await standing(id)).toEqual({ status: "pending" });
  });
});
