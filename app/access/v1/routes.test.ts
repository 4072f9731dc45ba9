// The AuthZEN routes over a real database and the real PDP, with the two ways in as they are: an
// agent's access token from the vault's token endpoint and a portal session cookie. An agent asks about itself
// only, an administrator about the tenant's agents, nobody else gets an answer, and every answer
// carries the caller's X-Request-ID.
import { beforeEach, describe, expect, it } from "vitest";
import {
  agentToken,
  agentWithCredentials,
  bearer as bearerOf,
  DEMO_TASKS_CEILING,
  insertAgent,
  insertConnection,
  insertDelegation,
  PORTAL_ORIGIN,
  portalBrowser,
  setRole,
  startConnectWorld,
} from "@/lib/testing";

const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const single = await import("./evaluation/route");
const batch = await import("./evaluations/route");
const { alice, bob, carol } = world.people;
const db = await getDb();
const ORIGIN = PORTAL_ORIGIN;

const asker = await agentWithCredentials(db, "acme", { ceiling: DEMO_TASKS_CEILING });
const agent = asker.agent;
const otherAgent = await insertAgent(db, "acme", { ceiling: DEMO_TASKS_CEILING });
const connection = await insertConnection(db, alice);
const delegation = await insertDelegation(db, { agentId: agent.id, connection, scopes: ["tasks.read"], tools: ["demo-tasks.list_tasks"] });
const carolAsAdmin = await setRole(carol, "admin");
const browser = portalBrowser();
// An agent an administrator suspended after it got its token.
const suspended = await agentWithCredentials(db, "acme", { ceiling: DEMO_TASKS_CEILING });
const suspendedBearer = bearerOf(await agentToken(suspended));
await db.agent.update({ where: { id: suspended.agent.id }, data: { status: "suspended" } });

type Json = Record<string, any>;

function post(route: { POST: (req: Request) => Promise<Response> }, body: unknown, headers: Record<string, string> = {}) {
  return route.POST(browser.request(`${ORIGIN}/access/v1/x`, { method: "POST", body, origin: null, headers }));
}
const bearer = bearerOf(await agentToken(asker));
const question = (action: Json, clientId = agent.clientId, delegationId: string = delegation.id) => ({
  subject: { type: "agent", id: clientId },
  action,
  resource: { type: "delegation", id: delegationId },
});
const EXCHANGE = { name: "exchange" };
const LIST = { name: "tool", properties: { name: "demo-tasks.list_tasks" } };
const DELETE = { name: "tool", properties: { name: "demo-tasks.delete_task" } };
const decisions = () => db.auditEvent.count({ where: { action: "pdp.decision" } });

beforeEach(() => {
  browser.signOut();
});

describe("POST /access/v1/evaluation as an agent", () => {
  it("answers a question about itself, echoes X-Request-ID and audits the question", async () => {
    const res = await post(single, question(EXCHANGE), { ...bearer, "x-request-id": "trace-123" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("trace-123");
    expect(await res.json()).toEqual({
      decision: true,
      context: { code: "allowed", layer: "data", reason_admin: { en: "Every layer allows this." }, scopes: ["tasks.read"] },
    });
    const row = await db.auditEvent.findFirst({ where: { action: "pdp.decision", target: delegation.id }, orderBy: { seq: "desc" } });
    expect(row?.details).toMatchObject({ kind: "exchange", code: "allowed", advisory: true, requestId: "trace-123" });
  });

  it("answers a denial with its code, layer and reason", async () => {
    const body = (await (await post(single, question(DELETE), bearer)).json()) as Json;
    expect(body).toMatchObject({ decision: false, context: { code: "tool_not_delegated", layer: "consent" } });
    expect(body.context.reason_admin.en).toMatch(/did not delegate/);
  });

  it("takes a tool's MCP name as well as its dotted name, and decides the same", async () => {
    const byMcpName = (name: string) => question({ name: "tool", properties: { name } });
    expect(await (await post(single, byMcpName("demo_tasks__list_tasks"), bearer)).json()).toMatchObject({ decision: true, context: { code: "allowed" } });
    expect(await (await post(single, byMcpName("demo_tasks__delete_task"), bearer)).json()).toMatchObject({
      decision: false,
      context: { code: "tool_not_delegated" },
    });
    expect(await (await post(single, byMcpName("demo_tasks__nothing"), bearer)).json()).toMatchObject({
      decision: false,
      context: { code: "tool_not_allowed" },
    });
  });

  it("refuses a question about another agent with 403 and decides nothing", async () => {
    const before = await decisions();
    const res = await post(single, question(EXCHANGE, otherAgent.clientId), bearer);
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(await decisions()).toBe(before);
  });

  it("answers 401 with a challenge for a refused token", async () => {
    const res = await post(single, question(EXCHANGE), { ...suspendedBearer, "x-request-id": "trace-401" });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect(res.headers.get("x-request-id")).toBe("trace-401");
    expect(((await res.json()) as Json).code).toBe("agent_suspended");
  });

  it("answers decision false, not an error, for subjects, resources and actions it does not know", async () => {
    const cases: [Json, string][] = [
      [{ ...question(EXCHANGE), subject: { type: "user", id: "alice" } }, "unsupported_subject"],
      [{ ...question(EXCHANGE), resource: { type: "document", id: "roadmap" } }, "unsupported_resource"],
      [question({ name: "can_read" }), "unsupported_action"],
      [question({ name: "tool" }), "invalid_action"],
      [question({ name: "proxy", properties: { method: "BREW", path: "/tasks" } }), "invalid_action"],
    ];
    for (const [body, code] of cases) {
      const res = await post(single, body, bearer);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ decision: false, context: { code } });
    }
  });

  it("decides proxy calls by method and path", async () => {
    const read = await post(single, question({ name: "proxy", properties: { method: "get", path: "/tasks" } }), bearer);
    expect(await read.json()).toMatchObject({ decision: true });
    const write = await post(single, question({ name: "proxy", properties: { method: "POST", path: "/tasks" } }), bearer);
    expect(await write.json()).toMatchObject({ decision: false, context: { code: "scope_not_delegated" } });
  });

  it("answers 400 with a sentence for a malformed body", async () => {
    const notJson = await post(single, "{subject:", bearer);
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as Json).detail).toMatch(/not valid JSON/);
    const noSubject = await post(single, { action: EXCHANGE, resource: { type: "delegation", id: delegation.id } }, { ...bearer, "x-request-id": "trace-400" });
    expect(noSubject.status).toBe(400);
    expect(noSubject.headers.get("x-request-id")).toBe("trace-400");
    expect(((await noSubject.json()) as Json).detail).toBe('Field "subject" is missing.');
  });

  it("makes up a request id when the caller's is missing or unusable", async () => {
    const res = await post(single, question(EXCHANGE), { ...bearer, "x-request-id": "has spaces in it" });
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("POST /access/v1/evaluation with a portal session", () => {
  it("answers 401 without any credentials", async () => {
    const res = await post(single, question(EXCHANGE), { origin: ORIGIN });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
    expect(res.headers.get("x-request-id")).toBeTruthy();
    expect(((await res.json()) as Json).code).toBe("unauthenticated");
  });

  it("refuses a person who is not an administrator", async () => {
    await browser.signIn(alice);
    const res = await post(single, question(EXCHANGE), { origin: ORIGIN });
    expect(res.status).toBe(403);
  });

  it("refuses an administrator's request from another site", async () => {
    await browser.signIn(bob);
    const res = await post(single, question(EXCHANGE), { origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(((await res.json()) as Json).code).toBe("origin_mismatch");
  });

  it("lets an administrator ask about any agent of the tenant", async () => {
    await browser.signIn(bob);
    const res = await post(single, question(LIST), { origin: ORIGIN });
    expect(await res.json()).toMatchObject({ decision: true, context: { code: "allowed" } });
    const wrongAgent = await post(single, question(LIST, otherAgent.clientId), { origin: ORIGIN });
    expect(await wrongAgent.json()).toMatchObject({ decision: false, context: { code: "delegation_wrong_agent" } });
  });

  it("tells another tenant's administrator nothing about this tenant's agents or delegations", async () => {
    await browser.signIn(carolAsAdmin);
    const res = await post(single, question(EXCHANGE), { origin: ORIGIN });
    expect(await res.json()).toMatchObject({ decision: false, context: { code: "agent_unknown" } });
  });
});

describe("POST /access/v1/evaluations", () => {
  it("applies top-level defaults to each item and answers in order", async () => {
    const res = await post(
      batch,
      {
        subject: { type: "agent", id: agent.clientId },
        resource: { type: "delegation", id: delegation.id },
        evaluations: [{ action: EXCHANGE }, { action: LIST }, { action: DELETE }],
      },
      { ...bearer, "x-request-id": "batch-1" },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("batch-1");
    const body = (await res.json()) as Json;
    expect(body.evaluations.map((e: Json) => e.decision)).toEqual([true, true, false]);
    expect(body.evaluations[2].context.code).toBe("tool_not_delegated");
  });

  it("lets an item replace a default whole", async () => {
    const res = await post(
      batch,
      {
        subject: { type: "agent", id: agent.clientId },
        action: EXCHANGE,
        resource: { type: "delegation", id: delegation.id },
        evaluations: [{}, { resource: { type: "delegation", id: "nope" } }],
      },
      bearer,
    );
    expect(((await res.json()) as Json).evaluations.map((e: Json) => e.context.code)).toEqual(["allowed", "delegation_unknown"]);
  });

  it("stops early on deny_on_first_deny and permit_on_first_permit", async () => {
    const defaults = { subject: { type: "agent", id: agent.clientId }, resource: { type: "delegation", id: delegation.id } };
    const items = [{ action: LIST }, { action: DELETE }, { action: EXCHANGE }];
    const deny = (await (
      await post(batch, { ...defaults, evaluations: items, options: { evaluations_semantic: "deny_on_first_deny" } }, bearer)
    ).json()) as Json;
    expect(deny.evaluations.map((e: Json) => e.decision)).toEqual([true, false]);
    const permit = (await (
      await post(batch, { ...defaults, evaluations: [{ action: DELETE }, ...items], options: { evaluations_semantic: "permit_on_first_permit" } }, bearer)
    ).json()) as Json;
    expect(permit.evaluations.map((e: Json) => e.decision)).toEqual([false, true]);
  });

  it("answers a batch without items like a single evaluation", async () => {
    const res = await post(batch, { ...question(EXCHANGE), evaluations: [] }, bearer);
    expect(await res.json()).toMatchObject({ decision: true, context: { code: "allowed" } });
  });

  it("refuses the whole batch when any item asks about another agent", async () => {
    const before = await decisions();
    const res = await post(batch, { ...question(EXCHANGE), evaluations: [{}, { subject: { type: "agent", id: otherAgent.clientId } }] }, bearer);
    expect(res.status).toBe(403);
    expect(await decisions()).toBe(before);
  });

  it("answers 400 for an item without a subject and no default, or too many items", async () => {
    const missing = await post(batch, { evaluations: [{ action: EXCHANGE, resource: { type: "delegation", id: delegation.id } }] }, bearer);
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as Json).detail).toBe("Evaluation 0 has no subject and the request gives no default: send subject.");
    const many = await post(batch, { ...question(EXCHANGE), evaluations: Array.from({ length: 101 }, () => ({})) }, bearer);
    expect(many.status).toBe(400);
    const semantic = await post(batch, { ...question(EXCHANGE), evaluations: [{}], options: { evaluations_semantic: "sometimes" } }, bearer);
    expect(semantic.status).toBe(400);
  });
});
