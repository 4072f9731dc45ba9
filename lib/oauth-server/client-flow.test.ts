// The authorization code flow for OAuth clients a person connects (MCP clients), through the real
// route handlers: authorize, consent (real session cookie), token, MCP. The happy path, then each
// attack the flow must refuse with nothing issued: redirect URI mismatch, missing or plain PKCE, a
// wrong verifier, a replayed code, another client's code, a refresh token replayed after rotation,
// another server's resource, consent from a foreign Origin, choices beyond the admin's ceiling. And
// revoking the delegation, suspending the client or disconnecting kills the access and refresh
// tokens at once.
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DEMO_TASKS_CEILING, portalBrowser, startVaultWorld } from "@/lib/testing";
import {
  approvedClient,
  authorizeParams,
  connectClient,
  decide,
  pkcePair,
  startAuthorize,
  tokenForm,
  type ClientTokens,
  type FlowRoutes,
  type TestMcpClient,
} from "@/lib/testing/mcp-clients";

const world = await startVaultWorld();
const { getDb } = await import("@/lib/db");
const routes: FlowRoutes = {
  authorize: (await import("@/app/api/oauth/authorize/route")).GET as FlowRoutes["authorize"],
  consent: (await import("@/app/api/oauth/consent/[id]/route")).POST as FlowRoutes["consent"],
  token: (await import("@/app/api/oauth/token/route")).POST as FlowRoutes["token"],
};
const mcp = (await import("@/app/api/mcp/route")).POST;
const toolsRoute = (await import("@/app/api/v1/tools/route")).GET;
const connectionRoute = await import("@/app/api/v1/connections/[id]/route");
const ISSUER = process.env.NEXTAUTH_URL!;
const db = await getDb();
const { alice, carol } = world.people;

let connectionId: string;
let client: TestMcpClient;

beforeAll(async () => {
  connectionId = await world.connect(alice);
  client = await approvedClient(db, alice.tenantId, { ceiling: DEMO_TASKS_CEILING });
});
afterAll(async () => world.provider.close());

/** Read-only access to alice's Demo Tasks: one tool. */
const grants = () => [{ connectionId, scopes: ["tasks.read"], tools: ["demo-tasks.list_tasks"] }];

function mcpCall(token: string, message: object = { jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }): Promise<Response> {
  return mcp(
    new Request(`${ISSUER}/api/mcp`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": "2025-06-18",
      },
      body: JSON.stringify(message),
    }),
  );
}

async function toolNames(token: string): Promise<string[]> {
  const res = await mcpCall(token);
  expect(res.status).toBe(200);
  return ((await res.json()) as { result: { tools: { name: string }[] } }).result.tools.map((t) => t.name);
}

const refresh = (tokens: ClientTokens, c = client) =>
  routes.token(tokenForm({ grant_type: "refresh_token", refresh_token: tokens.refresh_token, client_id: c.clientId }));
const redeem = (code: string, verifier: string, extra: Record<string, string> = {}) =>
  routes.token(
    tokenForm({ grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: client.redirectUri, client_id: client.clientId, ...extra }),
  );

async function expectRefused(res: Response, error: string) {
  expect(res.status).toBe(error === "invalid_client" ? 401 : 400);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ error, error_description: expect.any(String) });
  expect(body).not.toHaveProperty("access_token");
  expect(body).not.toHaveProperty("refresh_token");
}

async function codeFor(pkce = pkcePair(), extra: Record<string, string | null> = {}): Promise<string> {
  const { requestId } = await startAuthorize(routes, authorizeParams(client, pkce, extra));
  const res = await decide(routes, alice, requestId!, { decision: "approve", grants: grants(), expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
  expect(res.status).toBe(200);
  const location = new URL(((await res.json()) as { location: string }).location);
  expect(location.searchParams.get("state")).toBe("st-123");
  expect(location.searchParams.get("iss")).toBe(ISSUER);
  return location.searchParams.get("code")!;
}

describe("authorization code with PKCE for an MCP client", () => {
  it("issues an MCP-only access token and a rotating refresh token; the MCP session sees the granted tools", async () => {
    const { tokens } = await connectClient(routes, alice, client, grants());
    expect(tokens).toMatchObject({ token_type: "Bearer", scope: "mcp", expires_in: expect.any(Number) });
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({ iss: ISSUER, aud: `${ISSUER}/api/mcp`, sub: alice.arn, client_id: client.agentClientId });
    expect(await toolNames(tokens.access_token)).toEqual(["demo_tasks__list_tasks"]);
    // Meant for the MCP endpoint only: the REST routes refuse it.
    const rest = await toolsRoute(new Request(`${ISSUER}/api/v1/tools`, { headers: { authorization: `Bearer ${tokens.access_token}` } }));
    expect(rest.status).toBe(401);

    const first = await refresh(tokens);
    expect(first.status).toBe(200);
    const rotated = (await first.json()) as ClientTokens;
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
    expect(await toolNames(rotated.access_token)).toEqual(["demo_tasks__list_tasks"]);
    const delegations = await db.delegation.findMany({ where: { agentId: client.agentId, revokedAt: null } });
    expect(delegations.length).toBeGreaterThan(0);
  });

  it("refuses an unregistered redirect URI before anything is sent back to it", async () => {
    const before = await db.authorizationRequest.count();
    const { res, requestId } = await startAuthorize(routes, authorizeParams(client, pkcePair(), { redirect_uri: "https://evil.example/callback" }));
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
    expect(await res.text()).toContain("did not register");
    expect(requestId).toBeNull();
    expect(await db.authorizationRequest.count()).toBe(before);
  });

  it.each([
    ["missing", { code_challenge: null, code_challenge_method: null }],
    ["plain", { code_challenge_method: "plain" }],
    ["malformed", { code_challenge: "short" }],
  ])("refuses a %s PKCE challenge with an error redirect", async (_, extra) => {
    const { res, requestId } = await startAuthorize(routes, authorizeParams(client, pkcePair(), extra));
    expect(requestId).toBeNull();
    const location = new URL(res.headers.get("location")!);
    expect(location.origin + location.pathname).toBe(client.redirectUri);
    expect(location.searchParams.get("error")).toBe("invalid_request");
    expect(location.searchParams.get("code")).toBeNull();
  });

  it("refuses another server's resource at authorize and at the token endpoint", async () => {
    const { res } = await startAuthorize(routes, authorizeParams(client, pkcePair(), { resource: "https://other.example/mcp" }));
    expect(new URL(res.headers.get("location")!).searchParams.get("error")).toBe("invalid_target");
    const pkce = pkcePair();
    const code = await codeFor(pkce);
    await expectRefused(await redeem(code, pkce.verifier, { resource: "https://other.example/mcp" }), "invalid_target");
    // The code is still good for the right resource.
    expect((await redeem(code, pkce.verifier, { resource: `${ISSUER}/api/mcp` })).status).toBe(200);
  });

  it("burns a code presented with the wrong verifier, with what its consent created", async () => {
    const pkce = pkcePair();
    const code = await codeFor(pkce);
    await expectRefused(await redeem(code, pkcePair().verifier), "invalid_grant");
    await expectRefused(await redeem(code, pkce.verifier), "invalid_grant");
    const row = await db.authorizationCode.findFirstOrThrow({ where: { clientId: client.clientId }, orderBy: { createdAt: "desc" } });
    const family = await db.tokenFamily.findUniqueOrThrow({ where: { id: row.familyId } });
    expect(family.revokedAt).not.toBeNull();
    expect(await db.delegation.count({ where: { id: { in: family.delegationIds }, revokedAt: null } })).toBe(0);
  });

  it("refuses a redirect URI at the token endpoint other than the authorization request's", async () => {
    const pkce = pkcePair();
    const code = await codeFor(pkce);
    await expectRefused(await redeem(code, pkce.verifier, { redirect_uri: "https://client.example/other" }), "invalid_grant");
  });

  it("revokes everything a replayed code issued", async () => {
    const pkce = pkcePair();
    const code = await codeFor(pkce);
    const ok = await redeem(code, pkce.verifier);
    expect(ok.status).toBe(200);
    const tokens = (await ok.json()) as ClientTokens;
    await expectRefused(await redeem(code, pkce.verifier), "invalid_grant");
    expect((await mcpCall(tokens.access_token)).status).toBe(401);
    await expectRefused(await refresh(tokens), "invalid_grant");
  });

  it("refuses a code presented by another client, and leaves it to its own", async () => {
    const other = await approvedClient(db, alice.tenantId, { ceiling: DEMO_TASKS_CEILING });
    const pkce = pkcePair();
    const code = await codeFor(pkce);
    await expectRefused(
      await routes.token(
        tokenForm({ grant_type: "authorization_code", code, code_verifier: pkce.verifier, redirect_uri: client.redirectUri, client_id: other.clientId }),
      ),
      "invalid_grant",
    );
    expect((await redeem(code, pkce.verifier)).status).toBe(200);
  });

  it("revokes the family when a rotated refresh token is replayed", async () => {
    const { tokens } = await connectClient(routes, alice, client, grants());
    const next = (await (await refresh(tokens)).json()) as ClientTokens;
    await expectRefused(await refresh(tokens), "invalid_grant");
    // The thief's replay also ends the legitimate holder's newer tokens: both must sign in again.
    await expectRefused(await refresh(next), "invalid_grant");
    expect((await mcpCall(next.access_token)).status).toBe(401);
  });

  it("refuses consent posted from a foreign Origin and writes nothing", async () => {
    const { requestId } = await startAuthorize(routes, authorizeParams(client, pkcePair()));
    const before = await db.delegation.count({ where: { agentId: client.agentId } });
    const body = { decision: "approve", grants: grants(), expiresAt: new Date(Date.now() + 86_400_000).toISOString() };
    for (const origin of ["https://evil.example", null]) {
      const res = await decide(routes, alice, requestId!, body, { origin });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: "origin_mismatch" });
    }
    expect(await db.delegation.count({ where: { agentId: client.agentId } })).toBe(before);
    expect((await db.authorizationRequest.findUniqueOrThrow({ where: { id: requestId! } })).consumedAt).toBeNull();
  });

  it("refuses choices beyond the admin's ceiling, and a client an admin has not approved", async () => {
    const narrow = await approvedClient(db, alice.tenantId, { ceiling: { ...DEMO_TASKS_CEILING, tools: ["demo-tasks.list_tasks"] } });
    const { requestId } = await startAuthorize(routes, authorizeParams(narrow, pkcePair()));
    const wide = [{ connectionId, scopes: ["tasks.write"], tools: ["demo-tasks.create_task"] }];
    const res = await decide(routes, alice, requestId!, { decision: "approve", grants: wide, expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: "tool_not_allowed" });
    expect(await db.delegation.count({ where: { agentId: narrow.agentId } })).toBe(0);

    const pending = await approvedClient(db, alice.tenantId, { ceiling: DEMO_TASKS_CEILING, status: "pending" });
    const second = await startAuthorize(routes, authorizeParams(pending, pkcePair()));
    const refused = await decide(routes, alice, second.requestId!, {
      decision: "approve",
      grants: grants(),
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(refused.status).toBe(403);
    expect(await db.delegation.count({ where: { agentId: pending.agentId } })).toBe(0);
  });

  it("lets nobody but a signed-in person decide, and each request only once", async () => {
    const { requestId } = await startAuthorize(routes, authorizeParams(client, pkcePair()));
    const anonymous = await portalBrowser().send(routes.consent as never, `/api/oauth/consent/${requestId}`, {
      method: "POST",
      body: { decision: "deny" },
      params: { id: requestId! },
    });
    expect(anonymous.status).toBe(401);
    const denied = await decide(routes, carol, requestId!, { decision: "deny" });
    expect(new URL(((await denied.json()) as { location: string }).location).searchParams.get("error")).toBe("access_denied");
    expect((await decide(routes, alice, requestId!, { decision: "deny" })).status).toBe(404);
  });
});

describe("revocation kills the access token and the refresh token at once", () => {
  it("when the person revokes the delegation", async () => {
    const { tokens } = await connectClient(routes, alice, client, grants());
    const family = await db.tokenFamily.findFirstOrThrow({ where: { clientId: client.clientId }, orderBy: { createdAt: "desc" } });
    const browser = portalBrowser();
    await browser.signIn(alice);
    const del = (await import("@/app/api/v1/delegations/[id]/route")).DELETE;
    for (const id of family.delegationIds)
      expect((await browser.send(del as never, `/api/v1/delegations/${id}`, { method: "DELETE", params: { id } })).status).toBe(200);
    expect((await mcpCall(tokens.access_token)).status).toBe(401);
    await expectRefused(await refresh(tokens), "invalid_grant");
  });

  it("when an administrator suspends the client", async () => {
    const own = await approvedClient(db, alice.tenantId, { ceiling: DEMO_TASKS_CEILING });
    const { tokens } = await connectClient(routes, alice, own, grants());
    await db.agent.update({ where: { id: own.agentId }, data: { status: "suspended" } });
    expect((await mcpCall(tokens.access_token)).status).toBe(401);
    await expectRefused(await refresh(tokens, own), "invalid_grant");
  });

  it("when the person disconnects the connection", async () => {
    const { tokens } = await connectClient(routes, alice, client, grants());
    const browser = portalBrowser();
    await browser.signIn(alice);
    const res = await browser.send(connectionRoute.DELETE as never, `/api/v1/connections/${connectionId}`, { method: "DELETE", params: { id: connectionId } });
    expect(res.status).toBe(200);
    expect((await mcpCall(tokens.access_token)).status).toBe(401);
    await expectRefused(await refresh(tokens), "invalid_grant");
  });
});
