// Zero exposure, every channel. One journey through the real portal and the bundled Demo
// Tasks provider: alice and bob sign in, alice connects Demo Tasks, bob registers an agent and sets
// its ceiling, alice grants it access; the agent exchanges tokens and acts through the proxy, the
// tools API and MCP, with refreshes forced on the way so rotated tokens exist; then it tries what it
// must not (a denied tool, SSRF paths, a bad token, a wrong secret); alice revokes the grant and
// disconnects, and the agent's calls fail after each. Everything the portal sends out is recorded on
// the way: every response the browsers receive (headers and bodies), their requests, cookies, web
// storage and console, every answer the test itself receives (Playwright's request API, Node's
// fetch, the MCP SDK client's transport), every webhook delivery (bob subscribes a loopback receiver
// to every event type on the Webhooks page first), the portal's stdout and stderr, the audit export,
// the Prometheus metrics (read with the data folder's metrics token) and every file of the client
// build (.next/static). Finally the demo provider lists every access and refresh
// token it ever issued (rotated and revoked ones included) and each is searched for in all of it,
// raw, URL-encoded, JSON-escaped, hex and base64 at every alignment: zero hits, asserted. The agent's
// client secret is searched for in the server's output, the audit rows, the API and MCP answers and
// the browser's storage the same way.
//
// Not scanned: the demo provider's own output (demo-provider.log). The provider is the party that
// issues the tokens, so its lines may legitimately name them; the launcher keeps its output apart
// from the portal's for exactly this reason (scripts/start.ts, VAULT_OUTPUT_LOG_DIR). Nor are the
// test's requests: they carry the agent's own credentials on purpose.
//
// A scanner that finds nothing proves nothing unless it can find something: the test checks that
// markers known to be present (the connection id, a task title, the agent's id, a build string) are
// found in each channel, and that tokens injected into a copy of the corpus, in several encodings,
// are all found.
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { APIRequestContext } from "@playwright/test";

import { addPortalLog, expireProviderAccessTokens, issuedTokens, PROVIDER, providerSecrets, providerStats } from "./exposure/controls";
import { Corpus, type Channel } from "./exposure/corpus";
import { connectDemoTasks, disconnect, grant, grantItem, registerAgent, revoke } from "./exposure/portal-steps";
import { createWebhook, startWebhookReceiver } from "./exposure/webhooks";
import { ApiRecorder, BrowserRecorder, recordingFetch, type ApiAnswer } from "./exposure/recorder";
import { describeHit, formsOf, scan, type Secret } from "./exposure/scanner";
import { expect, interactive, signInAs, test } from "./fixtures";

const PORT = Number(process.env.E2E_PORT ?? 3107);
const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const DELEGATION_ID_TYPE = "urn:tokenvault:params:oauth:token-type:delegation-id";
const AGENT = "Exposure probe";
const ALL_TOOLS = ["demo-tasks.list_tasks", "demo-tasks.create_task", "demo-tasks.delete_task", "demo-tasks.whoami"];
/** The same tools by their MCP names (`<provider>__<tool>`). */
const ALL_MCP_TOOLS = ["demo_tasks__list_tasks", "demo_tasks__create_task", "demo_tasks__delete_task", "demo_tasks__whoami"];

function jwtClaims(token: string): Record<string, any> {
  const [, payload] = token.split(".");
  return JSON.parse(Buffer.from(payload ?? "", "base64url").toString("utf8")) as Record<string, any>;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

function problemCode(a: ApiAnswer): string | undefined {
  try {
    return (a.json() as { code?: string; error?: string }).code ?? (a.json() as { error?: string }).error;
  } catch {
    return undefined;
  }
}

test("zero exposure: no provider token reaches the browser, the agent, MCP, the logs, the audit or the client build", async ({
  browser,
  playwright,
  baseURL,
}, testInfo) => {
  test.setTimeout(300_000);
  const base = baseURL ?? `http://localhost:${PORT}`;
  const corpus = new Corpus();
  const browserRec = new BrowserRecorder(corpus);
  const api = new ApiRecorder(corpus, base);
  // The agent outside any browser: a Playwright request context with no cookies.
  const agentCtx: APIRequestContext = await playwright.request.newContext({ baseURL: base });
  const marker = `Zero-exposure probe task ${randomUUID()}`;

  const bobContext = await browser.newContext();
  const aliceContext = await browser.newContext();
  await browserRec.attach("bob", bobContext);
  await browserRec.attach("alice", aliceContext);
  const bob = await bobContext.newPage();
  const alice = await aliceContext.newPage();

  await signInAs(bob, "bob@acme.test");
  await signInAs(alice, "alice@acme.test");
  await browserRec.snapshot("sign-in");

  let webhookSecret = "";
  const receiver = await startWebhookReceiver(corpus, () => webhookSecret);
  await createWebhook(bob, receiver.url, (secret) => (webhookSecret = secret));
  await browserRec.snapshot("webhook");

  const statsAtStart = await providerStats();
  const connectionId = await connectDemoTasks(alice);
  await browserRec.snapshot("connect");

  const agent = await registerAgent(bob, AGENT, { tools: ALL_TOOLS, methods: ["GET", "POST", "DELETE"], paths: ["/tasks/**", "/me"], days: 30 });
  await browserRec.snapshot("register agent");

  await test.step("alice grants two delegations: read+write with every tool, and a read-only one", async () => {
    await alice.goto(`/connections/${connectionId}`);
    await interactive(alice);
    await grant(alice, AGENT, ["tasks.read", "tasks.write"], ALL_TOOLS);
    await grant(alice, AGENT, ["tasks.read"], ["demo-tasks.list_tasks"]);
    await expect(grantItem(alice, AGENT, "demo-tasks.delete_task")).toHaveCount(1);
    await expect(alice.getByRole("listitem", { name: `${AGENT} on alice@demo-tasks.test` })).toHaveCount(2);
  });
  await browserRec.snapshot("grant");

  // ---- The agent: its own token, its delegations, one exchange per delegation (client_secret_post).
  const secretPost = { client_id: agent.clientId, client_secret: agent.clientSecret };
  const { full, readOnly } = await test.step("the agent lists its delegations with a client_credentials token", async () => {
    const tok = await api.request(agentCtx, "POST", "/api/oauth/token", { who: "agent", form: { grant_type: "client_credentials", ...secretPost } });
    expect(tok.status).toBe(200);
    const agentToken = tok.json().access_token as string;
    const list = await api.fetch("GET", "/api/v1/delegations", { who: "agent", headers: { authorization: `Bearer ${agentToken}` } });
    expect(list.status).toBe(200);
    const delegations = (list.json() as { delegations: Array<{ id: string; tools: string[]; connectionId: string }> }).delegations.filter(
      (d) => d.connectionId === connectionId,
    );
    expect(delegations).toHaveLength(2);
    return { full: delegations.find((d) => d.tools.length === ALL_TOOLS.length)!.id, readOnly: delegations.find((d) => d.tools.length === 1)!.id };
  });

  async function exchange(delegationId: string, secret = agent.clientSecret): Promise<ApiAnswer> {
    return api.request(agentCtx, "POST", "/api/oauth/token", {
      who: "agent",
      form: {
        grant_type: TOKEN_EXCHANGE,
        subject_token: delegationId,
        subject_token_type: DELEGATION_ID_TYPE,
        client_id: agent.clientId,
        client_secret: secret,
      },
    });
  }
  const tokenA = await test.step("token exchange: a vault JWT that is not a provider token", async () => {
    const res = await exchange(full);
    expect(res.status).toBe(200);
    const body = res.json() as { access_token: string; token_type: string; issued_token_type: string; expires_in: number };
    expect(body.token_type).toBe("Bearer");
    expect(body.issued_token_type).toBe("urn:ietf:params:oauth:token-type:access_token");
    const claims = jwtClaims(body.access_token);
    expect(claims.act?.sub).toBe(agent.clientId);
    expect(claims.del).toBe(full);
    expect(claims.cnx).toBe(connectionId);
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(300);
    return body.access_token;
  });
  const tokenB = (await exchange(readOnly)).json().access_token as string;
  const asA = { authorization: `Bearer ${tokenA}` };
  const asB = { authorization: `Bearer ${tokenB}` };

  const proxy = (headers: Record<string, string>, body: Record<string, unknown>, via: "fetch" | "request" = "fetch") =>
    via === "fetch"
      ? api.fetch("POST", "/api/v1/proxy", { who: "agent", headers, json: body })
      : api.request(agentCtx, "POST", "/api/v1/proxy", { who: "agent", headers, json: body });
  const tool = (headers: Record<string, string>, name: string, input: unknown, via: "fetch" | "request" = "request") =>
    via === "fetch"
      ? api.fetch("POST", `/api/v1/tools/${name}`, { who: "agent", headers, json: { input } })
      : api.request(agentCtx, "POST", `/api/v1/tools/${name}`, { who: "agent", headers, json: { input } });

  let createdTaskId = "";
  await test.step("delegation, tools, proxy and tool calls succeed; refreshes are forced on the way", async () => {
    const delegation = await api.request(agentCtx, "GET", "/api/v1/delegation", { who: "agent", headers: asA });
    expect(delegation.status).toBe(200);
    expect(delegation.text).toContain(connectionId);
    const tools = await api.fetch("GET", "/api/v1/tools", { who: "agent", headers: asA });
    expect(tools.status).toBe(200);
    expect((tools.json().tools as Array<{ name: string }>).map((t) => t.name).sort()).toEqual([...ALL_TOOLS].sort());

    const list = await proxy(asA, { method: "GET", path: "/tasks" });
    expect(list.status).toBe(200);
    expect(list.json().status).toBe(200);
    expect(list.json().receipt).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

    // Refresh 1: the provider now refuses the access token the vault holds; the vault refreshes
    // (rotating the refresh token) and retries once.
    const before = await providerStats();
    await expireProviderAccessTokens();
    const me = await proxy(asA, { method: "GET", path: "/me" }, "request");
    expect(me.status).toBe(200);
    expect(me.json().data.email).toBe("alice@demo-tasks.test");
    expect((await providerStats()).refreshGrants).toBeGreaterThanOrEqual(before.refreshGrants + 1);

    const created = await proxy(asA, { method: "POST", path: "/tasks", body: { title: `${marker} (proxy)` } });
    expect(created.status).toBe(200);
    expect(created.json().status).toBe(201);

    const viaTool = await tool(asA, "demo-tasks.create_task", { title: marker });
    expect(viaTool.status).toBe(200);
    createdTaskId = viaTool.json().output.task.id as string;
    expect(createdTaskId).toMatch(/^[0-9a-f-]{36}$/);
    expect(viaTool.json().receipt).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const listed = await tool(asA, "demo-tasks.list_tasks", {}, "fetch");
    expect(listed.status).toBe(200);
    expect(listed.text).toContain(marker);
    const whoami = await tool(asA, "demo-tasks.whoami", {});
    expect(whoami.status).toBe(200);
    const readOnlyList = await tool(asB, "demo-tasks.list_tasks", {}, "fetch");
    expect(readOnlyList.status).toBe(200);
  });

  await test.step("the provider's list of issued tokens is genuine: the newest access token works at the provider", async () => {
    const issued = await issuedTokens();
    let live = 0;
    for (const token of issued.accessTokens) {
      const res = await fetch(`${PROVIDER}/me`, { headers: { authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      if (res.status === 200) live += 1;
    }
    expect(live, "at least one listed access token is the live one the vault uses").toBeGreaterThanOrEqual(1);
  });

  const mcpPending: Promise<void>[] = [];
  const mcpCounter = { messages: 0 };
  const mcpFetch = recordingFetch(corpus, mcpPending, mcpCounter);
  await test.step("MCP: the SDK's client over Streamable HTTP lists and calls tools (after refresh 2)", async () => {
    const before = await providerStats();
    await expireProviderAccessTokens();
    const client = new Client({ name: "zero-exposure-probe", version: "1.0.0" });
    const transport = new StreamableHTTPClientTransport(new URL("/api/mcp", base), { requestInit: { headers: asA }, fetch: mcpFetch });
    await client.connect(transport);
    const listed = await client.listTools();
    corpus.add("mcp", "tools/list result", JSON.stringify(listed));
    expect(listed.tools.map((t) => t.name).sort()).toEqual([...ALL_MCP_TOOLS].sort());
    const tasks = await client.callTool({ name: "demo_tasks__list_tasks", arguments: {} });
    corpus.add("mcp", "tools/call list_tasks result", JSON.stringify(tasks));
    expect(tasks.isError ?? false, JSON.stringify(tasks.content)).toBe(false);
    expect(JSON.stringify(tasks.content)).toContain(marker);
    expect((await providerStats()).refreshGrants).toBeGreaterThanOrEqual(before.refreshGrants + 1);
    const who = await client.callTool({ name: "demo_tasks__whoami", arguments: {} });
    corpus.add("mcp", "tools/call whoami result", JSON.stringify(who));
    expect(who.isError ?? false, JSON.stringify(who.content)).toBe(false);
    const deleted = await client.callTool({ name: "demo_tasks__delete_task", arguments: { id: createdTaskId } });
    corpus.add("mcp", "tools/call delete_task result", JSON.stringify(deleted));
    expect(deleted.isError ?? false, JSON.stringify(deleted.content)).toBe(false);
    const denied = await client.callTool({ name: "github__list_repos", arguments: {} });
    corpus.add("mcp", "tools/call github.list_repos result", JSON.stringify(denied));
    expect(denied.isError).toBe(true);
    await client.close();
  });

  await test.step("discovery documents, as an agent reads them", async () => {
    for (const p of [
      "/.well-known/oauth-authorization-server",
      "/.well-known/jwks.json",
      "/.well-known/oauth-protected-resource",
      "/.well-known/oauth-protected-resource/api/mcp",
      "/.well-known/authzen-configuration",
      "/api/openapi.json",
      "/api/health",
    ]) {
      expect((await api.fetch("GET", p, { who: "agent" })).status, p).toBe(200);
    }
  });

  await test.step("status: bob (admin session) and the agent", async () => {
    const asBob = await api.request(bob.request, "GET", "/api/v1/status", { who: "bob" });
    expect(asBob.status).toBe(200);
    const asAgent = await api.fetch("GET", "/api/v1/status", { who: "agent", headers: asA });
    expect(asAgent.status).toBe(200);
    await bob.goto("/audit");
    await expect(bob.getByRole("heading", { level: 1 })).toBeVisible();
  });

  await test.step("failing calls: denied tool and method, SSRF paths, bad token, wrong secret, read-only write", async () => {
    const deniedTool = await tool(asA, "github.list_repos", {});
    expect([403, 404]).toContain(deniedTool.status);
    expect(deniedTool.headers["content-type"]).toContain("application/problem+json");
    const deniedMethod = await proxy(asA, { method: "PUT", path: "/tasks" });
    expect(deniedMethod.status).toBe(403);
    const deniedPath = await proxy(asA, { method: "GET", path: "/userinfo" }, "request");
    expect(deniedPath.status).toBe(403);
    for (const p of [
      "//evil.example/x",
      "http://169.254.169.254/latest/meta-data",
      "/tasks/../me",
      "/tasks/%2e%2e/me",
      "/@evil.example/x",
      "/tasks\\..\\me",
      "/tasks/\u0000",
    ]) {
      const res = await proxy(asA, { method: "GET", path: p });
      expect(res.status, `SSRF path ${JSON.stringify(p)} is refused`).toBe(400);
    }
    const badToken = await api.fetch("GET", "/api/v1/tools", { who: "agent", headers: { authorization: "Bearer not-a-real-token" } });
    expect(badToken.status).toBe(401);
    expect(badToken.headers["www-authenticate"]).toMatch(/^Bearer/);
    const badMcp = await api.fetch("POST", "/api/mcp", {
      who: "agent",
      headers: { authorization: "Bearer not-a-real-token", accept: "application/json, text/event-stream" },
      json: { jsonrpc: "2.0", id: 1, method: "tools/list" },
    });
    expect(badMcp.status).toBe(401);
    expect(badMcp.headers["www-authenticate"]).toContain("resource_metadata=");
    const wrongSecret = await exchange(full, `${agent.clientSecret.slice(0, -4)}AAAA`);
    expect(wrongSecret.status).toBe(401);
    expect(problemCode(wrongSecret)).toBe("invalid_client");
    const readOnlyWrite = await tool(asB, "demo-tasks.create_task", { title: "must not exist" });
    expect(readOnlyWrite.status).toBe(403);
  });

  await browserRec.snapshot("agent calls");
  const statsBeforeRevoke = await providerStats();

  await revoke(alice, AGENT, grantItem(alice, AGENT, "demo-tasks.delete_task"));
  await browserRec.snapshot("revoke");

  await test.step("after revoke: the revoked delegation's token and exchange are refused; the other grant still works", async () => {
    const tools = await api.fetch("GET", "/api/v1/tools", { who: "agent", headers: asA });
    expect(tools.status).toBe(401);
    expect(problemCode(tools)).toBe("delegation_revoked");
    const call = await proxy(asA, { method: "GET", path: "/tasks" }, "request");
    expect(call.status).toBe(401);
    const viaTool = await tool(asA, "demo-tasks.list_tasks", {});
    expect(viaTool.status).toBe(401);
    const mcp = await api.fetch("POST", "/api/mcp", {
      who: "agent",
      headers: { ...asA, accept: "application/json, text/event-stream" },
      json: { jsonrpc: "2.0", id: 1, method: "tools/list" },
    });
    expect(mcp.status).toBe(401);
    const again = await exchange(full);
    expect(again.status).toBe(400);
    expect(problemCode(again)).toBe("invalid_grant");
    const other = await tool(asB, "demo-tasks.list_tasks", {});
    expect(other.status).toBe(200);
  });

  await disconnect(alice, connectionId);
  await browserRec.snapshot("disconnect");

  await test.step("after disconnect: the provider revoked the tokens and the remaining grant is dead", async () => {
    expect((await providerStats()).revocations).toBeGreaterThanOrEqual(statsBeforeRevoke.revocations + 1);
    const call = await proxy(asB, { method: "GET", path: "/tasks" });
    expect(call.status).toBe(401);
    expect(problemCode(call)).toBe("delegation_revoked");
    const again = await exchange(readOnly);
    expect(again.status).toBe(400);
    expect(problemCode(again)).toBe("invalid_grant");
  });

  await test.step("both people look around once more", async () => {
    await alice.goto("/connections");
    await alice.goto("/delegations");
    await expect(alice.getByRole("listitem", { name: `${AGENT} on alice@demo-tasks.test` }).first()).toBeVisible();
    await bob.goto("/delegations");
    await bob.goto("/agents");
    await bob.goto("/audit");
    await expect(bob.getByRole("heading", { level: 1 })).toBeVisible();
  });
  await browserRec.snapshot("end");

  // ---- Collect what is not recorded as it happens.
  const auditRows = await test.step("audit export as bob (JSONL and CSV)", async () => {
    const jsonl = await bob.request.get("/api/v1/audit?format=jsonl");
    expect(jsonl.status()).toBe(200);
    const text = (await jsonl.body()).toString("utf8");
    const rows = text.split("\n").filter((l) => l.trim() !== "");
    rows.forEach((row, i) => corpus.add("audit", `audit.jsonl row ${i + 1}`, row));
    corpus.add("audit", "audit.jsonl headers", JSON.stringify(jsonl.headersArray()));
    const csv = await bob.request.get("/api/v1/audit?format=csv");
    expect(csv.status()).toBe(200);
    corpus.add("audit", "audit.csv", await csv.body());
    const actions = new Set(rows.map((r) => (JSON.parse(r) as { action: string }).action));
    for (const a of [
      "connection.connect",
      "agent.register",
      "delegation.grant",
      "token.exchange",
      "action.proxy",
      "action.tool",
      "delegation.revoke",
      "connection.disconnect",
    ]) {
      expect(actions, `the audit holds ${a}`).toContain(a);
    }
    return rows.length;
  });

  await test.step("webhooks: every event type the journey caused arrived, signed", async () => {
    await receiver.waitFor([
      "webhook_test",
      "connected_account_link",
      "agent_identity_delegation",
      "token_exchange_request",
      "token_exchange_response",
      "token_exchange",
      "connected_account_usage",
      "connected_account_unlink",
    ]);
    expect(receiver.deliveries.every((d) => d.verified)).toBe(true);
    await receiver.close();
  });

  await test.step("metrics: read with the data folder's metrics token", async () => {
    const metricsToken = readFileSync(path.join(process.env.E2E_DATA_DIR ?? "", "metrics.token"), "utf8").trim();
    const res = await fetch(new URL("/api/metrics", base), { headers: { authorization: `Bearer ${metricsToken}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    corpus.add("metrics", "GET /api/metrics", text);
    expect(text).toMatch(/^vault_webhook_deliveries_total\{outcome="success"\} [1-9]\d*$/m);
  });

  await browserRec.settle();
  while (mcpPending.length) await Promise.allSettled(mcpPending.splice(0));
  await agentCtx.dispose();
  await bobContext.close();
  await aliceContext.close();

  const logLines = await addPortalLog(corpus);

  const root = path.dirname(testInfo.config.configFile ?? path.resolve("playwright.config.ts"));
  const staticFiles = filesUnder(path.join(root, ".next", "static"));
  for (const file of staticFiles) corpus.add("static-file", path.relative(root, file), readFileSync(file));

  // ---- The tokens the provider issued, and the search.
  const issued = await issuedTokens();
  const statsAtEnd = await providerStats();
  const secrets: Secret[] = providerSecrets(issued);

  await test.step("the counts are meaningful", () => {
    expect(issued.accessTokens.length).toBeGreaterThanOrEqual(3);
    expect(issued.refreshTokens.length).toBeGreaterThanOrEqual(3);
    expect(statsAtEnd.authorizationCodeGrants).toBeGreaterThanOrEqual(statsAtStart.authorizationCodeGrants + 1);
    expect(statsAtEnd.refreshGrants).toBeGreaterThanOrEqual(statsAtStart.refreshGrants + 2);
    for (const s of secrets) expect(s.value.length).toBeGreaterThanOrEqual(32);
    expect(browserRec.responses).toBeGreaterThanOrEqual(50);
    expect(corpus.count("browser-response")).toBeGreaterThanOrEqual(50);
    expect(browserRec.missingBodies, "every response body the browser received is recorded").toEqual([]);
    expect(browserRec.routeFailureDetails, "every request the browsers made was made and recorded").toEqual([]);
    expect(browserRec.routeFailures).toBe(0);
    expect(api.calls).toBeGreaterThanOrEqual(30);
    expect(mcpCounter.messages).toBeGreaterThanOrEqual(4);
    expect(logLines).toBeGreaterThanOrEqual(5);
    expect(auditRows).toBeGreaterThanOrEqual(10);
    expect(staticFiles.length).toBeGreaterThanOrEqual(1);
    expect(browserRec.storageSnapshots).toBeGreaterThanOrEqual(8);
    expect(corpus.count("browser-cookies")).toBeGreaterThanOrEqual(8);
  });

  await test.step("the scanner can find what is there (positive controls on the real corpus)", () => {
    const present: Array<[string, Channel]> = [
      [connectionId, "browser-response"],
      // The popup connect's last page, which tells the portal the outcome and would close at once.
      ["vault:connect", "browser-response"],
      [connectionId, "api-response"],
      [full, "audit"],
      [marker, "api-response"],
      [marker, "mcp"],
      [agent.clientId, "browser-response"],
      ["Serving the portal at", "server-log"],
      ["Grant access", "static-file"],
      [connectionId, "webhook"],
      [AGENT, "webhook"],
      ["vault_http_request_duration_seconds_bucket", "metrics"],
      ["next-auth.session-token", "browser-cookies"],
      [`localhost:${PORT}`, "browser-storage"],
    ];
    for (const [value, channel] of present) {
      expect(scan(corpus, [{ kind: "marker", value }], [channel]).length, `${JSON.stringify(value)} is found in ${channel}`).toBeGreaterThan(0);
    }
  });

  await test.step("the scanner finds injected tokens in every encoding (negative control on a copy)", () => {
    const at = issued.accessTokens[0]!;
    const rt = issued.refreshTokens.at(-1)!;
    const copy = corpus.clone();
    const pick = (channel: Channel) => copy.items.findIndex((i) => i.channel === channel);
    const inject = (channel: Channel, text: (s: string) => string) => {
      const i = pick(channel);
      copy.items[i] = { ...copy.items[i]!, text: text(copy.items[i]!.text) };
    };
    inject("browser-response", (s) => `${s}${at}`);
    inject("api-response", (s) => `${s}${Buffer.from(`Bearer ${rt}`).toString("base64")}`);
    inject("mcp", (s) => `${s}${Buffer.from(JSON.stringify({ refresh_token: rt })).toString("base64url")}`);
    inject("server-log", (s) => `${s}?token=${encodeURIComponent(at)}`);
    inject("audit", (s) => `${s}${JSON.stringify({ v: `x${at}` })}`);
    inject("static-file", (s) => `${s}${Buffer.from(`xy${at}`).toString("hex")}`);
    inject("browser-storage", (s) => `${s}${encodeURIComponent(Buffer.from(`a:${rt}`).toString("base64"))}`);
    inject("webhook", (s) => `${s}${JSON.stringify({ data: { token: at } })}`);
    inject("metrics", (s) => `${s}vault_x{v="${Buffer.from(rt).toString("base64")}"} 1`);
    const hits = scan(copy, secrets);
    const where = [...new Set(hits.map((h) => h.channel))];
    for (const c of ["browser-response", "api-response", "mcp", "server-log", "audit", "static-file", "browser-storage", "webhook", "metrics"] as const)
      expect(where, `an injected token is found in ${c}`).toContain(c);
    // Nothing else: the copy differs from the real corpus only by the injections.
    expect(hits.every((h) => h.secretIndex === 0 || h.secretIndex === secrets.length - 1)).toBe(true);
  });

  const needles = secrets.reduce((n, secret) => n + formsOf(secret.value).length, 0);
  const tokenHits = scan(corpus, secrets);
  const secretHits = scan(
    corpus,
    [{ kind: "agent client secret", value: agent.clientSecret }],
    ["server-log", "audit", "api-response", "mcp", "browser-storage", "browser-cookies", "browser-console", "webhook", "metrics"],
  );
  // The webhook's signing secret: shown to bob once (that page's answer), and nowhere the vault sends or keeps things.
  const webhookSecretHits = scan(
    corpus,
    [{ kind: "webhook signing secret", value: webhookSecret }],
    ["server-log", "audit", "api-response", "mcp", "browser-storage", "browser-cookies", "browser-console", "webhook", "metrics"],
  );
  const responses = browserRec.responses + api.calls + mcpCounter.messages;
  const summary =
    `zero-exposure: ${responses} responses scanned (browser ${browserRec.responses}, of which ${corpus.bodiesUnavailable} without a body (redirects); API ${api.calls}; MCP ${mcpCounter.messages}), ` +
    `${corpus.count("webhook") / 2} webhook deliveries scanned, ${logLines} log lines scanned (portal stdout+stderr), ${staticFiles.length} files scanned (.next/static), ${auditRows} audit rows scanned (JSONL, and the CSV export), ` +
    `${corpus.count("browser-request")} browser requests, ${browserRec.storageSnapshots} storage snapshots, ${corpus.count("browser-cookies")} cookie snapshots, ${browserRec.consoleMessages} console messages; ` +
    `${secrets.length} tokens searched (${issued.accessTokens.length} access, ${issued.refreshTokens.length} refresh, after ${statsAtEnd.refreshGrants - statsAtStart.refreshGrants} refreshes) as ${needles} encoded forms ` +
    `in ${corpus.items.length} items, ${(corpus.bytes() / 1e6).toFixed(1)} MB; token hits ${tokenHits.length}, client secret hits ${secretHits.length}, webhook secret hits ${webhookSecretHits.length}`;
  console.log(summary);
  await testInfo.attach("zero-exposure-summary", { body: summary, contentType: "text/plain" });

  expect(tokenHits.map(describeHit), "no provider access or refresh token anywhere").toEqual([]);
  expect(secretHits.map(describeHit), "the agent's client secret is in no log, audit row, answer or browser storage").toEqual([]);
  expect(webhookSecretHits.map(describeHit), "the webhook secret is in no log, audit row, delivery, metric or browser storage").toEqual([]);
});
