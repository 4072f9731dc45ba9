// Only declared output fields leave the vault. Demo Tasks answers exactly its declared fields, so here
// its API base points at a loopback upstream that plays Demo Tasks with extras: fields the tool does
// not declare, echoes of the credential, answers of the wrong shape, non-JSON. Everything else is real:
// alice's connection and tokens, the PDP, the audit chain, the receipt.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import type { ProviderDefinition } from "@/lib/providers/schemas";
import { startActionWorld, startUpstream, type TestClient, type Upstream } from "@/lib/testing";

const apiBase = vi.hoisted(() => ({ url: "" }));
vi.mock("@/lib/providers/registry", async (importOriginal) => {
  const real = await importOriginal<typeof import("@/lib/providers/registry")>();
  type Found = Awaited<ReturnType<typeof real.getTenantProvider>>;
  const redirect = (found: Found, key: string): Found => {
    if (!found || key !== "demo-tasks" || !apiBase.url) return found;
    return { ...found, definition: { ...found.definition, apiBaseUrl: apiBase.url } satisfies ProviderDefinition };
  };
  return {
    ...real,
    getTenantProvider: async (tenantId: string, key: string) => redirect(await real.getTenantProvider(tenantId, key), key),
    getTenantProviderAt: async (tenantId: string, key: string, version: number) => redirect(await real.getTenantProviderAt(tenantId, key, version), key),
  };
});

const w = await startActionWorld();
const { runTool } = await import("./tools");
const { VaultError } = await import("@/lib/errors");
const { authenticateBearer } = await import("@/lib/oauth-server/bearer");
const { verifyReceipt } = await import("@/lib/receipts/verify");
const { sha256 } = await import("@/lib/receipts/claims");
const db = w.db;

type Reply = { status: number; type?: string; body: string | ((auth: string) => string) };
let reply: Reply = { status: 200, body: "{}" };
let fake: Upstream;
let client: TestClient;
let caller: Awaited<ReturnType<typeof authenticateBearer>>;
let access = "";

const opts = { requestId: "req-proj", channel: "mcp" as const };
const task = { id: "t1", title: "Water the plants", done: false, createdAt: "2030-01-01T00:00:00.000Z" };

beforeAll(async () => {
  fake = await startUpstream((req, res) => {
    const auth = req.headers.authorization ?? "";
    res.writeHead(reply.status, { "content-type": reply.type ?? "application/json", "x-owner-email": "alice@internal" });
    res.end(typeof reply.body === "function" ? reply.body(auth) : reply.body);
  });
  apiBase.url = fake.url;
  const id = await w.connect();
  const cnx = await db.connection.findUniqueOrThrow({ where: { id }, select: { id: true, tenantId: true, userId: true } });
  access = (await w.rememberTokens(id)).access;
  client = await w.agent();
  const token = await w.token(client, (await w.grant(client, cnx)).id);
  caller = await authenticateBearer(new Request("http://localhost:3999/x", { headers: { authorization: `Bearer ${token}` } }));
});

afterAll(async () => {
  await fake.close();
  await w.provider.close();
});

const call = (name: string, input: unknown = {}) => runTool(caller as never, name, input, opts);
async function refused(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    if (e instanceof VaultError) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

describe("output projection", () => {
  it("fields the tool does not declare are dropped, at every depth, including an echoed credential", async () => {
    reply = {
      status: 200,
      body: (auth) =>
        JSON.stringify({ tasks: [{ ...task, owner: { email: "alice@internal" }, authorization: auth }], next_page_token: "p2", debug: { sql: "select *" } }),
    };
    const { output, receipt } = await call("demo-tasks.list_tasks");
    expect(output).toEqual({ tasks: [task] });
    expect(JSON.stringify(output)).not.toContain(access);
    expect((await verifyReceipt(receipt)).response_sha256).toBe(sha256(JSON.stringify(output)));
    expect(fake.requests()).toBeGreaterThan(0);
  });

  it("whoami keeps sub, email and name only", async () => {
    reply = { status: 200, body: JSON.stringify({ sub: "alice", email: "alice@demo-tasks.test", name: "Alice", password_hash: "$2b$...", roles: ["admin"] }) };
    expect((await call("demo-tasks.whoami")).output).toEqual({ sub: "alice", email: "alice@demo-tasks.test", name: "Alice" });
  });

  it.each([
    ["the wrong shape", { status: 200, body: JSON.stringify({ items: [{ secret: "from-the-provider" }] }) }],
    ["a field of the wrong type", { status: 200, body: JSON.stringify({ tasks: [{ ...task, done: "secret-from-the-provider" }] }) }],
    ["not JSON at all", { status: 200, type: "text/html", body: "<html>secret-from-the-provider</html>" }],
    ["an empty body", { status: 200, body: "" }],
  ])("an answer of %s -> 502 provider_unexpected_answer, nothing of it leaks", async (_name, r) => {
    reply = r;
    const e = await refused(call("demo-tasks.list_tasks"));
    expect(e).toMatchObject({ status: 502, code: "provider_unexpected_answer" });
    expect(JSON.stringify({ ...e, message: e.message })).not.toMatch(/secret|from-the-provider/);
    const row = await db.auditEvent.findFirstOrThrow({ where: { tenantId: "acme", action: "action.tool" }, orderBy: { seq: "desc" } });
    expect(row).toMatchObject({ outcome: "failure", details: { code: "provider_unexpected_answer", channel: "mcp", requestId: "req-proj" } });
  });

  it("a non-2xx answer -> 502 provider_error with the status only", async () => {
    reply = { status: 500, body: JSON.stringify({ error: "database password is hunter2" }) };
    const e = await refused(call("demo-tasks.list_tasks"));
    expect(e).toMatchObject({ status: 502, code: "provider_error", extensions: { providerStatus: 500 } });
    expect(e.message).not.toMatch(/hunter2/);
  });

  it("an empty 204 on delete is a successful delete (shape from the status, not the body)", async () => {
    reply = { status: 204, body: "" };
    expect((await call("demo-tasks.delete_task", { id: "t1" })).output).toEqual({ deleted: true, id: "t1" });
  });
});
