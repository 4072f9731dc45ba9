// Discovery documents: RFC 8414 metadata naming the token endpoint, JWKS and what the endpoint
// accepts; a JWKS of public keys only, cacheable for minutes; both reachable at their /.well-known
// addresses, where the App Router serves them straight from app/.well-known/ (no rewrite).
import { afterAll, describe, expect, it } from "vitest";

import { existsSync } from "node:fs";

import nextConfig from "@/next.config";
import { startConnectWorld } from "@/lib/testing/connect-harness";

const world = await startConnectWorld();
const jwks = await import("./jwks.json/route");
const metadata = await import("./oauth-authorization-server/route");
const authzen = await import("./authzen-configuration/route");
const ISSUER = "http://localhost:3999";

afterAll(async () => {
  await world.provider.close();
});

describe("well-known documents", () => {
  it("publishes RFC 8414 metadata", async () => {
    const res = await metadata.GET();
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toMatch(/max-age=\d+/);
    expect(await res.json()).toMatchObject({
      issuer: ISSUER,
      token_endpoint: `${ISSUER}/api/oauth/token`,
      jwks_uri: `${ISSUER}/.well-known/jwks.json`,
      authorization_endpoint: `${ISSUER}/api/oauth/authorize`,
      registration_endpoint: `${ISSUER}/api/oauth/register`,
      grant_types_supported: ["urn:ietf:params:oauth:grant-type:token-exchange", "client_credentials", "authorization_code", "refresh_token"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"],
      response_types_supported: ["code"],
      code_challenge_methods_supported: ["S256"],
      scopes_supported: ["mcp"],
      client_id_metadata_document_supported: true,
      token_endpoint_auth_signing_alg_values_supported: ["EdDSA", "ES256", "RS256", "PS256"],
    });
  });

  it("publishes public keys only, cacheable for a few minutes", async () => {
    const res = await jwks.GET();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/jwk-set+json");
    expect(res.headers.get("cache-control")).toMatch(/public, max-age=300/);
    const body = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(body.keys.length).toBeGreaterThanOrEqual(1);
    for (const key of body.keys) {
      expect(key).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig", kid: expect.any(String) });
      for (const privateMember of ["d", "p", "q", "dp", "dq", "qi", "k"]) expect(key).not.toHaveProperty(privateMember);
    }
  });

  it("publishes AuthZEN 1.0 PDP metadata naming evaluation endpoints that exist", async () => {
    const res = await authzen.GET();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("cache-control")).toMatch(/public, max-age=\d+/);
    const body = (await res.json()) as Record<string, string>;
    expect(body).toEqual({
      policy_decision_point: ISSUER,
      access_evaluation_endpoint: `${ISSUER}/access/v1/evaluation`,
      access_evaluations_endpoint: `${ISSUER}/access/v1/evaluations`,
    });
    // Each endpoint is served by the route file at its very path.
    for (const url of [body.access_evaluation_endpoint, body.access_evaluations_endpoint]) {
      expect(new URL(url!).origin).toBe(ISSUER);
      expect(existsSync(`app${new URL(url!).pathname}/route.ts`), url).toBe(true);
    }
  });

  it("are served at /.well-known/ by route files at those very paths, with no rewrite in between", async () => {
    expect(existsSync("app/.well-known/jwks.json/route.ts")).toBe(true);
    expect(existsSync("app/.well-known/oauth-authorization-server/route.ts")).toBe(true);
    expect(existsSync("app/.well-known/authzen-configuration/route.ts")).toBe(true);
    // Rewrites cost every request of the portal a match; none are configured.
    expect(nextConfig.rewrites).toBeUndefined();
  });
});
