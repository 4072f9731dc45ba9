// The token endpoint through its route handler, on PGlite: each client authentication method succeeds
// and the token verifies against the published JWKS with the claims CONTRACT.md fixes; each refusal
// of the client or the request answers the exact RFC 6749 / 8693 error and issues nothing (no
// access_token, no new `token.exchange` success in the audit log). Grant refusals: grant-refusals.test.ts.
import { randomUUID } from "node:crypto";

import { createLocalJWKSet, jwtVerify, SignJWT } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import {
  agentWithCredentials,
  basicHeader,
  clientAssertion,
  exchangeParams,
  insertConnection,
  insertDelegation,
  JWT_BEARER,
  PORTAL_ORIGIN,
  startConnectWorld,
  startRouteServer,
  tokenRequest,
  unsignedAssertion,
  type TestClient,
} from "@/lib/testing";

const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const { POST } = await import("./route");
const { resetAuthThrottle } = await import("@/lib/oauth-server/throttle");
// Each refusal case starts with no failed attempts on record (throttling has its own tests).
beforeEach(() => resetAuthThrottle());
const { GET: jwksGet } = await import("@/app/.well-known/jwks.json/route");
const { alice } = world.people;
const ISSUER = PORTAL_ORIGIN;
const TOKEN_ENDPOINT = `${ISSUER}/api/oauth/token`;

const db = await getDb();
let client: TestClient;
let delegationId: string;

beforeAll(async () => {
  client = await agentWithCredentials(db, "acme");
  const connection = await insertConnection(db, alice, { scopes: ["tasks.read", "tasks.write"] });
  delegationId = (await insertDelegation(db, { agentId: client.agent.id, connection, scopes: ["tasks.read"] })).id;
});

afterAll(async () => {
  await world.provider.close();
});

const successCount = () => db.auditEvent.count({ where: { action: "token.exchange", outcome: "success" } });

async function send(req: Request) {
  const res = await POST(req);
  const body = (await res.json()) as Record<string, unknown>;
  return { res, body };
}

/** The request is refused with `error`, nothing is issued and no success is audited. */
async function expectRefused(req: Request, error: string, status = error === "invalid_client" ? 401 : 400) {
  const before = await successCount();
  const { res, body } = await send(req);
  expect(body.error).toBe(error);
  expect(typeof body.error_description).toBe("string");
  expect(body).not.toHaveProperty("access_token");
  expect(res.status).toBe(status);
  expect(res.headers.get("cache-control")).toBe("no-store");
  expect(res.headers.get("pragma")).toBe("no-cache");
  expect(await successCount()).toBe(before);
  return { res, body };
}

const postAuth = (c: TestClient = client) => ({ client_id: c.clientId, client_secret: c.secret });
const jwtAuth = async (c: TestClient = client, aud: string | string[] = ISSUER, claims: Record<string, unknown> = {}) => ({
  client_assertion_type: JWT_BEARER,
  client_assertion: await clientAssertion(c, aud, claims),
});

async function verifyWithPublishedJwks(token: string) {
  const jwks = await (await jwksGet()).json();
  return jwtVerify(token, createLocalJWKSet(jwks), { issuer: ISSUER, audience: ISSUER, typ: "at+jwt" });
}

describe("token exchange succeeds", () => {
  it.each([
    ["client_secret_post", async () => tokenRequest(ISSUER, exchangeParams(delegationId, postAuth()))],
    ["client_secret_basic", async () => tokenRequest(ISSUER, exchangeParams(delegationId), { authorization: basicHeader(client.clientId, client.secret) })],
    ["private_key_jwt", async () => tokenRequest(ISSUER, exchangeParams(delegationId, await jwtAuth()))],
  ])("with %s, and the token verifies against the JWKS with the contract's claims", async (method, build) => {
    const before = await successCount();
    const { res, body } = await send(await build());
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("pragma")).toBe("no-cache");
    expect(body).toMatchObject({ issued_token_type: "urn:ietf:params:oauth:token-type:access_token", token_type: "Bearer", scope: "tasks.read" });
    expect(body.expires_in).toBeGreaterThan(0);
    expect(body.expires_in).toBeLessThanOrEqual(300);

    const { payload, protectedHeader } = await verifyWithPublishedJwks(body.access_token as string);
    expect(protectedHeader).toMatchObject({ alg: "EdDSA", typ: "at+jwt" });
    expect(typeof protectedHeader.kid).toBe("string");
    expect(payload).toMatchObject({
      iss: ISSUER,
      aud: ISSUER,
      sub: alice.arn,
      act: { sub: client.clientId },
      client_id: client.clientId,
      del: delegationId,
      scope: "tasks.read",
      tid: "acme",
    });
    expect(typeof payload.cnx).toBe("string");
    expect(typeof payload.jti).toBe("string");
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(300);
    expect(await successCount()).toBe(before + 1);
    const event = await db.auditEvent.findFirst({ where: { action: "token.exchange", outcome: "success" }, orderBy: { seq: "desc" } });
    expect(event).toMatchObject({ agentId: client.agent.id, target: delegationId, actorArn: alice.arn });
    expect((event!.details as Record<string, unknown>).clientAuth).toBe(method);
    expect(JSON.stringify(event)).not.toContain(body.access_token as string);
  });

  it("narrows to a requested subset, accepts resource = the issuer, and an assertion whose aud is an array holding the issuer", async () => {
    const connection = await insertConnection(db, alice, { scopes: ["tasks.read", "tasks.write"] });
    const wide = await insertDelegation(db, { agentId: client.agent.id, connection, scopes: ["tasks.read", "tasks.write"] });
    const { res, body } = await send(
      tokenRequest(
        ISSUER,
        exchangeParams(wide.id, { ...(await jwtAuth(client, [ISSUER, "https://elsewhere.example"])), scope: "tasks.write", resource: ISSUER }),
      ),
    );
    expect(res.status).toBe(200);
    expect(body.scope).toBe("tasks.write");
  });

  it("never outlives the delegation", async () => {
    const connection = await insertConnection(db, alice);
    const short = await insertDelegation(db, { agentId: client.agent.id, connection, expiresAt: new Date(Date.now() + 90_000) });
    const { body } = await send(tokenRequest(ISSUER, exchangeParams(short.id, postAuth())));
    const { payload } = await verifyWithPublishedJwks(body.access_token as string);
    expect(payload.exp).toBeLessThanOrEqual(Math.floor(short.expiresAt.getTime() / 1000));
    expect(body.expires_in).toBeLessThanOrEqual(90);
  });

  it("client_credentials gives an agent token: sub = client_id, scope agent, no delegation claims", async () => {
    const { res, body } = await send(tokenRequest(ISSUER, { grant_type: "client_credentials", ...postAuth() }));
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ token_type: "Bearer", scope: "agent" });
    const { payload } = await verifyWithPublishedJwks(body.access_token as string);
    expect(payload).toMatchObject({ sub: client.clientId, client_id: client.clientId, scope: "agent", tid: "acme" });
    expect(payload).not.toHaveProperty("del");
    expect(payload).not.toHaveProperty("cnx");
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(300);
  });
});

describe("client authentication refusals (invalid_client)", () => {
  it("wrong secret, with a Basic challenge when Basic was used", async () => {
    await expectRefused(tokenRequest(ISSUER, exchangeParams(delegationId, { client_id: client.clientId, client_secret: "tvs_wrong" })), "invalid_client");
    const { res } = await expectRefused(
      tokenRequest(ISSUER, exchangeParams(delegationId), { authorization: basicHeader(client.clientId, "tvs_wrong") }),
      "invalid_client",
    );
    expect(res.headers.get("www-authenticate")).toMatch(/^Basic realm=/);
  });

  it("unknown client, with the same sentence as a wrong secret", async () => {
    const unknown = await expectRefused(
      tokenRequest(ISSUER, exchangeParams(delegationId, { client_id: "agt_nobody", client_secret: client.secret })),
      "invalid_client",
    );
    const wrong = await expectRefused(
      tokenRequest(ISSUER, exchangeParams(delegationId, { client_id: client.clientId, client_secret: "tvs_wrong" })),
      "invalid_client",
    );
    expect(unknown.body.error_description).toBe(wrong.body.error_description);
  });

  it("no client authentication at all", async () => {
    await expectRefused(tokenRequest(ISSUER, exchangeParams(delegationId, { client_id: client.clientId })), "invalid_client");
  });

  it("suspended agent, by secret and by assertion", async () => {
    const suspended = await agentWithCredentials(db, "acme", { status: "suspended" });
    const connection = await insertConnection(db, alice);
    const d = await insertDelegation(db, { agentId: suspended.agent.id, connection });
    await expectRefused(tokenRequest(ISSUER, exchangeParams(d.id, postAuth(suspended))), "invalid_client");
    await expectRefused(tokenRequest(ISSUER, exchangeParams(d.id, await jwtAuth(suspended))), "invalid_client");
  });

  it("alg: none assertion", async () => {
    const now = Math.floor(Date.now() / 1000);
    const assertion = unsignedAssertion({ iss: client.clientId, sub: client.clientId, aud: ISSUER, iat: now, exp: now + 60, jti: randomUUID() });
    await expectRefused(
      tokenRequest(ISSUER, exchangeParams(delegationId, { client_assertion_type: JWT_BEARER, client_assertion: assertion })),
      "invalid_client",
    );
  });

  it("HS256 assertion signed with the client secret where a key is registered", async () => {
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({ iss: client.clientId, sub: client.clientId, aud: ISSUER, iat: now, exp: now + 60, jti: randomUUID() })
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode(client.secret));
    await expectRefused(
      tokenRequest(ISSUER, exchangeParams(delegationId, { client_assertion_type: JWT_BEARER, client_assertion: assertion })),
      "invalid_client",
    );
  });

  it("assertion signed by a key the agent did not register", async () => {
    const stranger = await agentWithCredentials(db, "acme");
    const forged = await clientAssertion({ ...stranger, clientId: client.clientId, kid: client.kid }, ISSUER);
    await expectRefused(tokenRequest(ISSUER, exchangeParams(delegationId, { client_assertion_type: JWT_BEARER, client_assertion: forged })), "invalid_client");
  });

  it.each([
    ["wrong aud", "https://another-server.example"],
    ["aud = the token endpoint URL", TOKEN_ENDPOINT],
    ["aud array holding the token endpoint URL", [ISSUER, TOKEN_ENDPOINT]],
  ])("%s", async (_name, aud) => {
    await expectRefused(tokenRequest(ISSUER, exchangeParams(delegationId, await jwtAuth(client, aud))), "invalid_client");
  });

  it.each([
    ["expired exp", { exp: Math.floor(Date.now() / 1000) - 120, iat: Math.floor(Date.now() / 1000) - 180 }],
    ["far-future exp (an hour)", { exp: Math.floor(Date.now() / 1000) + 3600 }],
    ["missing exp", { exp: undefined }],
    ["iat in the future", { iat: Math.floor(Date.now() / 1000) + 600, exp: Math.floor(Date.now() / 1000) + 120 }],
    ["missing jti", { jti: undefined }],
    ["iss differs from sub", { sub: "agt_someone_else" }],
  ])("%s", async (_name, claims) => {
    await expectRefused(tokenRequest(ISSUER, exchangeParams(delegationId, await jwtAuth(client, ISSUER, claims))), "invalid_client");
  });

  it("replayed jti (the first use succeeds, the second is refused)", async () => {
    const auth = await jwtAuth(client);
    const first = await send(tokenRequest(ISSUER, exchangeParams(delegationId, auth)));
    expect(first.res.status).toBe(200);
    await expectRefused(tokenRequest(ISSUER, exchangeParams(delegationId, auth)), "invalid_client");
  });

  it("keeps each jti until its assertion expires, and the purge drops only expired ones", async () => {
    const { purgeExpiredAssertions } = await import("@/lib/oauth-server/client-auth");
    const jti = randomUUID();
    const exp = Math.floor(Date.now() / 1000) + 120;
    expect((await send(tokenRequest(ISSUER, exchangeParams(delegationId, await jwtAuth(client, ISSUER, { jti, exp }))))).res.status).toBe(200);
    const kept = await db.usedAssertion.findUniqueOrThrow({ where: { jti: `${client.clientId}:${jti}` } });
    expect(kept.expiresAt.getTime()).toBeGreaterThanOrEqual(exp * 1000);
    await db.usedAssertion.create({ data: { jti: `${client.clientId}:old`, clientId: client.clientId, expiresAt: new Date(Date.now() - 1000) } });
    expect(await purgeExpiredAssertions()).toBeGreaterThanOrEqual(1);
    expect(await db.usedAssertion.findUnique({ where: { jti: `${client.clientId}:old` } })).toBeNull();
    expect(await db.usedAssertion.findUnique({ where: { jti: `${client.clientId}:${jti}` } })).not.toBeNull();
  });

  it("the same jti from two different agents is not a replay", async () => {
    const other = await agentWithCredentials(db, "acme");
    const connection = await insertConnection(db, alice);
    const d = await insertDelegation(db, { agentId: other.agent.id, connection });
    const jti = randomUUID();
    expect((await send(tokenRequest(ISSUER, exchangeParams(delegationId, await jwtAuth(client, ISSUER, { jti }))))).res.status).toBe(200);
    expect((await send(tokenRequest(ISSUER, exchangeParams(d.id, await jwtAuth(other, ISSUER, { jti }))))).res.status).toBe(200);
  });

  it("private_key_jwt with keys published at the agent's jwks_uri", async () => {
    const published = await agentWithCredentials(db, "acme", { withKey: false });
    const served = { keys: [published.publicJwk] };
    const site = await startRouteServer({ "/jwks.json": { GET: () => Response.json(served) } });
    try {
      await db.agent.update({ where: { id: published.agent.id }, data: { jwksUri: `${site.url}/jwks.json` } });
      const connection = await insertConnection(db, alice);
      const d = await insertDelegation(db, { agentId: published.agent.id, connection });
      expect((await send(tokenRequest(ISSUER, exchangeParams(d.id, await jwtAuth(published))))).res.status).toBe(200);
      expect(site.requests()).toBe(1);
      // A key the agent does not publish is refused.
      const stranger = await agentWithCredentials(db, "acme");
      const forged = await clientAssertion({ ...stranger, clientId: published.clientId, kid: "unpublished" }, ISSUER);
      await expectRefused(tokenRequest(ISSUER, exchangeParams(d.id, { client_assertion_type: JWT_BEARER, client_assertion: forged })), "invalid_client");
    } finally {
      await site.close();
    }
  });

  it("an agent without a registered key cannot use private_key_jwt", async () => {
    const secretOnly = await agentWithCredentials(db, "acme", { withKey: false });
    await expectRefused(tokenRequest(ISSUER, exchangeParams(delegationId, await jwtAuth(secretOnly))), "invalid_client");
  });
});

describe("request refusals", () => {
  it("two authentication methods at once (invalid_request)", async () => {
    await expectRefused(
      tokenRequest(ISSUER, exchangeParams(delegationId, postAuth()), { authorization: basicHeader(client.clientId, client.secret) }),
      "invalid_request",
    );
    await expectRefused(tokenRequest(ISSUER, exchangeParams(delegationId, { ...postAuth(), ...(await jwtAuth()) })), "invalid_request");
  });

  it("unsupported grant type (unsupported_grant_type)", async () => {
    await expectRefused(tokenRequest(ISSUER, { grant_type: "password", username: "alice", password: "x", ...postAuth() }), "unsupported_grant_type");
    await expectRefused(
      tokenRequest(ISSUER, { grant_type: "urn:ietf:params:oauth:grant-type:device_code", device_code: "abc", ...postAuth() }),
      "unsupported_grant_type",
    );
  });

  it("wrong subject_token_type (invalid_request)", async () => {
    await expectRefused(
      tokenRequest(ISSUER, exchangeParams(delegationId, { ...postAuth(), subject_token_type: "urn:ietf:params:oauth:token-type:access_token" })),
      "invalid_request",
    );
    const { subject_token_type: _, ...withoutType } = exchangeParams(delegationId, postAuth());
    await expectRefused(tokenRequest(ISSUER, withoutType), "invalid_request");
  });

  it("a JSON body, a missing grant_type, a repeated parameter, an unknown requested_token_type (invalid_request)", async () => {
    await expectRefused(
      tokenRequest(ISSUER, {}, { contentType: "application/json", body: JSON.stringify(exchangeParams(delegationId, postAuth())) }),
      "invalid_request",
    );
    await expectRefused(tokenRequest(ISSUER, { ...postAuth() }), "invalid_request");
    await expectRefused(
      tokenRequest(ISSUER, [...Object.entries(exchangeParams(delegationId, postAuth())), ["scope", "tasks.read"], ["scope", "tasks.write"]]),
      "invalid_request",
    );
    await expectRefused(
      tokenRequest(ISSUER, exchangeParams(delegationId, { ...postAuth(), requested_token_type: "urn:ietf:params:oauth:token-type:refresh_token" })),
      "invalid_request",
    );
  });

  it("a resource or audience other than the vault (invalid_target)", async () => {
    await expectRefused(tokenRequest(ISSUER, exchangeParams(delegationId, { ...postAuth(), resource: "https://api.github.com" })), "invalid_target");
    await expectRefused(tokenRequest(ISSUER, exchangeParams(delegationId, { ...postAuth(), audience: "other-service" })), "invalid_target");
  });

  it("garbage bodies are 4xx, never 500", async () => {
    for (const body of ["%%%", "a=%ZZ&b", "\u0000\u0001", "grant_type"]) {
      const res = await POST(tokenRequest(ISSUER, {}, { body }));
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    const res = await POST(
      tokenRequest(ISSUER, {}, { authorization: "Basic !!!notbase64", body: new URLSearchParams(exchangeParams(delegationId)).toString() }),
    );
    expect(res.status).toBeLessThan(500);
    const huge = await POST(tokenRequest(ISSUER, exchangeParams("x".repeat(5000), postAuth())));
    expect(huge.status).toBe(400);
  });
});
