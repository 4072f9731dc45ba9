// Tools work on an API-key connection unchanged: alice pastes an OpenAI key (POST
// /api/v1/connections/api-key/openai, unchecked), delegates `read` and openai.list_models to an
// agent, and the agent calls POST /api/v1/tools/openai.list_models like any other tool. The vault's
// one upstream function is intercepted for api.openai.com only (this machine cannot reach it; the
// world's Demo Tasks provider still goes through the real one): the request is GET
// https://api.openai.com/v1/models carrying `authorization: Bearer <key>` and nothing else of the
// vault's; the answer holds the declared fields only; a tool the person did not delegate is refused
// before any call; OpenAI's 401 comes back as the tool's error, sent once and never refreshed. No
// answer of this file holds the key.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { startActionWorld, type TestClient } from "@/lib/testing";
import { portalBrowser } from "@/lib/testing/portal-session";
import type { UpstreamAnswer, UpstreamRequest } from "@/lib/vault/call/upstream";

type Seen = { url: string; method: string; headers: Record<string, string>; body: unknown };
type Reply = { status: number; headers: Array<[string, string]>; body: string };

const openai = vi.hoisted(() => ({ seen: [] as Seen[], reply: null as Reply | null }));

vi.mock("@/lib/vault/call/upstream", async (importActual) => {
  const actual = await importActual<typeof import("@/lib/vault/call/upstream")>();
  return {
    ...actual,
    async sendUpstream(url: URL, init: UpstreamRequest): Promise<UpstreamAnswer> {
      if (url.hostname !== "api.openai.com") return actual.sendUpstream(url, init);
      openai.seen.push({ url: url.href, method: init.method, headers: { ...init.headers }, body: init.body });
      const reply = openai.reply ?? { status: 500, headers: [], body: "" };
      return { status: reply.status, headers: reply.headers, read: async () => Buffer.from(reply.body), discard: () => {} };
    },
  };
});

const w = await startActionWorld();
const pasteRoute = await import("@/app/api/v1/connections/api-key/[provider]/route");
const run = await import("./[name]/route");
const { alice } = w.people;
const db = w.db;
const browser = portalBrowser();

const KEY = "sk-proj-Tv9x2Qm4Lr7Wc1Zp8Hs3Ke6Yb0Nd5Ju";
const TOOL = "openai.list_models";
const JSON_TYPE: [string, string] = ["content-type", "application/json"];

// OpenAI's API reference, Models, List models: { object: "list", data: [Model] }. One model carries
// fields the tool does not declare, one of them echoing the key.
const MODELS = {
  object: "list",
  data: [
    { id: "gpt-4o-mini", object: "model", created: 1721172741, owned_by: "system", permission: [{ allow_sampling: true }] },
    { id: "ft:gpt-4o-mini:acme::abc123", object: "model", created: 1730000000, owned_by: "org-acme", debug: { key: KEY } },
  ],
};
// What OpenAI answers a revoked key (its message names the key by its last four only).
const INVALID_KEY = { error: { message: "Incorrect API key provided: sk-proj-****J5Ju.", type: "invalid_request_error", code: "invalid_api_key" } };

let cnx: { id: string; tenantId: string; userId: string };
let client: TestClient;
let token = "";

const tool = (name: string, t = token, input: unknown = {}) => w.send(run.POST, `/api/v1/tools/${name}`, { token: t, params: { name }, body: { input } });

beforeAll(async () => {
  w.remember(KEY);
  await browser.signIn(alice);
  const res = await pasteRoute.POST(browser.request("/api/v1/connections/api-key/openai", { body: { fields: { api_key: KEY }, verify: false } }), {
    params: Promise.resolve({ provider: "openai" }),
  });
  const pasted = await w.record(res);
  expect(pasted.status, pasted.text).toBe(201);
  expect(pasted.json.connection).toMatchObject({
    provider: "openai",
    scopes: ["read", "write"],
    metadata: { credential: { type: "api_key", verified: false } },
  });
  // Unchecked: nothing went to OpenAI when the key was stored.
  expect(openai.seen).toEqual([]);
  cnx = await db.connection.findUniqueOrThrow({ where: { id: pasted.json.connection.id }, select: { id: true, tenantId: true, userId: true } });
  client = await w.agent({ providers: ["openai"], tools: [TOOL], methods: [], pathPatterns: [], maxDelegationSeconds: 86_400 });
  token = await w.token(client, (await w.grant(client, cnx, { scopes: ["read"], tools: [TOOL] })).id);
});

afterAll(async () => {
  await w.provider.close();
});

describe("openai.list_models on a pasted key", () => {
  it("sends GET https://api.openai.com/v1/models with the key as a bearer token, and no other credential", async () => {
    openai.reply = { status: 200, headers: [JSON_TYPE], body: JSON.stringify(MODELS) };
    const res = await tool(TOOL);
    expect(res.status, res.text).toBe(200);
    expect(openai.seen).toHaveLength(1);
    const [sent] = openai.seen;
    expect(sent).toMatchObject({ url: "https://api.openai.com/v1/models", method: "GET", body: undefined });
    expect(sent!.headers.authorization).toBe(`Bearer ${KEY}`);
    // The key is in that one header only, and nothing else that could authenticate goes with it.
    const names = Object.keys(sent!.headers).map((n) => n.toLowerCase());
    expect(names.filter((n) => /auth|key|token|cookie|secret|session|openai-(organization|project)/.test(n))).toEqual(["authorization"]);
    for (const [name, value] of Object.entries(sent!.headers)) {
      expect(value, name).not.toContain(token);
      if (name !== "authorization") expect(value, name).not.toContain(KEY);
    }
  });

  it("answers the declared fields only, with a receipt, and audits the call as a tool call", async () => {
    openai.reply = { status: 200, headers: [JSON_TYPE, ["openai-organization", "org-acme"], ["x-request-id", "req_123"]], body: JSON.stringify(MODELS) };
    const res = await tool(TOOL);
    expect(res.status).toBe(200);
    expect(res.json.credential).toBe("user");
    expect(res.json.receipt).toEqual(expect.any(String));
    expect(res.json.output).toEqual({
      models: [
        { id: "gpt-4o-mini", owned_by: "system", created: 1721172741 },
        { id: "ft:gpt-4o-mini:acme::abc123", owned_by: "org-acme", created: 1730000000 },
      ],
    });
    expect(res.text).not.toMatch(/permission|debug|"object"/);
    const row = await db.auditEvent.findFirstOrThrow({ where: { tenantId: cnx.tenantId, action: "action.tool" }, orderBy: { seq: "desc" } });
    expect(row).toMatchObject({ outcome: "success", agentId: client.agent.id, details: { tool: TOOL, method: "GET", path: "/models", status: 200 } });
    expect(JSON.stringify(row.details)).not.toContain(KEY);
  });

  it("takes the MCP name too", async () => {
    openai.reply = { status: 200, headers: [JSON_TYPE], body: JSON.stringify(MODELS) };
    const res = await tool("openai__list_models");
    expect(res.status).toBe(200);
    expect(res.json.output.models).toHaveLength(2);
  });

  it("a delegation without the tool: 403 tool_not_delegated from the PDP, and nothing is sent", async () => {
    const before = openai.seen.length;
    const t = await w.token(client, (await w.grant(client, cnx, { scopes: ["read"], tools: [] })).id);
    const res = await tool(TOOL, t);
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ code: "tool_not_delegated", status: 403 });
    const decision = await db.auditEvent.findFirstOrThrow({ where: { tenantId: cnx.tenantId, action: "pdp.decision" }, orderBy: { seq: "desc" } });
    expect(decision).toMatchObject({ outcome: "deny", details: { kind: "tool", tool: TOOL, code: "tool_not_delegated" } });
    expect(openai.seen.length).toBe(before);
  });

  it("OpenAI's 401 is the tool's error, sent once: a pasted key is not refreshed or retried", async () => {
    const before = openai.seen.length;
    openai.reply = { status: 401, headers: [JSON_TYPE], body: JSON.stringify(INVALID_KEY) };
    const res = await tool(TOOL);
    expect(res.status).toBe(502);
    expect(res.json).toMatchObject({ code: "provider_error", providerStatus: 401 });
    expect(res.text).not.toMatch(/Incorrect API key|invalid_api_key/);
    expect(openai.seen.length).toBe(before + 1);
    expect(openai.seen.at(-1)!.headers.authorization).toBe(`Bearer ${KEY}`);
    const row = await db.auditEvent.findFirstOrThrow({ where: { tenantId: cnx.tenantId, action: "action.tool" }, orderBy: { seq: "desc" } });
    expect(row).toMatchObject({ outcome: "failure", details: { tool: TOOL, status: 401, code: "provider_error" } });
  });

  it("an answer that is not OpenAI's list shape is refused rather than relayed", async () => {
    openai.reply = { status: 200, headers: [JSON_TYPE], body: JSON.stringify({ models: [{ key: KEY }] }) };
    const res = await tool(TOOL);
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(res.json).toMatchObject({ code: "provider_unexpected_answer" });
    expect(res.json).not.toHaveProperty("output");
  });
});

describe("zero exposure", () => {
  it("no answer of this file holds the pasted key, and the scan would find it if one did", () => {
    const { answers, hits } = w.leaks();
    expect(answers).toBeGreaterThanOrEqual(7);
    expect(hits).toEqual([]);
    w.transcript.push(`planted ${KEY}`);
    expect(w.leaks().hits).toHaveLength(1);
    w.transcript.pop();
  });
});
