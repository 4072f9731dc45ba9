// The bench's world, set up the way people and agents do it: through the portal's HTTP API only
// (CONTRACT.md). Alice and bob sign in through next-auth's demo credentials provider, alice connects
// Demo Tasks (login and consent at the provider), bob registers an agent whose ceiling allows
// `GET /tasks` on Demo Tasks, alice grants it a read-only delegation, and the agent exchanges the
// delegation id for a delegation access token (RFC 8693). Plus a raw provider token for the
// direct and bare-proxy modes, obtained by a separate client of the provider.
import { createHash, randomBytes } from "node:crypto";

import { completeAuthorization, CookieJar, newBrowser } from "../e2e/demo-provider/test-client";

const TIMEOUT_MS = 15_000;
export const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
export const DELEGATION_ID_TYPE = "urn:tokenvault:params:oauth:token-type:delegation-id";

/** A signed-in person: every request carries the session cookie and, for writes, the portal's Origin. */
export class PortalSession {
  readonly jar = new CookieJar();
  constructor(readonly portal: string) {}

  async request(path: string, init: { method?: string; json?: unknown; form?: Record<string, string> } = {}): Promise<Response> {
    const url = new URL(path, this.portal);
    const headers: Record<string, string> = { cookie: this.jar.header(), origin: new URL(this.portal).origin };
    let body: string | undefined;
    if (init.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(init.json);
    } else if (init.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(url, {
      method: init.method ?? (body === undefined ? "GET" : "POST"),
      headers,
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    this.jar.store(res);
    return res;
  }

  async json<T>(path: string, init: { method?: string; json?: unknown } = {}, expect = 200): Promise<T> {
    const res = await this.request(path, init);
    const text = await res.text();
    if (res.status !== expect) throw new Error(`${init.method ?? "GET"} ${path} answered ${res.status} (expected ${expect}): ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  }
}

/** Signs a demo person in through next-auth's credentials provider `demo` (field `email`). */
export async function signIn(portal: string, email: string): Promise<PortalSession> {
  const session = new PortalSession(portal);
  const { csrfToken } = await session.json<{ csrfToken: string }>("/api/auth/csrf");
  const res = await session.request("/api/auth/callback/demo", { form: { email, csrfToken, callbackUrl: new URL("/connections", portal).href, json: "true" } });
  await res.arrayBuffer();
  const me = await session.json<{ user?: { email?: string } }>("/api/auth/session");
  if (me.user?.email !== email) throw new Error(`signing in as ${email} did not give a session (the sign-in answered ${res.status})`);
  return session;
}

/** Connects Demo Tasks for the signed-in person: portal start -> provider login and consent -> portal callback. */
export async function connectDemoTasks(session: PortalSession, providerIssuer: string, account: string): Promise<string> {
  const start = await session.request("/api/oauth/connect/demo-tasks");
  const location = start.headers.get("location");
  await start.arrayBuffer();
  if (start.status !== 302 || !location || !location.startsWith(providerIssuer))
    throw new Error(`starting the connection answered ${start.status} to ${location ?? "nowhere"}`);
  const callback = await completeAuthorization(newBrowser(), providerIssuer, new URL(location), { username: account, password: "demo" });
  if (callback.origin !== new URL(session.portal).origin) throw new Error(`the provider sent the browser to ${callback.origin}, not the portal`);
  const done = await session.request(callback.pathname + callback.search);
  const to = done.headers.get("location") ?? "";
  await done.arrayBuffer();
  const id = /\/connections\/([0-9a-f-]{36})\?connected=1$/.exec(to)?.[1];
  if (!id) throw new Error(`the connect callback answered ${done.status} to ${to || "nowhere"}`);
  return id;
}

export type BenchAgent = { id: string; clientId: string; clientSecret: string };

/** bob (admin) registers an agent allowed to `GET /tasks` on Demo Tasks and nothing else. */
export async function registerAgent(admin: PortalSession): Promise<BenchAgent> {
  const answer = await admin.json<{ agent: { id: string }; client_id: string; client_secret?: string }>(
    "/api/v1/agents",
    {
      method: "POST",
      json: {
        name: "Bench agent",
        description: "Measures the cost of acting through the vault.",
        credentials: { secret: true },
        ceiling: { providers: ["demo-tasks"], tools: [], methods: ["GET"], pathPatterns: ["/tasks"], maxDelegationSeconds: 86_400 },
      },
    },
    201,
  );
  if (!answer.client_secret) throw new Error("registering the agent returned no client secret");
  return { id: answer.agent.id, clientId: answer.client_id, clientSecret: answer.client_secret };
}

/** alice grants the agent read-only access to her connection for a day. */
export async function grantDelegation(person: PortalSession, agentId: string, connectionId: string): Promise<string> {
  const { delegation } = await person.json<{ delegation: { id: string } }>(
    "/api/v1/delegations",
    {
      method: "POST",
      json: {
        agentId,
        connectionId,
        scopes: ["tasks.read"],
        tools: [],
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        constraints: { readOnly: true },
      },
    },
    201,
  );
  return delegation.id;
}

export type ExchangedToken = { accessToken: string; expiresAt: number };

/** One RFC 8693 exchange at the token endpoint, client_secret_post. */
export async function exchange(portal: string, agent: BenchAgent, delegationId: string): Promise<ExchangedToken> {
  const res = await fetch(new URL("/api/oauth/token", portal), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: TOKEN_EXCHANGE,
      subject_token: delegationId,
      subject_token_type: DELEGATION_ID_TYPE,
      client_id: agent.clientId,
      client_secret: agent.clientSecret,
    }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const body = (await res.json()) as { access_token?: string; expires_in?: number; error?: string; error_description?: string };
  if (res.status !== 200 || !body.access_token || !body.expires_in)
    throw new Error(`the token exchange answered ${res.status} ${body.error ?? ""}: ${body.error_description ?? ""}`);
  return { accessToken: body.access_token, expiresAt: Date.now() + body.expires_in * 1000 };
}

/** The agent's delegation token, exchanged again (once, shared) when it has less than a minute left. */
export class DelegationToken {
  private current: ExchangedToken | undefined;
  private pending: Promise<ExchangedToken> | undefined;
  exchanges = 0;
  constructor(private readonly renew: () => Promise<ExchangedToken>) {}

  async get(): Promise<string> {
    if (this.current && Date.now() < this.current.expiresAt - 60_000) return this.current.accessToken;
    this.pending ??= this.renew()
      .then((token) => ((this.exchanges += 1), token))
      .finally(() => (this.pending = undefined));
    this.current = await this.pending;
    return this.current.accessToken;
  }
}

/** A raw provider access token for `account`, by the authorization code flow with PKCE of a separate client. */
export async function rawProviderToken(
  issuer: string,
  client: { clientId: string; clientSecret: string; redirectUri: string },
  account: string,
): Promise<string> {
  const verifier = randomBytes(32).toString("base64url");
  const auth = new URL("/auth", issuer);
  auth.search = new URLSearchParams({
    response_type: "code",
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    scope: "tasks.read",
    state: randomBytes(16).toString("base64url"),
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
  }).toString();
  const callback = await completeAuthorization(newBrowser(), issuer, auth, { username: account, password: "demo" });
  const code = callback.searchParams.get("code");
  if (!code) throw new Error(`the provider did not issue a code: ${callback.searchParams.get("error") ?? callback.href}`);
  const res = await fetch(new URL("/token", issuer), {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString("base64")}`,
    },
    body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: client.redirectUri, code_verifier: verifier }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const body = (await res.json()) as { access_token?: string; error?: string };
  if (res.status !== 200 || !body.access_token) throw new Error(`the provider's token endpoint answered ${res.status} ${body.error ?? ""}`);
  return body.access_token;
}
