// GET /api/v1/tools and POST /api/v1/tools/{name} against the real Demo Tasks provider: the list is
// the delegation's tools within the ceiling and the connection's provider; list/create/delete/whoami
// work and return only declared fields; bad input, unknown tools and PDP denials reach the agent with
// their code; provider failures never relay the provider's body; receipts verify and point at the
// audit row; a dead connection surfaces as connection_needs_reconnect; no answer holds a token.
import { createLocalJWKSet, jwtVerify } from "jose";
import http from "node:http";

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { startActionWorld } from "@/lib/testing/action-world";
import type { TestClient } from "@/lib/testing/oauth-clients";

const w = await startActionWorld();
const list = await import("./route");
const run = await import("./[name]/route");
const { vaultPublicJwks } = await import("@/lib/vault/signing/signing-keys");
const { requestSha256, sha256 } = await import("@/lib/receipts/claims");
const { alice } = w.people;
const db = w.db;

let aliceCnx: { id: string; tenantId: string; userId: string };
let client: TestClient;
let token = "";

const tool = (name: string, input?: unknown, t = token, raw?: unknown) =>
  w.send(run.POST, `/api/v1/tools/${name}`, { token: t, params: { name }, body: raw ?? (input === undefined ? {} : { input }) });
const tools = (t = token) => w.send(list.GET, "/api/v1/tools", { token: t });

beforeAll(async () => {
  const id = await w.connect();
  aliceCnx = await db.connection.findUniqueOrThrow({ where: { id }, select: { id: true, tenantId: true, userId: true } });
  await w.rememberTokens(id);
  client = await w.agent();
  token = await w.token(client, (await w.grant(client, aliceCnx)).id);
});

afterAll(async () => {
  await w.provider.close();
});

describe("GET /api/v1/tools", () => {
  it("lists the delegation's tools with their input schemas", async () => {
    const res = await tools();
    expect(res.status).toBe(200);
    const names = (res.json.tools as { name: string }[]).map((t) => t.name);
    expect(names).toEqual(["demo-tasks.list_tasks", "demo-tasks.create_task", "demo-tasks.delete_task", "demo-tasks.whoami"]);
    const create = res.json.tools.find((t: { name: string }) => t.name === "demo-tasks.create_task");
    expect(create).toMatchObject({
      title: "Create a task",
      description: expect.any(String),
      inputSchema: { type: "object", properties: { title: { type: "string" } }, required: ["title"] },
    });
    expect(res.json.tools.map((t: { mcpName: string }) => t.mcpName)).toEqual([
      "demo_tasks__list_tasks",
      "demo_tasks__create_task",
      "demo_tasks__delete_task",
      "demo_tasks__whoami",
    ]);
  });

  it("only tools that are delegated AND within the agent's ceiling AND for the connection's provider", async () => {
    const narrow = await w.agent({
      providers: ["demo-tasks"],
      tools: ["demo-tasks.list_tasks", "demo-tasks.whoami", "github.list_repos"],
      methods: [],
      pathPatterns: [],
      maxDelegationSeconds: 86_400,
    });
    const d = await w.grant(narrow, aliceCnx, { tools: ["demo-tasks.list_tasks", "demo-tasks.create_task", "github.list_repos"] });
    const res = await tools(await w.token(narrow, d.id));
    expect(res.json.tools.map((t: { name: string }) => t.name)).toEqual(["demo-tasks.list_tasks"]);
  });
});

describe("POST /api/v1/tools/{name}", () => {
  it("list_tasks returns alice's tasks, declared fields only, with a receipt", async () => {
    const res = await tool("demo-tasks.list_tasks", {}, token);
    expect(res.status).toBe(200);
    expect(res.json.credential).toBe("user");
    const tasks = res.json.output.tasks as Record<string, unknown>[];
    expect(tasks.map((t) => t.title)).toContain("Buy oat milk");
    for (const t of tasks) expect(Object.keys(t).sort()).toEqual(["createdAt", "done", "id", "title"]);
  });

  it("create_task, then delete_task, then whoami", async () => {
    const created = await tool("demo-tasks.create_task", { title: "  Tool-made task " });
    expect(created.status).toBe(200);
    expect(created.json.output).toMatchObject({ task: { title: "Tool-made task", done: false } });
    const id = created.json.output.task.id as string;
    expect((await tool("demo-tasks.list_tasks")).json.output.tasks.map((t: { id: string }) => t.id)).toContain(id);

    const deleted = await tool("demo-tasks.delete_task", { id });
    expect(deleted.json.output).toEqual({ deleted: true, id });
    expect((await tool("demo-tasks.list_tasks")).json.output.tasks.map((t: { id: string }) => t.id)).not.toContain(id);

    const me = await tool("demo-tasks.whoami");
    expect(me.json.output).toEqual({ sub: "alice", email: "alice@demo-tasks.test", name: expect.any(String) });
  });

  it("a body without `input` runs a tool whose input is empty; unknown body fields are refused", async () => {
    expect((await tool("demo-tasks.whoami", undefined, token, {})).status).toBe(200);
    const res = await tool("demo-tasks.whoami", undefined, token, { input: {}, extra: 1 });
    expect(res.status).toBe(400);
    expect(res.json.detail).toMatch(/extra/);
  });

  it("invalid input -> 400 invalid_tool_input with a sentence naming the field; nothing is sent", async () => {
    // Every request the vault sends a provider goes out through node:http (lib/vault/call/upstream.ts).
    const requestSpy = vi.spyOn(http, "request");
    try {
      const missing = await tool("demo-tasks.create_task", {});
      expect(missing.status).toBe(400);
      expect(missing.json).toMatchObject({ code: "invalid_tool_input" });
      expect(missing.json.detail).toBe('Field "title" is missing.');
      const extra = await tool("demo-tasks.list_tasks", { status: "open" });
      expect(extra.json).toMatchObject({ status: 400, code: "invalid_tool_input" });
      expect(extra.json.detail).toMatch(/"status"/);
      const notObject = await tool("demo-tasks.create_task", "Buy milk");
      expect(notObject.json).toMatchObject({ status: 400, code: "invalid_tool_input" });
      // A task id that would climb out of /tasks is caught by the same path checks as the proxy.
      const climbing = await tool("demo-tasks.delete_task", { id: ".." });
      expect(climbing.json).toMatchObject({ status: 400, code: "path_refused" });
      expect(requestSpy).not.toHaveBeenCalled();
    } finally {
      requestSpy.mockRestore();
    }
  });

  it("takes the MCP name too, and records the catalogue name", async () => {
    const res = await tool("demo_tasks__list_tasks", {});
    expect(res.status).toBe(200);
    expect(res.json.output.tasks).toEqual(expect.any(Array));
    const row = await db.auditEvent.findFirstOrThrow({ where: { tenantId: "acme", action: "action.tool" }, orderBy: { seq: "desc" } });
    expect(row).toMatchObject({ outcome: "success", details: { tool: "demo-tasks.list_tasks" } });
    expect((await tool("demo_tasks__drop_database", {})).json).toMatchObject({ status: 404, code: "tool_unknown" });
  });

  it("an unknown tool -> 404 tool_unknown", async () => {
    const res = await tool("demo-tasks.drop_database", {});
    expect(res.status).toBe(404);
    expect(res.json.code).toBe("tool_unknown");
  });

  it("a provider error -> 502 provider_error with the provider's status, never its body", async () => {
    const res = await tool("demo-tasks.delete_task", { id: "no-such-task" });
    expect(res.status).toBe(502);
    expect(res.json).toMatchObject({ code: "provider_error", providerStatus: 404 });
    expect(res.text).not.toMatch(/no such task|not_found/);
    const row = await db.auditEvent.findFirstOrThrow({ where: { tenantId: "acme", action: "action.tool" }, orderBy: { seq: "desc" } });
    expect(row).toMatchObject({ outcome: "failure", details: { tool: "demo-tasks.delete_task", status: 404, code: "provider_error" } });
  });
});

describe("PDP denials reach the agent as 403 with the code", () => {
  it("a write that needs approval answers 202 with the approval to poll, not a refusal", async () => {
    const t = await w.token(client, (await w.grant(client, aliceCnx, { constraints: { approvalForWrites: true } })).id);
    const res = await tool("demo-tasks.delete_task", { id: "x" }, t);
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ approval_id: expect.any(String), status: "pending", tool: "demo-tasks.delete_task" });
    const decision = await db.auditEvent.findFirstOrThrow({ where: { tenantId: "acme", action: "pdp.decision" }, orderBy: { seq: "desc" } });
    expect(decision).toMatchObject({ outcome: "deny", details: { kind: "tool", code: "approval_required" } });
  });

  it.each([
    ["a tool the person did not delegate", { tools: ["demo-tasks.list_tasks"] }, "demo-tasks.whoami", {}, "tool_not_delegated"],
    ["a write on a read-only delegation", { constraints: { readOnly: true } }, "demo-tasks.create_task", { title: "x" }, "read_only"],
    ["a scope the person did not delegate", { scopes: ["tasks.read"] }, "demo-tasks.create_task", { title: "x" }, "scope_not_delegated"],
  ])("%s -> %s", async (_name, grant, name, input, code) => {
    const t = await w.token(client, (await w.grant(client, aliceCnx, grant)).id);
    const res = await tool(name, input, t);
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ code, status: 403, layer: expect.any(String) });
    const decision = await db.auditEvent.findFirstOrThrow({ where: { tenantId: "acme", action: "pdp.decision" }, orderBy: { seq: "desc" } });
    expect(decision).toMatchObject({ outcome: "deny", details: { kind: "tool", tool: name, code } });
  });

  it.each([
    ["a tool the person did not delegate", { tools: ["demo-tasks.list_tasks"] }, "demo_tasks__whoami", {}, "tool_not_delegated", "demo-tasks.whoami"],
    ["a scope the person did not delegate", { scopes: ["tasks.read"] }, "demo-tasks.create_task", { title: "x" }, "scope_not_delegated", "tasks.write"],
  ])("%s -> WWW-Authenticate insufficient_scope naming what is missing", async (_name, grant, name, input, code, missing) => {
    const t = await w.token(client, (await w.grant(client, aliceCnx, grant)).id);
    const res = await tool(name, input, t);
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ code, status: 403 });
    expect(res.headers.get("www-authenticate")).toMatch(
      new RegExp(`^Bearer realm="token-vault", error="insufficient_scope", error_description="[^"]+", scope="${missing.replace(/\./g, "\\.")}"$`),
    );
  });

  it("a refusal more grants would not lift (read-only) carries no challenge", async () => {
    const t = await w.token(client, (await w.grant(client, aliceCnx, { constraints: { readOnly: true } })).id);
    const res = await tool("demo-tasks.create_task", { title: "x" }, t);
    expect(res.json).toMatchObject({ status: 403, code: "read_only" });
    expect(res.headers.get("www-authenticate")).toBeNull();
  });

  it("a tool outside the agent's ceiling -> 403 tool_not_allowed", async () => {
    const narrow = await w.agent({ providers: ["demo-tasks"], tools: ["demo-tasks.list_tasks"], maxDelegationSeconds: 86_400 });
    const t = await w.token(narrow, (await w.grant(narrow, aliceCnx)).id);
    expect((await tool("demo-tasks.whoami", {}, t)).json).toMatchObject({ status: 403, code: "tool_not_allowed" });
    expect((await tool("github.list_repos", {}, t)).json).toMatchObject({ status: 403, code: "tool_not_allowed" });
  });

  it("revoked mid-session: 401 delegation_revoked from the bearer check", async () => {
    const d = await w.grant(client, aliceCnx);
    const t = await w.token(client, d.id);
    expect((await tool("demo-tasks.whoami", {}, t)).status).toBe(200);
    await db.delegation.update({ where: { id: d.id }, data: { revokedAt: new Date() } });
    const res = await tool("demo-tasks.whoami", {}, t);
    expect(res.status).toBe(401);
    expect(res.json.code).toBe("delegation_revoked");
    expect((await tools(t)).status).toBe(401);
  });
});

describe("receipts and audit", () => {
  it("the receipt verifies against the JWKS, hashes exactly the output returned and names the audit row", async () => {
    const res = await tool("demo-tasks.create_task", { title: "Receipted" });
    const { payload, protectedHeader } = await jwtVerify(res.json.receipt as string, createLocalJWKSet(await vaultPublicJwks()), {
      issuer: "http://localhost:3999",
      typ: "receipt+jwt",
    });
    expect(protectedHeader.alg).toBe("EdDSA");
    expect(payload).toMatchObject({
      sub: alice.arn,
      act: { sub: client.clientId },
      cnx: aliceCnx.id,
      action: "demo-tasks.create_task",
      credential: "user",
      status: 201,
    });
    expect(res.text).toContain(JSON.stringify(res.json.output));
    expect(payload.response_sha256).toBe(sha256(JSON.stringify(res.json.output)));
    expect(payload.request_sha256).toBe(requestSha256("POST", new URL(`${w.provider.issuer}/tasks`), Buffer.from(JSON.stringify({ title: "Receipted" }))));
    const row = await db.auditEvent.findUniqueOrThrow({ where: { tenantId_seq: { tenantId: "acme", seq: payload.audit_seq as number } } });
    expect(row).toMatchObject({
      hash: payload.audit_hash,
      action: "action.tool",
      outcome: "success",
      agentId: client.agent.id,
      actorArn: alice.arn,
      target: payload.del,
    });
    expect(row.details).toMatchObject({
      tool: "demo-tasks.create_task",
      method: "POST",
      path: "/tasks",
      status: 201,
      channel: "api",
      response_sha256: payload.response_sha256,
    });
  });

  it("an audit log that cannot be written: 503 audit_unavailable, no output, no receipt", async () => {
    await db.$executeRawUnsafe(`CREATE OR REPLACE FUNCTION refuse_action_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.action = 'action.tool' THEN RAISE EXCEPTION 'audit store refuses'; END IF; RETURN NEW; END $$`);
    await db.$executeRawUnsafe(`CREATE TRIGGER refuse_action_audit BEFORE INSERT ON "AuditEvent" FOR EACH ROW EXECUTE FUNCTION refuse_action_audit()`);
    try {
      const res = await tool("demo-tasks.whoami");
      expect(res.status).toBe(503);
      expect(res.json.code).toBe("audit_unavailable");
      expect(res.json).not.toHaveProperty("output");
      expect(res.json).not.toHaveProperty("receipt");
      expect(res.text).not.toMatch(/alice@demo-tasks/);
    } finally {
      await db.$executeRawUnsafe(`DROP TRIGGER refuse_action_audit ON "AuditEvent"`);
      await db.$executeRawUnsafe(`DROP FUNCTION refuse_action_audit()`);
    }
  });
});

describe("a connection the provider no longer honours", () => {
  it("refresh refused (invalid_grant) -> 409 connection_needs_reconnect reaches the agent", async () => {
    const { id } = await db.connection.findUniqueOrThrow({ where: { id: aliceCnx.id }, select: { id: true } });
    const live = await w.rememberTokens(id);
    try {
      await w.storeTokens(id, { access: "expired-access-token-000", refresh: "dead-refresh-token-000", expiresAt: new Date(Date.now() - 1000) });
      const res = await tool("demo-tasks.list_tasks");
      expect(res.status).toBe(409);
      expect(res.json).toMatchObject({ code: "connection_needs_reconnect" });
      // From then on the PDP refuses before any call: the connection is marked.
      expect((await tool("demo-tasks.list_tasks")).json).toMatchObject({ status: 403, code: "connection_unavailable" });
    } finally {
      await w.storeTokens(id, { access: live.access, refresh: live.refresh, expiresAt: new Date(Date.now() + 3_600_000) });
      await db.connection.update({ where: { id }, data: { status: "active", lastError: null, failureCount: 0 } });
    }
    expect((await tool("demo-tasks.list_tasks")).status).toBe(200);
  });
});

describe("zero exposure", () => {
  it("no answer of this file holds a live provider token", async () => {
    await w.rememberTokens(aliceCnx.id);
    const { answers, hits } = w.leaks();
    expect(answers).toBeGreaterThan(25);
    expect(hits).toEqual([]);
    const { refresh } = await w.plainTokens(aliceCnx.id);
    w.transcript.push(`planted ${refresh}`);
    expect(w.leaks().hits.length).toBe(1);
    w.transcript.pop();
  });
});
