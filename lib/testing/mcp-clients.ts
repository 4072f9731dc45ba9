// OAuth clients a person connects (MCP clients), for route tests: a registered public client whose
// standing in a tenant is approved with a ceiling, a PKCE pair, and the authorization code flow
// walked through the real route handlers (authorize, consent with a real session cookie, token).
// Import after a world has set the configuration.
import { createHash, randomBytes } from "node:crypto";

import type { Ceiling } from "@/lib/agents/ceiling";
import type { VaultPrismaClient } from "@/lib/db";

import { insertAgent } from "./fixtures";
import { portalBrowser, type SessionPerson } from "./portal-session";

export type Pkce = { verifier: string; challenge: string };

export function pkcePair(): Pkce {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

export type TestMcpClient = { clientId: string; redirectUri: string; agentId: string; agentClientId: string };

/** A registered public client (PKCE alone), approved in the tenant with this ceiling and backed by its agent. */
export async function approvedClient(
  db: VaultPrismaClient,
  tenantId: string,
  opts: { ceiling?: Partial<Ceiling>; redirectUri?: string; name?: string; status?: "approved" | "pending" | "blocked" } = {},
): Promise<TestMcpClient> {
  const clientId = `mcp_${randomBytes(8).toString("hex")}`;
  const redirectUri = opts.redirectUri ?? "https://client.example/callback";
  const name = opts.name ?? "Test MCP client";
  await db.oAuthClient.create({ data: { id: clientId, kind: "registered", name, redirectUris: [redirectUri], authMethod: "none" } });
  const agent = await insertAgent(db, tenantId, { name: `${name} (MCP client)`, ceiling: opts.ceiling ?? {} });
  await db.tenantClient.create({ data: { tenantId, clientId, status: opts.status ?? "approved", agentId: agent.id } });
  return { clientId, redirectUri, agentId: agent.id, agentClientId: agent.clientId };
}

type Handler = (req: Request, ctx?: { params: Promise<Record<string, string>> }) => Promise<Response>;
export type FlowRoutes = { authorize: Handler; consent: Handler; token: Handler };

/** The authorize request's parameters for this client. */
export function authorizeParams(client: TestMcpClient, pkce: Pkce, extra: Record<string, string | null> = {}): URLSearchParams {
  const base: Record<string, string | null> = {
    response_type: "code",
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    code_challenge: pkce.challenge,
    code_challenge_method: "S256",
    state: "st-123",
    resource: `${process.env.NEXTAUTH_URL}/api/mcp`,
    scope: "mcp",
    ...extra,
  };
  return new URLSearchParams(Object.entries(base).filter((e): e is [string, string] => e[1] !== null));
}

/** GET /api/oauth/authorize: the consent request id it sends the browser to, or the response itself. */
export async function startAuthorize(routes: FlowRoutes, params: URLSearchParams): Promise<{ res: Response; requestId: string | null }> {
  const res = await routes.authorize(new Request(`${process.env.NEXTAUTH_URL}/api/oauth/authorize?${params}`));
  const location = res.headers.get("location") ?? "";
  const m = /\/consent\/([A-Za-z0-9_-]+)$/.exec(location);
  return { res, requestId: m ? m[1]! : null };
}

/** The person's decision through POST /api/oauth/consent/{id}, with their real session cookie. */
export async function decide(routes: FlowRoutes, person: SessionPerson, requestId: string, body: unknown, opts: { origin?: string | null } = {}) {
  const browser = portalBrowser();
  await browser.signIn(person);
  return browser.send(routes.consent as never, `/api/oauth/consent/${requestId}`, { method: "POST", body, params: { id: requestId }, origin: opts.origin });
}

export function tokenForm(params: Record<string, string>): Request {
  return new Request(`${process.env.NEXTAUTH_URL}/api/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(params).toString(),
  });
}

export type ClientTokens = { access_token: string; refresh_token: string; expires_in: number; scope: string; token_type: string };

/** The whole flow for one person and one approved client: the code, then its tokens. */
export async function connectClient(
  routes: FlowRoutes,
  person: SessionPerson,
  client: TestMcpClient,
  grants: Array<{ connectionId: string; scopes: string[]; tools: string[] }>,
): Promise<{ code: string; pkce: Pkce; tokens: ClientTokens }> {
  const pkce = pkcePair();
  const { requestId } = await startAuthorize(routes, authorizeParams(client, pkce));
  if (!requestId) throw new Error("authorize did not lead to the consent page");
  const res = await decide(routes, person, requestId, { decision: "approve", grants, expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
  if (res.status !== 200) throw new Error(`consent answered ${res.status}: ${await res.text()}`);
  const code = new URL(((await res.json()) as { location: string }).location).searchParams.get("code")!;
  const tokenRes = await routes.token(
    tokenForm({ grant_type: "authorization_code", code, code_verifier: pkce.verifier, redirect_uri: client.redirectUri, client_id: client.clientId }),
  );
  if (tokenRes.status !== 200) throw new Error(`token endpoint answered ${tokenRes.status}: ${await tokenRes.text()}`);
  return { code, pkce, tokens: (await tokenRes.json()) as ClientTokens };
}
