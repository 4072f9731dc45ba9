// A real MCP client (the SDK's Client over Streamable HTTP) against /api/mcp on a loopback HTTP
// server, with a real delegation token for alice's real Demo Tasks connection: it discovers the
// protected-resource metadata, lists exactly the delegated tools and calls them; undelegated tools
// and bad input come back as isError results; missing, malformed, expired, revoked and foreign-audience
// tokens get 401 with an RFC 9728 challenge; and no token of any kind appears in any answer.
import { randomUUID } from "node:crypto";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { discoverOAuthProtectedResourceMetadata, extractWWWAuthenticateParams } from "@modelcontextprotocol/sdk/client/auth.js";
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Ajv } from "ajv";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  agentToken,
  agentWithCredentials,
  delegationToken,
  insertDelegation,
  PORTAL_ORIGIN,
  startRouteServer,
  startVaultWorld,
  type RouteServer,
  type TestClient,
} from "@/lib/testing";

const world = await startVaultWorld();
const { getDb } = await import("@/lib/db");
const mcpRoute = await import("./route");
const resourceRoute = await import("@/app/.well-known/oauth-protected-resource/route");
const jwksRoute = await import("@/app/.well-known/jwks.json/route");
const { issueDelegationToken } = await import("@/lib/oauth-server/tokens");
const { signVaultJwt } = await import("@/lib/vault/signing/signing-keys");
const { revokeDelegation } = await import("@/lib/delegations/delegations");

const ISSUER = PORTAL_ORIGIN;
const METADATA_URL = `${ISSUER}/.well-known/oauth-protected-resource/api/mcp`;
const DELEGATED = ["demo-tasks.create_task", "demo-tasks.list_tasks"];
/** The same tools by their MCP names (`<provider>__<tool>`). */
const LISTED = ["demo_tasks__create_task", "demo_tasks__list_tasks"];
const ALL_DEMO_TASKS = ["demo-tasks.list_tasks", "demo-tasks.create_task", "demo-tasks.delete_task", "demo-tasks.whoami"];
const { alice } = world.people;
const db = await getDb();

let server: RouteServer;
let agent: TestClient;
let connectionId: string;
/** Every status line, header and body the portal sent in this file, for the leak search at the end. */
const answers: string[] = [];
/** Every bearer token handed out in this file. */
const issued: string[] = [];
const providerTokens = new Set<string>();

const recordingFetch = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
  const res = await fetch(url, init);
  const headers = [...res.headers].map(([k, v]) => `${k}: ${v}`).join("\n");
  answers.push(`${res.status}\n${headers}\n\n${await res.clone().text()}`);
  return res;
};

beforeAll(async () => {
  server = await startRouteServer({
    "/api/mcp": { POST: mcpRoute.POST, GET: mcpRoute.GET, DELETE: mcpRoute.DELETE },
    "/.well-known/oauth-protected-resource": { GET: resourceRoute.GET },
    "/.well-known/oauth-protected-resource/api/mcp": { GET: resourceRoute.GET },
    "/.well-known/jwks.json": { GET: jwksRoute.GET },
  });
  connectionId = await world.connect(alice);
  agent = await agentWithCredentials(db, alice.tenantId);
  await rememberProviderTokens();
});

afterAll(async () => {
  await server?.close();
  await world.provider.close();
});

async function rememberProviderTokens() {
  const { access, refresh } = await world.plainTokens(connectionId);
  for (const t of [access, refresh]) if (t) providerTokens.add(t);
}

async function newDelegation(tools = DELEGATED) {
  return insertDelegation(db, {
    agentId: agent.agent.id,
    connection: { id: connectionId, tenantId: alice.tenantId, userId: alice.id },
    scopes: ["tasks.read", "tasks.write"],
    tools,
  });
}

/** A delegation token from the real token endpoint (token exchange). */
async function tokenFor(delegationId: string): Promise<string> {
  const token = await delegationToken(agent, delegationId);
  issued.push(token);
  return token;
}

async function connectClient(token: string, headers: Record<string, string> = {}): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/api/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${token}`, ...headers } },
    fetch: recordingFetch,
  });
  const client = new Client({ name: "test-agent", version: "1.0.0" });
  await client.connect(transport);
  return client;
}

/** A raw JSON-RPC POST, as any HTTP client would send it. */
function rpc(headers: Record<string, string>, message: object = { jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }): Promise<Response> {
  return recordingFetch(`${server.url}/api/mcp`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18", ...headers },
    body: JSON.stringify(message),
  });
}

async function expectChallenge(res: Response, code: string, error?: "invalid_token") {
  expect(res.status).toBe(401);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  expect(await res.json()).toMatchObject({ status: 401, code });
  const challenge = res.headers.get("www-authenticate") ?? "";
  expect(challenge).toMatch(/^Bearer /);
  expect(challenge).toContain(`resource_metadata="${METADATA_URL}"`);
  if (error) expect(challenge).toContain(`error="${error}"`);
  else expect(challenge).not.toContain("error=");
  // A stock MCP client finds the metadata from the challenge.
  expect(extractWWWAuthenticateParams(res).resourceMetadataUrl?.href).toBe(METADATA_URL);
}

type ToolResult = Awaited<ReturnType<Client["callTool"]>>;
const errorOf = (r: ToolResult) => (r._meta as Record<string, { code: string; status: number }> | undefined)?.["tokenvault/error"];
const textOf = (r: ToolResult) => (r.content as { type: string; text: string }[]).map((c) => c.text).join("\n");

describe("MCP over Streamable HTTP, with a real client", () => {
  it("publishes RFC 9728 metadata a stock MCP client discovers", async () => {
    const discovered = await discoverOAuthProtectedResourceMetadata(`${server.url}/api/mcp`, undefined, recordingFetch);
    expect(discovered).toMatchObject({
      resource: `${ISSUER}/api/mcp`,
      authorization_servers: [ISSUER],
      bearer_methods_supported: ["header"],
      resource_name: expect.any(String),
      jwks_uri: `${ISSUER}/.well-known/jwks.json`,
    });
    const atRoot = await recordingFetch(`${server.url}/.well-known/oauth-protected-resource`);
    expect(atRoot.status).toBe(200);
    expect(await atRoot.json()).toEqual(discovered);
  });

  it("lists exactly the delegated tools, with their input schemas", async () => {
    const client = await connectClient(await tokenFor((await newDelegation()).id));
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(LISTED);
    const create = tools.find((t) => t.name === "demo_tasks__create_task")!;
    expect(create.description).toBeTruthy();
    expect(create.inputSchema).toMatchObject({ type: "object", properties: { title: { type: "string" } }, required: ["title"] });
    expect(create).toMatchObject({ title: "Create a task", annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true } });
    expect(create.outputSchema).toMatchObject({ type: "object", required: ["task"] });
    const list = tools.find((t) => t.name === "demo_tasks__list_tasks")!;
    expect(list.inputSchema).toMatchObject({ type: "object" });
    expect(list).toMatchObject({ annotations: { readOnlyHint: true, openWorldHint: true }, outputSchema: { type: "object", required: ["tasks"] } });
    expect(client.getServerCapabilities()?.tools).toEqual({ listChanged: false });
    await client.close();
  });

  it("creates a task, lists it back, and returns a receipt that verifies against the JWKS and names its audit row", async () => {
    const delegation = await newDelegation();
    const requestId = `mcp-${randomUUID()}`;
    const client = await connectClient(await tokenFor(delegation.id), { "x-request-id": requestId });
    const title = `Water the plants ${randomUUID().slice(0, 8)}`;

    const created = await client.callTool({ name: "demo_tasks__create_task", arguments: { title } });
    expect(created.isError).toBeFalsy();
    expect(created.structuredContent).toMatchObject({ task: { id: expect.any(String), title, done: false } });
    expect(JSON.parse(textOf(created))).toEqual(created.structuredContent);

    const receipt = (created._meta as Record<string, string>)["tokenvault/receipt"]!;
    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(receipt, jwks, { issuer: ISSUER });
    expect(payload).toMatchObject({ sub: alice.arn, act: { sub: agent.clientId }, del: delegation.id, cnx: connectionId });
    // The action went through the same path as the REST tools, recorded as an MCP call.
    const row = await db.auditEvent.findUniqueOrThrow({ where: { tenantId_seq: { tenantId: alice.tenantId, seq: payload.audit_seq as number } } });
    expect(row).toMatchObject({
      action: "action.tool",
      outcome: "success",
      target: delegation.id,
      hash: payload.audit_hash,
      details: { tool: "demo-tasks.create_task", channel: "mcp", requestId },
    });

    const listed = await client.callTool({ name: "demo_tasks__list_tasks", arguments: {} });
    expect(listed.isError).toBeFalsy();
    expect((listed.structuredContent as { tasks: { title: string }[] }).tasks.map((t) => t.title)).toContain(title);
    await client.close();
  });

  it("answers every Demo Tasks tool with structured content that validates against the output schema it listed", async () => {
    const client = await connectClient(await tokenFor((await newDelegation(ALL_DEMO_TASKS)).id));
    // The SDK client checks structuredContent against the listed outputSchema too, once it has listed the tools.
    const { tools } = await client.listTools();
    const ajv = new Ajv({ strict: false, allErrors: true });
    const schemaOf = (name: string) => ajv.compile(tools.find((t) => t.name === name)!.outputSchema!);
    const call = async (name: string, args: Record<string, unknown> = {}) => {
      const result = await client.callTool({ name, arguments: args });
      expect(result.isError, textOf(result)).toBeFalsy();
      const validate = schemaOf(name);
      expect(validate(result.structuredContent), JSON.stringify(validate.errors)).toBe(true);
      return result.structuredContent as Record<string, any>;
    };
    const { task } = await call("demo_tasks__create_task", { title: `Schema check ${randomUUID().slice(0, 8)}` });
    expect((await call("demo_tasks__list_tasks")).tasks.map((t: { id: string }) => t.id)).toContain(task.id);
    expect(await call("demo_tasks__delete_task", { id: task.id })).toEqual({ deleted: true, id: task.id });
    expect(await call("demo_tasks__whoami")).toMatchObject({ sub: expect.any(String) });
    await client.close();
  });

  it("refuses a tool the delegation does not include, and an unknown tool, as isError results", async () => {
    const client = await connectClient(await tokenFor((await newDelegation()).id));
    const notDelegated = await client.callTool({ name: "demo_tasks__delete_task", arguments: { id: "t1" } });
    expect(notDelegated.isError).toBe(true);
    expect(errorOf(notDelegated)).toMatchObject({ status: 403, code: expect.any(String) });
    expect(textOf(notDelegated)).toContain(`(code: ${errorOf(notDelegated)!.code})`);
    expect(notDelegated.structuredContent).toBeUndefined();

    const unknown = await client.callTool({ name: "nowhere.do_anything", arguments: {} });
    expect(unknown.isError).toBe(true);
    expect(errorOf(unknown)?.status).toBe(404);
    await client.close();
  });

  it("refuses bad input with a sentence that names the problem", async () => {
    const client = await connectClient(await tokenFor((await newDelegation()).id));
    for (const args of [{}, { title: "" }, { title: "ok", owner: "someone-else" }, { title: 42 }]) {
      const result = await client.callTool({ name: "demo_tasks__create_task", arguments: args });
      expect(result.isError, JSON.stringify(args)).toBe(true);
      expect(errorOf(result)).toMatchObject({ status: 400, code: expect.any(String) });
      // A sentence a person can act on: capitalised, ends with a full stop before the code.
      expect(textOf(result)).toMatch(/^[A-Z].*\. \(code: [a-z_]+\)$/s);
    }
    await client.close();
  });

  it("echoes X-Request-ID and keeps answers out of caches", async () => {
    const res = await rpc({ authorization: `Bearer ${await tokenFor((await newDelegation()).id)}`, "x-request-id": "mcp-test-1" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("mcp-test-1");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("mcp-session-id")).toBeNull();
    expect(((await res.json()) as { result: { tools: unknown[] } }).result.tools).toHaveLength(DELEGATED.length);
  });
});

describe("MCP bearer challenges", () => {
  it("answers a call without a token with 401 and the resource metadata, and a stock client fails to connect", async () => {
    await expectChallenge(await rpc({}), "token_missing");
    const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/api/mcp`), { fetch: recordingFetch });
    const error = await new Client({ name: "test-agent", version: "1.0.0" }).connect(transport).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StreamableHTTPError);
    expect((error as StreamableHTTPError).code).toBe(401);
  });

  it.each([
    ["not a JWT", "Bearer not-a-jwt"],
    ["another scheme", "Basic YWxpY2U6c2VjcmV0"],
    ["a tampered signature", "TAMPER"],
  ])("answers a malformed token (%s) with 401 invalid_token", async (_label, header) => {
    let authorization = header;
    if (header === "TAMPER") {
      const [h, p] = (await tokenFor((await newDelegation()).id)).split(".");
      authorization = `Bearer ${h}.${p}.${Buffer.alloc(64, 7).toString("base64url")}`;
    }
    await expectChallenge(await rpc({ authorization }), "token_invalid", "invalid_token");
  });

  it("answers an expired token with 401 invalid_token", async () => {
    const d = await newDelegation();
    const { token } = await issueDelegationToken({
      agent: { clientId: agent.clientId, tenantId: alice.tenantId },
      delegation: { id: d.id, connectionId, userArn: alice.arn, expiresAt: d.expiresAt },
      scopes: d.scopes,
      now: new Date(Date.now() - 3_600_000),
    });
    issued.push(token);
    await expectChallenge(await rpc({ authorization: `Bearer ${token}` }), "token_expired", "invalid_token");
  });

  it("answers a token meant for another audience with 401 invalid_token", async () => {
    const d = await newDelegation();
    const now = Math.floor(Date.now() / 1000);
    const token = await signVaultJwt(
      {
        iss: ISSUER,
        aud: "https://other-resource.example",
        sub: alice.arn,
        act: { sub: agent.clientId },
        client_id: agent.clientId,
        tid: alice.tenantId,
        cnx: connectionId,
        del: d.id,
        scope: "tasks.read",
        jti: randomUUID(),
        iat: now,
        exp: now + 300,
      },
      { typ: "at+jwt" },
    );
    issued.push(token);
    await expectChallenge(await rpc({ authorization: `Bearer ${token}` }), "token_invalid", "invalid_token");
  });

  it("stops a connected client the moment the person revokes the delegation", async () => {
    const d = await newDelegation();
    const token = await tokenFor(d.id);
    const client = await connectClient(token);
    expect((await client.listTools()).tools).toHaveLength(DELEGATED.length);

    await revokeDelegation(alice, d.id);

    const error = await client.listTools().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StreamableHTTPError);
    expect((error as StreamableHTTPError).code).toBe(401);
    await expectChallenge(await rpc({ authorization: `Bearer ${token}` }), "delegation_revoked", "invalid_token");
    await client.close();
  });

  it("refuses an agent token (no delegation) with 403 insufficient_scope", async () => {
    const access_token = await agentToken(agent);
    issued.push(access_token);
    const answer = await rpc({ authorization: `Bearer ${access_token}` });
    expect(answer.status).toBe(403);
    expect(await answer.json()).toMatchObject({ code: "wrong_token_kind" });
    expect(answer.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
    expect(answer.headers.get("www-authenticate")).toContain(`resource_metadata="${METADATA_URL}"`);
  });

  it("refuses requests from another site's page (DNS rebinding) and accepts the portal's own origin", async () => {
    const authorization = `Bearer ${await tokenFor((await newDelegation()).id)}`;
    for (const origin of ["http://evil.example", `http://127.0.0.1:${new URL(server.url).port}`, "null"]) {
      const res = await rpc({ authorization, origin });
      expect(res.status, origin).toBe(403);
      expect(await res.json()).toMatchObject({ code: "origin_mismatch" });
    }
    expect((await rpc({ authorization, origin: ISSUER })).status).toBe(200);
  });

  it("answers GET and DELETE with 405 and Allow: POST (the server keeps no session)", async () => {
    const authorization = `Bearer ${await tokenFor((await newDelegation()).id)}`;
    for (const method of ["GET", "DELETE"]) {
      const res = await recordingFetch(`${server.url}/api/mcp`, { method, headers: { authorization, accept: "text/event-stream" } });
      expect(res.status, method).toBe(405);
      expect(res.headers.get("allow")).toBe("POST");
    }
  });
});

describe("approvals over MCP", () => {
  it("a held call is a pending result with the approval in _meta; approved, the same call passes once", async () => {
    const { decideApproval, pollApproval } = await import("@/lib/approvals/approvals");
    const delegation = await insertDelegation(db, {
      agentId: agent.agent.id,
      connection: { id: connectionId, tenantId: alice.tenantId, userId: alice.id },
      scopes: ["tasks.read", "tasks.write"],
      tools: DELEGATED,
      constraints: { approvalForWrites: true },
    });
    const client = await connectClient(await tokenFor(delegation.id));
    const title = `Approved over MCP ${randomUUID().slice(0, 8)}`;
    const call = () => client.callTool({ name: "demo_tasks__create_task", arguments: { title } });

    const held = await call();
    expect(held.isError).toBe(true);
    const approval = (held._meta as Record<string, { approval_id: string; status: string; expires_at: string; url: string }>)["tokenvault/approval"]!;
    expect(approval).toMatchObject({ status: "pending", approval_id: expect.any(String), expires_at: expect.any(String) });
    expect(textOf(held)).toContain(approval.url);
    const listed = await client.callTool({ name: "demo_tasks__list_tasks", arguments: {} });
    expect((listed.structuredContent as { tasks: { title: string }[] }).tasks.map((t) => t.title)).not.toContain(title);

    await decideApproval(alice, approval.approval_id, "approve");
    const passed = await call();
    expect(passed.isError).toBeFalsy();
    expect(passed.structuredContent).toMatchObject({ task: { title } });
    expect((passed._meta as Record<string, string>)["tokenvault/receipt"]).toEqual(expect.any(String));
    const caller = { tenantId: alice.tenantId, delegationId: delegation.id } as Parameters<typeof pollApproval>[0];
    expect((await pollApproval(caller, approval.approval_id)).status).toBe("used");
    // Again: a new approval to wait for, not a second pass.
    const again = await call();
    expect(again.isError).toBe(true);
    expect((again._meta as Record<string, { approval_id: string }>)["tokenvault/approval"]!.approval_id).not.toBe(approval.approval_id);
    await client.close();
  });
});

describe("zero exposure over MCP", () => {
  it("never sends a provider token or a bearer token back in any answer", async () => {
    await rememberProviderTokens();
    const needles = [...providerTokens, ...issued];
    expect(providerTokens.size).toBeGreaterThanOrEqual(1);
    expect(issued.length).toBeGreaterThanOrEqual(5);
    expect(answers.length).toBeGreaterThanOrEqual(20);
    const hits = needles.flatMap((needle) => answers.filter((a) => a.includes(needle)).map((a) => a.slice(0, 200)));
    expect(hits).toEqual([]);
  });
});
