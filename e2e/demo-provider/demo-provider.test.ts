import * as oauth from "oauth4webapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoProvider, type DemoProvider } from "./server.js";
import { authorizationUrl, completeAuthorization, formAction, newBrowser, REQUEST_TIMEOUT_MS, type AuthorizeParams, type FlowOptions } from "./test-client.js";

const REDIRECT_URI = "http://127.0.0.1:9/callback";
const CLIENT = { clientId: "vault-e2e", clientSecret: "e2e-secret-0123456789", redirectUris: [REDIRECT_URI] };
const client: oauth.Client = { client_id: CLIENT.clientId };
const basicAuth = oauth.ClientSecretBasic(CLIENT.clientSecret);
const BOTH = "tasks.read tasks.write";

let dp: DemoProvider;
let as: oauth.AuthorizationServer;

/** Fresh per call: a timeout signal starts counting when it is created. */
const reqOpts = () => ({ [oauth.allowInsecureRequests]: true, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });

beforeAll(async () => {
  dp = await startDemoProvider({ clients: [CLIENT], testControls: true });
  const issuer = new URL(dp.issuer);
  // algorithm "oauth2" reads /.well-known/oauth-authorization-server (RFC 8414).
  const res = await oauth.discoveryRequest(issuer, { algorithm: "oauth2", ...reqOpts() });
  as = await oauth.processDiscoveryResponse(issuer, res);
});

afterAll(async () => {
  await dp?.close();
});

async function startAuth(scope: string, overrides: AuthorizeParams = {}) {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = authorizationUrl(as, {
    response_type: "code",
    client_id: CLIENT.clientId,
    redirect_uri: REDIRECT_URI,
    scope,
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    ...overrides,
  });
  return { url, verifier, state };
}

async function codeGrant(params: URLSearchParams, verifier: string, auth = basicAuth) {
  const res = await oauth.authorizationCodeGrantRequest(as, client, auth, params, REDIRECT_URI, verifier, reqOpts());
  return oauth.processAuthorizationCodeResponse(as, client, res);
}

/** Full browser-less code flow: authorization request, login, consent, callback, token request. */
async function connect(scope = BOTH, flow: FlowOptions = {}) {
  const auth = await startAuth(scope);
  const callback = await completeAuthorization(newBrowser(), dp.issuer, auth.url, flow);
  const params = oauth.validateAuthResponse(as, client, callback, auth.state);
  const tokens = await codeGrant(params, auth.verifier);
  return { tokens, callback };
}

async function refresh(refreshToken: string) {
  const res = await oauth.refreshTokenGrantRequest(as, client, basicAuth, refreshToken, reqOpts());
  return oauth.processRefreshTokenResponse(as, client, res);
}

function api(path: string, token: string, init: { method?: string; json?: unknown } = {}) {
  return fetch(new URL(path, dp.issuer), {
    method: init.method ?? "GET",
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.json === undefined ? {} : { "content-type": "application/json" }),
    },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
}

function testControl(path: string, body?: unknown) {
  return fetch(new URL(`/__test/${path}`, dp.issuer), {
    method: body === undefined && path === "stats" ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
}

describe("demo provider: metadata and pages", () => {
  it("serves the same metadata at both well-known paths, S256-only PKCE and RFC 9207 iss", async () => {
    const oidc = await (await fetch(`${dp.issuer}/.well-known/openid-configuration`)).json();
    const rfc8414 = await (await fetch(`${dp.issuer}/.well-known/oauth-authorization-server`)).json();
    expect(rfc8414).toEqual(oidc);
    expect(as.issuer).toBe(dp.issuer);
    expect(as.code_challenge_methods_supported).toEqual(["S256"]);
    expect(as.authorization_response_iss_parameter_supported).toBe(true);
    expect(as.response_types_supported).toEqual(["code"]);
    expect(as.scopes_supported).toEqual(expect.arrayContaining(["tasks.read", "tasks.write"]));
    expect(as.revocation_endpoint).toBe(`${dp.issuer}/token/revocation`);
  });

  it("renders accessible login and consent pages; a wrong password shows the form again", async () => {
    const browser = newBrowser();
    const auth = await startAuth(BOTH);
    const login = await browser.follow(auth.url, dp.issuer);
    const loginHtml = await login.res.text();
    expect(login.res.status).toBe(200);
    expect(loginHtml).toContain("<title>Demo Tasks - Sign in</title>");
    for (const name of ["alice", "bob", "carol"]) expect(loginHtml).toContain(`<option value="${name}"`);
    expect(loginHtml).toContain('<label for="password">Password</label>');
    expect(loginHtml).toContain('<button type="submit">Sign in</button>');

    const action = formAction(loginHtml, login.url);
    const wrong = await browser.request(action, { form: { username: "bob", password: "nope" } });
    expect(wrong.status).toBe(200);
    const wrongHtml = await wrong.text();
    expect(wrongHtml).toContain("Wrong account or password");
    expect(wrongHtml).toContain('<option value="bob" selected>');

    const ok = await browser.request(action, { form: { username: "bob", password: "demo" } });
    expect(ok.status).toBe(303);
    const consent = await browser.follow(new URL(ok.headers.get("location") ?? "", action), dp.issuer);
    const consentHtml = await consent.res.text();
    expect(consentHtml).toContain("<title>Demo Tasks - Allow access</title>");
    expect(consentHtml).toContain("<li>Read your tasks</li>");
    expect(consentHtml).toContain("<li>Create and delete your tasks</li>");
    expect(consentHtml).toMatch(/<button[^>]*value="allow">Allow<\/button>/);
    expect(consentHtml).toMatch(/<button[^>]*value="deny">Deny<\/button>/);
  });
});

describe("demo provider: authorization code flow and tasks API", () => {
  it("issues tokens via PKCE S256 with iss in the callback, and the tasks API works with them", async () => {
    const before = dp.stats();
    const { tokens, callback } = await connect(BOTH, { username: "carol" });
    expect(callback.searchParams.get("iss")).toBe(dp.issuer);
    expect(tokens.token_type.toLowerCase()).toBe("bearer");
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(tokens.scope?.split(" ").sort()).toEqual(["tasks.read", "tasks.write"]);
    expect(tokens.expires_in).toBe(300);
    expect(dp.stats().authorizationCodeGrants).toBe(before.authorizationCodeGrants + 1);

    const at = tokens.access_token;
    expect(await (await api("/me", at)).json()).toEqual({ sub: "carol", name: "Carol", email: "carol@demo-tasks.test" });
    const listed = (await (await api("/tasks", at)).json()) as { tasks: Array<{ id: string }> };
    expect(listed.tasks).toHaveLength(2);

    const created = await api("/tasks", at, { method: "POST", json: { title: "Write e2e tests" } });
    expect(created.status).toBe(201);
    const task = (await created.json()) as { id: string; title: string; done: boolean; createdAt: string };
    expect(task).toMatchObject({ title: "Write e2e tests", done: false });
    expect(Number.isNaN(Date.parse(task.createdAt))).toBe(false);
    expect((await api("/tasks", at, { method: "POST", json: { title: "" } })).status).toBe(400);
    expect((await api("/tasks", at, { method: "POST", json: { title: "x".repeat(201) } })).status).toBe(400);

    expect((await api(`/tasks/${task.id}`, at, { method: "DELETE" })).status).toBe(204);
    expect((await api(`/tasks/${task.id}`, at, { method: "DELETE" })).status).toBe(404);
  });

  it("enforces scopes: a tasks.read-only token gets 403 insufficient_scope on writes", async () => {
    const { tokens } = await connect("tasks.read", { username: "alice" });
    expect(tokens.scope).toBe("tasks.read");
    expect((await api("/tasks", tokens.access_token)).status).toBe(200);
    const res = await api("/tasks", tokens.access_token, { method: "POST", json: { title: "nope" } });
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
    expect(await res.json()).toMatchObject({ error: "insufficient_scope" });
  });

  it("rejects garbage and missing tokens with 401 invalid_token", async () => {
    const res = await api("/tasks", "not-a-real-token");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect(await res.json()).toMatchObject({ error: "invalid_token", error_description: expect.any(String) });
    const missing = await fetch(`${dp.issuer}/me`);
    expect(missing.status).toBe(401);
  });

  it("supports openid alongside the task scopes, and client_secret_post", async () => {
    const auth = await startAuth(`openid ${BOTH}`);
    const callback = await completeAuthorization(newBrowser(), dp.issuer, auth.url);
    const params = oauth.validateAuthResponse(as, client, callback, auth.state);
    const tokens = await codeGrant(params, auth.verifier, oauth.ClientSecretPost(CLIENT.clientSecret));
    expect(oauth.getValidatedIdTokenClaims(tokens)?.sub).toBe("alice");
    expect(tokens.refresh_token).toEqual(expect.any(String));
  });

  it("rotates refresh tokens; reusing a consumed one is invalid_grant", async () => {
    const { tokens } = await connect();
    const before = dp.stats();
    const rotated = await refresh(tokens.refresh_token ?? "");
    expect(rotated.refresh_token).toEqual(expect.any(String));
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
    expect((await api("/tasks", rotated.access_token)).status).toBe(200);
    expect(dp.stats().refreshGrants).toBe(before.refreshGrants + 1);
    expect(await (await testControl("stats")).json()).toEqual(dp.stats());

    await expect(refresh(tokens.refresh_token ?? "")).rejects.toMatchObject({ error: "invalid_grant" });
  });

  it("revokes access tokens (RFC 7009): the tasks API then answers 401", async () => {
    const { tokens } = await connect();
    const before = dp.stats();
    const res = await oauth.revocationRequest(as, client, basicAuth, tokens.access_token, reqOpts());
    await oauth.processRevocationResponse(res);
    expect((await api("/tasks", tokens.access_token)).status).toBe(401);
    expect(dp.stats().revocations).toBe(before.revocations + 1);
    // oidc-provider revokes every token of the grant, so the refresh token dies with it.
    await expect(refresh(tokens.refresh_token ?? "")).rejects.toMatchObject({ error: "invalid_grant" });
  });
});

describe("demo provider: a lost refresh answer (refresh-token grace)", () => {
  beforeAll(() => dp.setRefreshTokenGrace(120));
  afterAll(() => dp.setRefreshTokenGrace(0));

  it("a rotated refresh token whose new tokens were never used is answered again; the lost answer stops working", async () => {
    const { tokens } = await connect();
    const previous = tokens.refresh_token ?? "";
    const before = dp.stats();
    const lost = await refresh(previous);
    const again = await refresh(previous);
    expect(again.refresh_token).not.toBe(lost.refresh_token);
    expect(dp.refreshGrantsOf(previous)).toBe(2);
    expect(dp.stats()).toMatchObject({
      refreshGrants: before.refreshGrants + 2,
      refreshReplays: before.refreshReplays + 1,
      refreshReuses: before.refreshReuses,
    });
    // The answer that never arrived is dropped: neither of its tokens opens anything.
    expect((await api("/tasks", lost.access_token)).status).toBe(401);
    await expect(refresh(lost.refresh_token ?? "")).rejects.toMatchObject({ error: "invalid_grant" });
    expect((await api("/tasks", again.access_token)).status).toBe(200);
    // Its new tokens were used: presenting the old refresh token now is reuse, and the grant dies.
    await expect(refresh(previous)).rejects.toMatchObject({ error: "invalid_grant" });
    expect(dp.stats().refreshReuses).toBe(before.refreshReuses + 1);
    expect((await api("/tasks", again.access_token)).status).toBe(401);
    await expect(refresh(again.refresh_token ?? "")).rejects.toMatchObject({ error: "invalid_grant" });
    expect(dp.refreshGrantsOf(previous)).toBe(2);
  });

  it("once the new refresh token was redeemed, the old one is reuse", async () => {
    const { tokens } = await connect();
    const first = await refresh(tokens.refresh_token ?? "");
    const second = await refresh(first.refresh_token ?? "");
    await expect(refresh(tokens.refresh_token ?? "")).rejects.toMatchObject({ error: "invalid_grant" });
    expect((await api("/tasks", second.access_token)).status).toBe(401);
    expect(dp.refreshGrantsOf(tokens.refresh_token ?? "")).toBe(1);
  });

  it("with no grace, a rotated refresh token presented again is refused and its grant revoked at once", async () => {
    dp.setRefreshTokenGrace(0);
    try {
      const { tokens } = await connect();
      const rotated = await refresh(tokens.refresh_token ?? "");
      await expect(refresh(tokens.refresh_token ?? "")).rejects.toMatchObject({ error: "invalid_grant" });
      await expect(refresh(rotated.refresh_token ?? "")).rejects.toMatchObject({ error: "invalid_grant" });
      expect(dp.refreshGrantsOf(tokens.refresh_token ?? "")).toBe(1);
    } finally {
      dp.setRefreshTokenGrace(120);
    }
  });

  it("the grace is set through the test controls, within bounds", async () => {
    const set = await testControl("refresh-token-grace", { seconds: 30 });
    expect(await set.json()).toEqual({ refreshTokenGraceSeconds: 30 });
    expect((await testControl("refresh-token-grace", { seconds: -1 })).status).toBe(400);
  });
});

describe("demo provider: refused requests", () => {
  async function authorizeExpectingError(overrides: AuthorizeParams) {
    const auth = await startAuth(BOTH, overrides);
    const { url } = await newBrowser().follow(auth.url, dp.issuer);
    expect(url.origin + url.pathname).toBe(REDIRECT_URI);
    expect(url.searchParams.get("iss")).toBe(dp.issuer);
    return url.searchParams;
  }

  it("refuses PKCE plain and a missing code_challenge", async () => {
    const plain = await authorizeExpectingError({ code_challenge: "a".repeat(43), code_challenge_method: "plain" });
    expect(plain.get("error")).toBe("invalid_request");
    const missing = await authorizeExpectingError({ code_challenge: undefined, code_challenge_method: undefined });
    expect(missing.get("error")).toBe("invalid_request");
    expect(missing.get("error_description")).toMatch(/PKCE/);
  });

  it("fails the token request with invalid_grant when the code_verifier is wrong", async () => {
    const auth = await startAuth(BOTH);
    const callback = await completeAuthorization(newBrowser(), dp.issuer, auth.url);
    const params = oauth.validateAuthResponse(as, client, callback, auth.state);
    await expect(codeGrant(params, oauth.generateRandomCodeVerifier())).rejects.toMatchObject({ error: "invalid_grant" });
  });

  it("sends error=access_denied to the client when the user clicks Deny", async () => {
    const auth = await startAuth(BOTH);
    const callback = await completeAuthorization(newBrowser(), dp.issuer, auth.url, { decision: "deny" });
    expect(callback.searchParams.get("error")).toBe("access_denied");
    expect(callback.searchParams.get("state")).toBe(auth.state);
    expect(callback.searchParams.get("iss")).toBe(dp.issuer);
  });

  it("refuses an unregistered redirect_uri without redirecting", async () => {
    const auth = await startAuth(BOTH, { redirect_uri: "http://127.0.0.1:9/callback/evil" });
    const res = await newBrowser().request(auth.url);
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
    expect(await res.text()).toContain("redirect_uri");
  });
});

describe("demo provider: test controls", () => {
  it("fail-token-endpoint makes the next token request answer 500, then recovers", async () => {
    const auth = await startAuth(BOTH);
    const callback = await completeAuthorization(newBrowser(), dp.issuer, auth.url);
    const params = oauth.validateAuthResponse(as, client, callback, auth.state);
    const before = dp.stats();
    expect((await testControl("fail-token-endpoint", { count: 1 })).status).toBe(200);

    const failed = await oauth.authorizationCodeGrantRequest(as, client, basicAuth, params, REDIRECT_URI, auth.verifier, reqOpts());
    expect(failed.status).toBe(500);
    await failed.arrayBuffer();
    // The injected failure never reached oidc-provider, so the code is still unused.
    const tokens = await codeGrant(params, auth.verifier);
    expect(tokens.access_token).toEqual(expect.any(String));
    expect(dp.stats().tokenRequests).toBe(before.tokenRequests + 2);
  });

  it("expire-access-tokens makes existing tokens 401 while new ones work", async () => {
    const { tokens } = await connect();
    expect((await testControl("expire-access-tokens")).status).toBe(200);
    expect((await api("/tasks", tokens.access_token)).status).toBe(401);
    const fresh = await refresh(tokens.refresh_token ?? "");
    expect((await api("/tasks", fresh.access_token)).status).toBe(200);
  });

  it("issued-tokens lists every access and refresh token handed out, rotated and revoked ones included", async () => {
    const { tokens } = await connect();
    const rotated = await refresh(tokens.refresh_token ?? "");
    const revoke = await oauth.revocationRequest(as, client, basicAuth, rotated.access_token, reqOpts());
    expect(revoke.status).toBe(200);
    const res = await fetch(`${dp.issuer}/__test/issued-tokens`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    expect(res.status).toBe(200);
    const issued = (await res.json()) as { accessTokens: string[]; refreshTokens: string[]; tokenResponses: number };
    expect(issued.accessTokens).toEqual(expect.arrayContaining([tokens.access_token, rotated.access_token]));
    expect(issued.refreshTokens).toEqual(expect.arrayContaining([tokens.refresh_token, rotated.refresh_token]));
    expect(issued.tokenResponses).toBeGreaterThanOrEqual(2);
  });

  it("answers 404 on /__test/* when test controls are off", async () => {
    const plain = await startDemoProvider({ clients: [CLIENT] });
    try {
      const res = await fetch(`${plain.issuer}/__test/stats`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      expect(res.status).toBe(404);
      const tokens = await fetch(`${plain.issuer}/__test/issued-tokens`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      expect(tokens.status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
