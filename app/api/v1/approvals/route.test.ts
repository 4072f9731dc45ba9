// Approvals end to end through the real routes: real vault-issued delegation tokens from the token
// endpoint, real session cookies, the real Demo Tasks provider (its API calls counted). A held write
// answers 202 and reaches no provider; the owner approves it on the portal API; only the same request
// then passes, once; a changed input or body is refused; deny and expiry stop it; nobody but the owner
// decides; the agent polls each status; every step leaves its audit event; no answer holds a token.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { portalBrowser } from "@/lib/testing/portal-session";
import { startActionWorld } from "@/lib/testing/action-world";
import type { TestClient } from "@/lib/testing/oauth-clients";

const w = await startActionWorld();
const list = await import("./route");
const poll = await import("./[id]/route");
const approve = await import("./[id]/approve/route");
const deny = await import("./[id]/deny/route");
const tools = await import("../tools/[name]/route");
const proxyRoute = await import("../proxy/route");
const { alice, bob, carol } = w.people;
const db = w.db;

let cnx: { id: string; tenantId: string; userId: string };
let client: TestClient;
let apiCalls = 0;
const browser = portalBrowser();

const tool = (t: string, name: string, input: unknown, approvalId?: string) =>
  w.send(tools.POST, `/api/v1/tools/${name}`, { token: t, params: { name }, body: { input }, headers: approvalId ? { "x-approval-id": approvalId } : {} });
const proxy = (t: string, body: unknown, approvalId?: string) =>
  w.send(proxyRoute.POST, "/api/v1/proxy", { token: t, body, headers: approvalId ? { "x-approval-id": approvalId } : {} });
const status = (t: string, id: string) => w.send(poll.GET, `/api/v1/approvals/${id}`, { token: t, params: { id } });
async function decide(verdict: "approve" | "deny", id: string, as = alice, origin?: string | null) {
  await browser.signIn(as);
  const route = verdict === "approve" ? approve : deny;
  return w.record(
    await browser.send(route.POST, `/api/v1/approvals/${id}/${verdict}`, { method: "POST", params: { id }, ...(origin !== undefined ? { origin } : {}) }),
  );
}
async function mine(as = alice) {
  await browser.signIn(as);
  return w.record(await browser.send(list.GET, "/api/v1/approvals"));
}
const events = (target: string) => db.auditEvent.findMany({ where: { tenantId: "acme", target }, orderBy: { seq: "asc" } });

async function heldToken(constraints = { approvalForWrites: true }, ceiling?: object) {
  const agent = ceiling ? await w.agent(ceiling) : client;
  return w.token(agent, (await w.grant(agent, cnx, { constraints })).id);
}

beforeAll(async () => {
  const id = await w.connect();
  cnx = await db.connection.findUniqueOrThrow({ where: { id }, select: { id: true, tenantId: true, userId: true } });
  await w.rememberTokens(id);
  client = await w.agent();
  // Counts every call at the provider's tasks API; takes none over.
  w.provider.interceptApi(() => {
    apiCalls++;
    return false;
  });
});

afterAll(async () => {
  w.provider.interceptApi(null);
  await w.provider.close();
});

describe("a tool call that needs approval", () => {
  it("waits (202, provider not called), is approved by its owner, then passes once; a second retry is refused", async () => {
    const t = await heldToken();
    const before = apiCalls;
    const held = await tool(t, "demo-tasks.create_task", { title: "Pay the rent" });
    expect(held.status).toBe(202);
    expect(held.json).toMatchObject({ approval_id: expect.any(String), status: "pending", expires_at: expect.any(String), tool: "demo-tasks.create_task" });
    const id = held.json.approval_id as string;
    expect(held.headers.get("location")).toBe(`${held.json.url}`);
    expect(new Date(held.json.expires_at).getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(apiCalls).toBe(before);

    // The same request while pending: the same approval, still nothing sent.
    expect((await tool(t, "demo-tasks.create_task", { title: "Pay the rent" })).json).toMatchObject({ approval_id: id, status: "pending" });
    expect((await status(t, id)).json).toMatchObject({ approval_id: id, status: "pending" });
    expect(apiCalls).toBe(before);

    // Alice sees exactly what would be sent.
    const listed = await mine();
    expect(listed.status).toBe(200);
    expect(listed.json.pending).toBeGreaterThanOrEqual(1);
    expect(listed.json.approvals.find((a: { id: string }) => a.id === id)).toMatchObject({
      status: "pending",
      kind: "tool",
      tool: "demo-tasks.create_task",
      input: { title: "Pay the rent" },
      method: "POST",
      path: "/tasks",
      provider: "demo-tasks",
    });

    // Bob, an administrator of the same tenant, may not decide alice's request.
    const byBob = await decide("approve", id, bob);
    expect(byBob.status).toBe(404);
    expect(byBob.json.code).toBe("approval_not_found");
    expect((await mine(bob)).json.approvals.some((a: { id: string }) => a.id === id)).toBe(false);
    // Nor may someone of another organisation.
    expect((await decide("deny", id, carol)).json).toMatchObject({ status: 404, code: "approval_not_found" });
    // Nor may a page on another site, with alice's cookie.
    expect((await decide("approve", id, alice, "https://evil.example")).json.code).toBe("origin_mismatch");
    expect((await status(t, id)).json.status).toBe("pending");

    const ok = await decide("approve", id);
    expect(ok.status).toBe(200);
    expect(ok.json.approval).toMatchObject({ id, status: "approved", decidedAt: expect.any(String) });
    expect((await status(t, id)).json.status).toBe("approved");
    expect((await decide("deny", id)).json).toMatchObject({ status: 409, code: "approval_not_pending" });

    // A different input naming this approval is refused, and uses nothing up.
    const changed = await tool(t, "demo-tasks.create_task", { title: "Pay the rent twice" }, id);
    expect(changed.status).toBe(403);
    expect(changed.json.code).toBe("approval_request_mismatch");
    expect(apiCalls).toBe(before);

    const passed = await tool(t, "demo-tasks.create_task", { title: "Pay the rent" }, id);
    expect(passed.status).toBe(200);
    expect(passed.json.output).toMatchObject({ task: { title: "Pay the rent" } });
    expect(passed.json.receipt).toEqual(expect.any(String));
    expect(apiCalls).toBe(before + 1);
    expect((await status(t, id)).json.status).toBe("used");

    const again = await tool(t, "demo-tasks.create_task", { title: "Pay the rent" }, id);
    expect(again.status).toBe(409);
    expect(again.json.code).toBe("approval_used");
    // Without naming it: a new approval to wait for, never a second pass.
    const anew = await tool(t, "demo-tasks.create_task", { title: "Pay the rent" });
    expect(anew.status).toBe(202);
    expect(anew.json.approval_id).not.toBe(id);
    expect(apiCalls).toBe(before + 1);

    const trail = (await events(id)).map((e) => `${e.action}:${e.outcome}`);
    expect(trail).toEqual(["approval.requested:success", "approval.approved:success", "approval.used:success"]);
    const requested = (await events(id))[0]!;
    expect(requested).toMatchObject({
      actorArn: alice.arn,
      agentId: client.agent.id,
      details: { tool: "demo-tasks.create_task", method: "POST", path: "/tasks" },
    });
    const action = await db.auditEvent.findFirstOrThrow({ where: { tenantId: "acme", action: "action.tool" }, orderBy: { seq: "desc" } });
    expect(action).toMatchObject({ outcome: "success", details: { approvalId: id } });
  });

  it("a plain retry of the approved request passes too (the approval is found by the request's hash)", async () => {
    const t = await heldToken();
    const id = (await tool(t, "demo-tasks.create_task", { title: "Water the plants" })).json.approval_id as string;
    await decide("approve", id);
    const before = apiCalls;
    expect((await tool(t, "demo-tasks.create_task", { title: "Water the plants!" })).status).toBe(202);
    expect(apiCalls).toBe(before);
    expect((await tool(t, "demo-tasks.create_task", { title: "Water the plants" })).status).toBe(200);
    expect(apiCalls).toBe(before + 1);
    expect((await status(t, id)).json.status).toBe("used");
  });

  it("two retries racing on one approval: exactly one reaches the provider", async () => {
    const t = await heldToken();
    const id = (await tool(t, "demo-tasks.create_task", { title: "Only once" })).json.approval_id as string;
    await decide("approve", id);
    const before = apiCalls;
    const answers = await Promise.all([1, 2, 3].map(() => tool(t, "demo-tasks.create_task", { title: "Only once" }, id)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409]);
    expect(apiCalls).toBe(before + 1);
    expect((await events(id)).filter((e) => e.action === "approval.used")).toHaveLength(1);
  });

  it("reads are not held; another delegation's token cannot poll it", async () => {
    const t = await heldToken();
    expect((await tool(t, "demo-tasks.list_tasks", {})).status).toBe(200);
    const id = (await tool(t, "demo-tasks.delete_task", { id: "t-1" })).json.approval_id as string;
    const other = await heldToken();
    expect((await status(other, id)).json).toMatchObject({ status: 404, code: "approval_not_found" });
    expect((await tool(other, "demo-tasks.delete_task", { id: "t-1" }, id)).json).toMatchObject({ status: 404, code: "approval_not_found" });
  });
});

describe("a grant that ended", () => {
  it("cannot have its pending requests approved, only denied", async () => {
    const agent = client;
    const d = await w.grant(agent, cnx, { constraints: { approvalForWrites: true } });
    const t = await w.token(agent, d.id);
    const id = (await tool(t, "demo-tasks.create_task", { title: "After revocation" })).json.approval_id as string;
    await db.delegation.update({ where: { id: d.id }, data: { revokedAt: new Date() } });
    expect((await decide("approve", id)).json).toMatchObject({ status: 409, code: "delegation_ended" });
    expect((await decide("deny", id)).json.approval).toMatchObject({ status: "denied" });
  });
});

describe("a proxy request held by the agent's ceiling", () => {
  const ceiling = {
    providers: ["demo-tasks"],
    tools: ["demo-tasks.list_tasks"],
    methods: ["GET", "POST"],
    pathPatterns: ["/**"],
    maxDelegationSeconds: 86_400,
    approvalMethods: ["POST"],
  };
  const body = { method: "POST", path: "/tasks", query: { notify: "no" }, body: { title: "Book flights" } };

  it("shows method, path, query and body; a changed body is refused; denied stays denied", async () => {
    const t = await heldToken({ approvalForWrites: false } as never, ceiling);
    const before = apiCalls;
    expect((await proxy(t, { method: "GET", path: "/tasks" })).json.status).toBe(200);
    const held = await proxy(t, body);
    expect(held.status).toBe(202);
    const id = held.json.approval_id as string;
    expect(apiCalls).toBe(before + 1);
    const shown = (await mine()).json.approvals.find((a: { id: string }) => a.id === id);
    expect(shown).toMatchObject({
      kind: "proxy",
      tool: null,
      method: "POST",
      path: "/tasks",
      query: { notify: "no" },
      bodySummary: '{"title":"Book flights"}',
    });
    expect(shown.reason).toMatch(/administrator/);

    await decide("approve", id);
    const changed = await proxy(t, { ...body, body: { title: "Book first-class flights" } }, id);
    expect(changed).toMatchObject({ status: 403, json: { code: "approval_request_mismatch" } });
    const otherQuery = await proxy(t, { ...body, query: { notify: "yes" } }, id);
    expect(otherQuery.json.code).toBe("approval_request_mismatch");
    expect(apiCalls).toBe(before + 1);
    const passed = await proxy(t, body, id);
    expect(passed.status).toBe(200);
    expect(passed.json.status).toBe(201);
    expect(apiCalls).toBe(before + 2);

    const second = (await proxy(t, { ...body, body: { title: "Rent a car" } })).json.approval_id as string;
    const denied = await decide("deny", second);
    expect(denied.json.approval).toMatchObject({ status: "denied" });
    expect((await status(t, second)).json.status).toBe("denied");
    expect((await decide("approve", second)).json.code).toBe("approval_not_pending");
    expect((await proxy(t, { ...body, body: { title: "Rent a car" } }, second)).json).toMatchObject({ status: 403, code: "approval_denied" });
    expect(apiCalls).toBe(before + 2);
    expect((await events(second)).map((e) => e.action)).toEqual(["approval.requested", "approval.denied"]);
  });
});

describe("expiry", () => {
  it("a pending approval past its time is expired (once, audited) and can no longer be approved", async () => {
    const t = await heldToken();
    const id = (await tool(t, "demo-tasks.create_task", { title: "Late" })).json.approval_id as string;
    await db.approval.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await status(t, id)).json.status).toBe("expired");
    expect((await status(t, id)).json.status).toBe("expired");
    expect((await decide("approve", id)).json).toMatchObject({ status: 409, code: "approval_not_pending" });
    expect((await events(id)).map((e) => e.action)).toEqual(["approval.requested", "approval.expired"]);
  });

  it("an approved one not used in time is expired too, and the retry is refused", async () => {
    const t = await heldToken();
    const id = (await tool(t, "demo-tasks.create_task", { title: "Too late" })).json.approval_id as string;
    await decide("approve", id);
    await db.approval.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const before = apiCalls;
    expect((await tool(t, "demo-tasks.create_task", { title: "Too late" }, id)).json).toMatchObject({ status: 403, code: "approval_expired" });
    expect(apiCalls).toBe(before);
    expect((await events(id)).map((e) => e.action)).toEqual(["approval.requested", "approval.approved", "approval.expired"]);
  });
});

describe("the portal list", () => {
  it("needs a session and refuses an unknown status filter with a sentence", async () => {
    browser.signOut();
    expect((await browser.send(list.GET, "/api/v1/approvals")).status).toBe(401);
    await browser.signIn(alice);
    const bad = await w.record(await browser.send(list.GET, "/api/v1/approvals?status=maybe"));
    expect(bad.status).toBe(400);
    expect(bad.json.detail).toMatch(/status/);
  });

  it("no answer ever held a provider token", () => {
    const { answers, hits } = w.leaks();
    expect(answers).toBeGreaterThan(20);
    expect(hits).toEqual([]);
  });
});
