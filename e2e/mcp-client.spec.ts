// A stock MCP client connects with a person's consent, end to end, in a real browser. The official
// SDK's Client and its own OAuth machinery (auth() driven by an OAuthClientProvider, as any MCP host
// implements it) start with nothing but the server URL: the first request answers 401, the SDK
// discovers the protected resource and the authorization server, identifies itself (once by a
// client metadata document served on loopback, once by RFC 7591 registration) and asks for the
// authorize URL to be opened. Playwright opens it as alice, who picks connections and tools on the
// portal's consent page; the browser lands on the client's loopback redirect URI with the code, and
// the SDK redeems it with its PKCE verifier. The client lists and calls tools (two connections to one
// provider, named apart), renews its short-lived access token by itself, and after alice revokes on
// the Delegations page the next call and the next refresh both fail.
//
// Zero exposure for this journey too: every answer the client received (discovery, registration,
// token endpoint, MCP), every response alice's and bob's browsers received and the portal's output
// are searched for every token the Demo Tasks provider ever issued: 0 hits.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { UnauthorizedError, type OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import type { BrowserContext, Page } from "@playwright/test";

import { addPortalLog, issuedTokens, providerSecrets } from "./exposure/controls";
import { Corpus } from "./exposure/corpus";
import { connectDemoTasks, disconnect } from "./exposure/portal-steps";
import { BrowserRecorder, recordingFetch } from "./exposure/recorder";
import { describeHit, scan } from "./exposure/scanner";
import { expect, signInAs, test } from "./fixtures";

const PORT = Number(process.env.E2E_PORT ?? 3107);
/** The portal's access tokens for MCP clients live this long in the e2e portal (playwright.config.ts). */
const ACCESS_TOKEN_SECONDS = Number(process.env.E2E_MCP_ACCESS_TOKEN_SECONDS ?? 5);
/** The vault accepts its own tokens this long past their expiry (clock skew between instances; lib/oauth-server/bearer.ts). */
const CLOCK_TOLERANCE_SECONDS = 5;

/** What an MCP host keeps for one server: its client identity, tokens and PKCE verifier; the browser step is the test's. */
class HostOAuthProvider implements OAuthClientProvider {
  authorizationUrl: URL | null = null;
  tokenSaves = 0;
  sentState = "";
  private info: OAuthClientInformationMixed | undefined;
  private saved: OAuthTokens | undefined;
  private verifier = "";

  constructor(
    private readonly redirect: string,
    private readonly metadata: OAuthClientMetadata,
    /**
     * A client metadata document's URL, used as the client_id. The SDK takes `clientMetadataUrl` only
     * over https, and then does exactly this (client_id = the URL); a loopback document is http, so
     * the host hands the URL over as its client information itself.
     */
    private readonly documentUrl?: string,
  ) {}

  get redirectUrl(): string {
    return this.redirect;
  }
  get clientMetadata(): OAuthClientMetadata {
    return this.metadata;
  }
  state(): string {
    this.sentState = crypto.randomUUID();
    return this.sentState;
  }
  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.info ?? (this.documentUrl ? { client_id: this.documentUrl } : undefined);
  }
  saveClientInformation(info: OAuthClientInformationMixed): void {
    this.info = info;
  }
  tokens(): OAuthTokens | undefined {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens): void {
    this.tokenSaves += 1;
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL): void {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }
  codeVerifier(): string {
    return this.verifier;
  }
  invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier" | "discovery"): void {
    if (scope === "all" || scope === "tokens") this.saved = undefined;
  }
}

/** The client application's own loopback server: its metadata document and its redirect URI. */
async function startClientApp(): Promise<{ origin: string; documentUrl: string; callback: string; server: Server }> {
  let origin = "";
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", origin);
    if (url.pathname === "/oauth/client.json") {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "max-age=60" });
      res.end(
        JSON.stringify({
          client_id: `${origin}/oauth/client.json`,
          client_name: "Loopback Notes",
          client_uri: "https://notes.example/",
          redirect_uris: [`${origin}/callback`],
          grant_types: ["authorization_code", "refresh_token"],
          response_types: ["code"],
          token_endpoint_auth_method: "none",
        }),
      );
      return;
    }
    if (url.pathname === "/callback") {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<!doctype html><title>Signed in</title><p>You can close this window.</p>");
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, documentUrl: `${origin}/oauth/client.json`, callback: `${origin}/callback`, server };
}

const clientMetadata = (name: string, redirect: string): OAuthClientMetadata => ({
  client_name: name,
  redirect_uris: [redirect],
  grant_types: ["authorization_code", "refresh_token"],
  response_types: ["code"],
  token_endpoint_auth_method: "none",
});

function textOf(result: Awaited<ReturnType<Client["callTool"]>>): string {
  return JSON.stringify(result.content);
}

test("a stock MCP client connects with alice's consent, uses two connections, renews its token, and stops when she revokes", async ({
  browser,
  baseURL,
}, testInfo) => {
  test.setTimeout(240_000);
  const base = baseURL ?? `http://localhost:${PORT}`;
  const serverUrl = new URL("/api/mcp", base);
  const corpus = new Corpus();
  const browserRec = new BrowserRecorder(corpus);
  const pending: Promise<void>[] = [];
  const counter = { messages: 0 };
  const clientFetch = recordingFetch(corpus, pending, counter);
  const app = await startClientApp();
  const marker = `MCP client task ${crypto.randomUUID()}`;

  const aliceContext = await browser.newContext();
  const bobContext = await browser.newContext();
  await browserRec.attach("alice", aliceContext);
  await browserRec.attach("bob", bobContext);
  const alice = await aliceContext.newPage();
  const bob = await bobContext.newPage();
  await signInAs(alice, "alice@acme.test");
  await signInAs(bob, "bob@acme.test");

  await test.step("bob lets new MCP clients in with a default ceiling (Demo Tasks: list, create, who am I)", async () => {
    const res = await bob.request.patch("/api/v1/tenant", {
      headers: { origin: base },
      data: {
        mcpClientPolicy: {
          newClients: "tenant_default",
          defaultCeiling: {
            providers: ["demo-tasks"],
            tools: ["demo-tasks.list_tasks", "demo-tasks.create_task", "demo-tasks.whoami"],
            maxDelegationSeconds: 7 * 86_400,
          },
        },
      },
    });
    expect(res.status(), await res.text()).toBe(200);
  });

  const aliceConnection = await connectDemoTasks(alice, "alice");
  // The provider remembers who signed in there; a second account signs in afresh.
  await aliceContext.clearCookies({ domain: "127.0.0.1" });
  const carolConnection = await connectDemoTasks(alice, "carol");
  expect(carolConnection).not.toBe(aliceConnection);
  await browserRec.snapshot("two connections");

  /** The host's first connect: 401, discovery, identification, the authorize URL; alice decides in her browser; the code is redeemed. */
  async function connectWithConsent(provider: HostOAuthProvider, decide: (page: Page) => Promise<void>): Promise<Client> {
    const first = new Client({ name: "stock-host", version: "1.0.0" });
    const error = await first.connect(new StreamableHTTPClientTransport(serverUrl, { authProvider: provider, fetch: clientFetch })).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error, "the first connect needs the person's consent").toBeInstanceOf(UnauthorizedError);
    const authorize = provider.authorizationUrl!;
    expect(authorize.origin + authorize.pathname).toBe(`${base}/api/oauth/authorize`);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("resource")).toBe(serverUrl.toString());

    await alice.goto(authorize.toString());
    await expect(alice).toHaveURL(/\/consent\/[A-Za-z0-9_-]+$/);
    await decide(alice);
    await alice.waitForURL((u) => u.toString().startsWith(provider.redirectUrl));
    const back = new URL(alice.url());
    expect(back.searchParams.get("state")).toBe(provider.sentState);
    expect(back.searchParams.get("iss")).toBe(base);
    const code = back.searchParams.get("code");
    expect(code).toBeTruthy();

    const transport = new StreamableHTTPClientTransport(serverUrl, { authProvider: provider, fetch: clientFetch });
    await transport.finishAuth(code!);
    expect(provider.tokens()?.refresh_token).toBeTruthy();
    const client = new Client({ name: "stock-host", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(serverUrl, { authProvider: provider, fetch: clientFetch }));
    return client;
  }

  async function give(page: Page, clientName: string, account: string, tools: string[]): Promise<void> {
    const form = page.getByRole("form", { name: `Give ${clientName} access` });
    const title = `Demo Tasks (${account}@demo-tasks.test)`;
    await form.getByRole("checkbox", { name: `Give access to ${title}` }).check();
    for (const tool of tools)
      await form
        .getByRole("group", { name: `Tools on ${title}` })
        .getByLabel(tool)
        .check();
  }

  // ---- Client 1: identified by its metadata document on loopback; alice gives it both connections.
  const notes = new HostOAuthProvider(app.callback, clientMetadata("Loopback Notes", app.callback), app.documentUrl);
  const notesClient = await test.step("Loopback Notes (metadata document) connects: alice approves both connections", async () =>
    connectWithConsent(notes, async (page) => {
      await expect(page.getByRole("heading", { level: 1 })).toHaveText("Loopback Notes wants to act for you");
      await expect(page.getByText("It will send you back to")).toContainText("127.0.0.1");
      await expect(page.getByText(/unverified/)).toBeVisible();
      await give(page, "Loopback Notes", "alice", ["List tasks", "Create a task"]);
      await give(page, "Loopback Notes", "carol", ["List tasks"]);
      await page.getByRole("button", { name: "Allow" }).click();
    }));
  const registrations = () => corpus.items.filter((i) => i.channel === "mcp" && /^POST \S+\/api\/oauth\/register -> 201/.test(i.label)).length;
  expect(registrations(), "a metadata-document client registers nowhere").toBe(0);
  expect(notes.clientInformation()?.client_id).toBe(app.documentUrl);

  await test.step("one session sees both connections' tools, named apart; each runs on its own account", async () => {
    const { tools } = await notesClient.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["demo_tasks_alice__create_task", "demo_tasks_alice__list_tasks", "demo_tasks_carol__list_tasks"]);
    for (const t of tools) expect(t.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(tools.find((t) => t.name === "demo_tasks_carol__list_tasks")?.title).toBe("List tasks (carol@demo-tasks.test)");
    const created = await notesClient.callTool({ name: "demo_tasks_alice__create_task", arguments: { title: marker } });
    corpus.add("mcp", "create_task result", JSON.stringify(created));
    expect(created.isError ?? false, textOf(created)).toBe(false);
    const onAlice = await notesClient.callTool({ name: "demo_tasks_alice__list_tasks", arguments: {} });
    expect(textOf(onAlice)).toContain(marker);
    const onCarol = await notesClient.callTool({ name: "demo_tasks_carol__list_tasks", arguments: {} });
    expect(onCarol.isError ?? false, textOf(onCarol)).toBe(false);
    expect(textOf(onCarol), "carol's account does not hold alice's task").not.toContain(marker);
    const notGiven = await notesClient.callTool({ name: "demo_tasks_carol__create_task", arguments: { title: "must not exist" } });
    expect(notGiven.isError).toBe(true);
  });

  await test.step("after the access token expires the client renews it by itself (rotating refresh token)", async () => {
    const before = notes.tokens()!;
    const saves = notes.tokenSaves;
    await new Promise((r) => setTimeout(r, (ACCESS_TOKEN_SECONDS + CLOCK_TOLERANCE_SECONDS + 1.5) * 1000));
    const listed = await notesClient.callTool({ name: "demo_tasks_alice__list_tasks", arguments: {} });
    expect(listed.isError ?? false, textOf(listed)).toBe(false);
    expect(textOf(listed)).toContain(marker);
    expect(notes.tokenSaves).toBe(saves + 1);
    expect(notes.tokens()!.access_token).not.toBe(before.access_token);
    expect(notes.tokens()!.refresh_token).not.toBe(before.refresh_token);
  });

  // ---- Client 2: registers itself (RFC 7591); alice gives it one tool on one connection.
  const helper = new HostOAuthProvider(app.callback, clientMetadata("Registered Helper", app.callback));
  const helperClient = await test.step("Registered Helper (dynamic registration) connects: alice approves one tool", async () =>
    connectWithConsent(helper, async (page) => {
      await expect(page.getByRole("heading", { level: 1 })).toHaveText("Registered Helper wants to act for you");
      await give(page, "Registered Helper", "alice", ["Who am I"]);
      await page.getByRole("button", { name: "Allow" }).click();
    }));
  expect(registrations(), "the SDK registered the client once (RFC 7591)").toBe(1);
  expect(helper.clientInformation()?.client_id).not.toBe(app.documentUrl);
  const { tools: helperTools } = await helperClient.listTools();
  expect(helperTools.map((t) => t.name)).toEqual(["demo_tasks__whoami"]);
  const who = await helperClient.callTool({ name: "demo_tasks__whoami", arguments: {} });
  expect(textOf(who)).toContain("alice@demo-tasks.test");

  await test.step("bob sees both clients on the MCP clients page", async () => {
    await bob.goto("/mcp-clients");
    await expect(bob.getByRole("article", { name: "Loopback Notes" })).toBeVisible();
    await expect(bob.getByRole("article", { name: "Registered Helper" })).toBeVisible();
  });

  await test.step("alice revokes Loopback Notes on the Delegations page: its next call and its next refresh fail", async () => {
    await alice.goto("/delegations");
    for (const account of ["alice", "carol"]) {
      // The client acts through an agent of its own, named after it.
      const item = alice.getByRole("listitem", { name: `Loopback Notes (MCP client) on ${account}@demo-tasks.test` });
      await item.getByRole("button", { name: "Revoke" }).click();
      const dialog = alice.getByRole("dialog", { name: `Revoke Loopback Notes (MCP client)'s access to ${account}@demo-tasks.test?` });
      await dialog.getByRole("button", { name: "Revoke access" }).click();
      await expect(item.locator(".badge")).toHaveText("revoked");
    }
    const lastRefresh = notes.tokens()!.refresh_token!;
    notes.authorizationUrl = null;
    const call = await notesClient.callTool({ name: "demo_tasks_alice__list_tasks", arguments: {} }).then(
      (r) => r,
      (e: unknown) => e,
    );
    // Refused at once: the access token opens nothing, the SDK's refresh is refused, and it asks for consent again.
    expect(call, JSON.stringify(call)).toBeInstanceOf(UnauthorizedError);
    expect(notes.authorizationUrl, "the client went back to asking alice").not.toBeNull();
    const refresh = await fetch(`${base}/api/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: lastRefresh, client_id: app.documentUrl }),
    });
    expect(refresh.status).toBe(400);
    expect(((await refresh.json()) as { error: string }).error).toBe("invalid_grant");
    // The other client is untouched.
    const still = await helperClient.callTool({ name: "demo_tasks__whoami", arguments: {} });
    expect(still.isError ?? false, textOf(still)).toBe(false);
  });

  await test.step("alice disconnects both accounts: the other client's next call and refresh fail too", async () => {
    const lastRefresh = helper.tokens()!.refresh_token!;
    const helperId = (helper.clientInformation() as { client_id: string }).client_id;
    await disconnect(alice, aliceConnection, "alice@demo-tasks.test");
    const call = await helperClient.callTool({ name: "demo_tasks__whoami", arguments: {} }).then(
      (r) => r,
      (e: unknown) => e,
    );
    expect(call, JSON.stringify(call)).toBeInstanceOf(UnauthorizedError);
    const refresh = await fetch(`${base}/api/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: lastRefresh, client_id: helperId }),
    });
    expect(refresh.status).toBe(400);
    await disconnect(alice, carolConnection, "carol@demo-tasks.test");
  });

  await helperClient.close().catch(() => undefined);
  await notesClient.close().catch(() => undefined);
  await browserRec.snapshot("end");
  await browserRec.settle();
  while (pending.length) await Promise.allSettled(pending.splice(0));
  await closeAll([aliceContext, bobContext]);
  await new Promise<void>((resolve) => app.server.close(() => resolve()));

  await test.step("zero exposure: no provider token in anything the client, the browsers or the portal's output carried", async () => {
    const logLines = await addPortalLog(corpus);
    const secrets = providerSecrets(await issuedTokens());
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    expect(counter.messages).toBeGreaterThanOrEqual(15);
    // The scanner finds what is there: the task's title in the client's answers, a connection id in the browsers'.
    expect(scan(corpus, [{ kind: "marker", value: marker }], ["mcp"]).length).toBeGreaterThan(0);
    expect(scan(corpus, [{ kind: "marker", value: carolConnection }], ["browser-response"]).length).toBeGreaterThan(0);
    const hits = scan(corpus, secrets);
    const summary = `mcp-client exposure: ${counter.messages} client answers, ${corpus.count("browser-response")} browser responses, ${logLines} log lines; ${secrets.length} provider tokens searched; hits ${hits.length}`;
    console.log(summary);
    await testInfo.attach("mcp-client-exposure", { body: summary, contentType: "text/plain" });
    expect(hits.map(describeHit)).toEqual([]);
  });
});

async function closeAll(contexts: BrowserContext[]): Promise<void> {
  for (const c of contexts) await c.close();
}
