// A stock OAuth client (oauth4webapi), not the vault's own code, performs the RFC 8693 exchange over
// real HTTP with private_key_jwt: discovery through /.well-known/oauth-authorization-server, the
// grant at the token endpoint, and the issued token verified with jose against /.well-known/jwks.json.
import * as oauth from "oauth4webapi";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  agentWithCredentials,
  DELEGATION_ID_TYPE,
  insertConnection,
  insertDelegation,
  PORTAL_ORIGIN,
  startConnectWorld,
  startRouteServer,
  TOKEN_EXCHANGE,
  type RouteServer,
  type TestClient,
} from "@/lib/testing";

const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const token = await import("@/app/api/oauth/token/route");
const jwks = await import("@/app/.well-known/jwks.json/route");
const metadata = await import("@/app/.well-known/oauth-authorization-server/route");
// The vault's issuer is its public URL (NEXTAUTH_URL of the harness); here the vault listens on a
// random loopback port, so the client's fetch sends requests for that origin to it instead.
const ISSUER = PORTAL_ORIGIN;

const db = await getDb();
let server: RouteServer;
let client: TestClient;
let delegationId: string;
let revokedId: string;

function toServer(url: string): string {
  if (!url.startsWith(`${ISSUER}/`)) throw new Error(`the client asked for ${url}, outside the vault`);
  return server.url + url.slice(ISSUER.length);
}
const redirectFetch: typeof fetch = (url, init) => fetch(toServer(String(url)), { ...init, signal: init?.signal ?? AbortSignal.timeout(10_000) });
const options = { [oauth.customFetch]: redirectFetch, [oauth.allowInsecureRequests]: true } as const;

beforeAll(async () => {
  server = await startRouteServer({
    "/api/oauth/token": { POST: token.POST },
    "/.well-known/jwks.json": { GET: jwks.GET },
    "/.well-known/oauth-authorization-server": { GET: metadata.GET },
  });
  client = await agentWithCredentials(db, "acme", { alg: "ES256" });
  const connection = await insertConnection(db, world.people.alice, { scopes: ["tasks.read", "tasks.write"] });
  delegationId = (await insertDelegation(db, { agentId: client.agent.id, connection, scopes: ["tasks.read", "tasks.write"] })).id;
  revokedId = (await insertDelegation(db, { agentId: client.agent.id, connection, revokedAt: new Date() })).id;
});

afterAll(async () => {
  await server?.close();
  await world.provider.close();
});

async function discover(): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(ISSUER);
  const response = await oauth.discoveryRequest(issuer, { ...options, algorithm: "oauth2" });
  return oauth.processDiscoveryResponse(issuer, response);
}

async function exchange(as: oauth.AuthorizationServer, subject: string, scope?: string) {
  const oauthClient: oauth.Client = { client_id: client.clientId, token_endpoint_auth_method: "private_key_jwt" };
  const params = new URLSearchParams({ subject_token: subject, subject_token_type: DELEGATION_ID_TYPE, ...(scope ? { scope } : {}) });
  const response = await oauth.genericTokenEndpointRequest(
    as,
    oauthClient,
    oauth.PrivateKeyJwt({ key: client.privateKey, kid: client.kid }),
    TOKEN_EXCHANGE,
    params,
    options,
  );
  return oauth.processGenericTokenEndpointResponse(as, oauthClient, response);
}

describe("oauth4webapi against the vault over HTTP", () => {
  it("discovers the vault, exchanges a delegation id with private_key_jwt, and the token verifies against the remote JWKS", async () => {
    const as = await discover();
    expect(as).toMatchObject({
      issuer: ISSUER,
      token_endpoint: `${ISSUER}/api/oauth/token`,
      jwks_uri: `${ISSUER}/.well-known/jwks.json`,
    });
    expect(as.grant_types_supported).toContain(TOKEN_EXCHANGE);
    expect(as.token_endpoint_auth_methods_supported).toContain("private_key_jwt");

    const result = await exchange(as, delegationId, "tasks.read");
    expect(result).toMatchObject({ token_type: "bearer", scope: "tasks.read", issued_token_type: "urn:ietf:params:oauth:token-type:access_token" });
    expect(result.expires_in).toBeLessThanOrEqual(300);

    const keySet = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`), { timeoutDuration: 5_000 });
    const { payload, protectedHeader } = await jwtVerify(result.access_token, keySet, { issuer: ISSUER, audience: ISSUER, typ: "at+jwt" });
    expect(protectedHeader.alg).toBe("EdDSA");
    expect(payload).toMatchObject({ sub: world.people.alice.arn, act: { sub: client.clientId }, del: delegationId, scope: "tasks.read" });
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(300);
  });

  it("a second exchange works too (a fresh jti each time), and a revoked delegation comes back as invalid_grant", async () => {
    const as = await discover();
    for (let i = 0; i < 3; i++) expect((await exchange(as, delegationId)).scope).toBe("tasks.read tasks.write");
    const refused = await exchange(as, revokedId).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(oauth.ResponseBodyError);
    expect((refused as oauth.ResponseBodyError).error).toBe("invalid_grant");
  });
});
