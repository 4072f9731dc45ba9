// Production sign-in against a real OpenID Connect provider (oidc-provider on loopback) through
// next-auth's own handler and the portal's options: the provider puts the profile claims only in its
// userinfo answer, so the tenant and role are read from there; a provider that omits the tenant or
// the role claim sends the person back to the sign-in page naming the claim and its setting, stores
// nobody, and logs the claim names that did arrive but none of their values.
import { randomBytes } from "node:crypto";
import path from "node:path";

import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";

import { CookieJar } from "@/e2e/demo-provider/test-client";
import { startCorporateIdp } from "@/lib/testing/corporate-idp";
import { createPostgresDatabase } from "@/lib/testing/db";

const PORTAL = "http://localhost:3999";
const database = await createPostgresDatabase();
const idp = await startCorporateIdp({ redirectUri: `${PORTAL}/api/auth/callback/oidc`, idTokenClaims: false });
Object.assign(process.env, {
  VAULT_MODE: "production",
  DATABASE_URL: database.url,
  VAULT_MASTER_KEY: `1:${randomBytes(32).toString("base64")}`,
  NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
  NEXTAUTH_URL: PORTAL,
  OIDC_ISSUER: idp.issuer,
  OIDC_CLIENT_ID: idp.clientId,
  OIDC_CLIENT_SECRET: idp.clientSecret,
  LOG_LEVEL: "silent",
});
delete process.env.VAULT_DATA_DIR;

// next-auth's own request handler (what its Next route handler wraps around next/headers), by file: the package exports no subpath for it.
type Handler = (params: { req: Record<string, unknown>; options: object }) => Promise<AuthOut>;
type AuthOut = { status?: number; redirect?: string; body?: unknown; cookies?: Array<{ name: string; value: string; options?: { maxAge?: number } }> };
const { AuthHandler } = (await import(path.resolve("node_modules/next-auth/core/index.js"))) as { AuthHandler: Handler };
const { authOptions } = await import("@/lib/auth/options");
const { personFromRequest } = await import("@/lib/auth/session");
const { getDb } = await import("@/lib/db");
const { log } = await import("@/lib/log");
const { missingClaimSentence, oidcProvider } = await import("./oidc");
const db = await getDb();

afterAll(async () => {
  await idp.close();
  await database.drop();
});

idp.accounts.set("alice-sub", { email: "alice@acme-corp.example", name: "Alice Admin", tenant: "acme-corp", roles: ["vault-admin", "staff"] });
idp.accounts.set("uma-sub", { email: "uma@acme-corp.example", name: "Uma User", tenant: "acme-corp", roles: [] });
idp.accounts.set("nora-sub", { email: "nora@acme-corp.example", name: "Nora No-tenant", roles: ["ops-team-7f3a"] });
idp.accounts.set("rhea-sub", { email: "rhea@acme-corp.example", name: "Rhea No-role", tenant: "acme-corp-9c1e" });

let jar = new Map<string, string>();

async function auth(method: "GET" | "POST", action: string, providerId?: string, query: Record<string, string> = {}, body?: Record<string, string>) {
  const out = await AuthHandler({
    req: {
      method,
      action: action as never,
      providerId,
      query,
      body,
      cookies: Object.fromEntries(jar),
      headers: { host: "localhost:3999" },
      error: query.error,
    },
    options: authOptions(),
  });
  for (const c of out.cookies ?? []) {
    if (c.value === "" || c.options?.maxAge === 0) jar.delete(c.name);
    else jar.set(c.name, c.value);
  }
  return out;
}

/** The whole sign-in as a browser makes it: CSRF token, sign-in POST, the provider's authorize and interaction, the callback. */
async function signIn(sub: string): Promise<{ redirect: string; cookie: string }> {
  jar = new Map();
  idp.signInAs(sub);
  const csrf = await auth("GET", "csrf");
  const start = await auth("POST", "signin", "oidc", {}, { csrfToken: (csrf.body as { csrfToken: string }).csrfToken, callbackUrl: `${PORTAL}/connections` });
  let url = start.redirect!;
  expect(url.startsWith(`${idp.issuer}/`), url).toBe(true);
  const idpJar = new CookieJar();
  for (let hop = 0; hop < 10 && !url.startsWith(`${PORTAL}/`); hop++) {
    const res = await fetch(url, { redirect: "manual", headers: { cookie: idpJar.header() }, signal: AbortSignal.timeout(5_000) });
    idpJar.store(res);
    await res.arrayBuffer();
    expect(res.status, `${url} answered ${res.status}`).toBeGreaterThanOrEqual(300);
    url = new URL(res.headers.get("location")!, url).toString();
  }
  const back = new URL(url);
  expect(back.pathname).toBe("/api/auth/callback/oidc");
  const done = await auth("GET", "callback", "oidc", Object.fromEntries(back.searchParams));
  return { redirect: done.redirect ?? "", cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") };
}

beforeEach(() => vi.restoreAllMocks());

describe("production sign-in with the company's OpenID Connect provider", () => {
  it("reads tenant and role from userinfo when the ID token lacks them, and signs the person in", async () => {
    const { redirect, cookie } = await signIn("alice-sub");
    expect(redirect).toBe(`${PORTAL}/connections`);
    const person = await personFromRequest(new Request(`${PORTAL}/connections`, { headers: { cookie } }));
    expect(person).toMatchObject({ tenantId: "acme-corp", role: "admin", email: "alice@acme-corp.example", name: "Alice Admin" });
    const uma = await signIn("uma-sub");
    expect(uma.redirect).toBe(`${PORTAL}/connections`);
    expect(await personFromRequest(new Request(`${PORTAL}/`, { headers: { cookie: uma.cookie } }))).toMatchObject({ tenantId: "acme-corp", role: "user" });
  });

  it.each([
    ["nora-sub", "tenant", "tenant", "OIDC_TENANT_CLAIM", "ops-team-7f3a"],
    ["rhea-sub", "role", "roles", "OIDC_ROLE_CLAIM", "acme-corp-9c1e"],
  ])(
    "a provider that omits the %s's %s claim: back to the sign-in page naming it, nobody stored, the log names it",
    async (sub, which, claim, setting, value) => {
      const warn = vi.spyOn(log, "warn");
      const before = await db.user.count();
      const { redirect, cookie } = await signIn(sub);
      expect(redirect).toBe(`/signin?error=MissingClaim&claim=${which}`);
      expect(cookie).not.toContain("next-auth.session-token");
      expect(await db.user.count()).toBe(before);
      const sentence = missingClaimSentence(which as "tenant" | "role", { tenantClaim: "tenant", roleClaim: "roles" });
      expect(sentence).toContain(`no "${claim}" claim`);
      expect(sentence).toContain(setting);
      const line = warn.mock.calls.find((c) => JSON.stringify(c).includes(setting));
      expect(line, "the refusal is logged").toBeDefined();
      expect(line![0]).toMatchObject({ missingClaim: claim, setting, claimsReceived: expect.arrayContaining(["email", "sub"]) });
      // Claim names only: the values the provider sent are not in the log line.
      expect(JSON.stringify(line)).not.toContain(value);
      expect(JSON.stringify(line)).not.toContain("@acme-corp.example");
    },
  );

  it("asks userinfo only when the verified ID token lacks a mapped claim", async () => {
    const provider = oidcProvider({ issuer: idp.issuer, clientId: "c", clientSecret: "s", tenantClaim: "tenant", roleClaim: "roles", adminValues: ["admin"] });
    const request = provider.userinfo as { request: (ctx: object) => Promise<Record<string, unknown>> };
    const userinfo = vi.fn(async () => ({ sub: "x", tenant: "from-userinfo", roles: ["admin"] }));
    const tokens = (claims: Record<string, unknown>) => ({ access_token: "at", claims: () => claims });
    const complete = await request.request({ tokens: tokens({ sub: "x", tenant: "acme", roles: [] }), client: { userinfo } });
    expect(complete).toMatchObject({ tenant: "acme" });
    expect(userinfo).not.toHaveBeenCalled();
    const merged = await request.request({ tokens: tokens({ sub: "x", roles: [] }), client: { userinfo } });
    // The ID token's claims win; userinfo fills in what it lacked.
    expect(merged).toMatchObject({ sub: "x", tenant: "from-userinfo", roles: [] });
    expect(userinfo).toHaveBeenCalledOnce();
  });
});
