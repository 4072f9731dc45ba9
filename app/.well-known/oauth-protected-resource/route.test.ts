// RFC 9728 metadata of the MCP endpoint: the resource is /api/mcp, the vault is its only
// authorization server, tokens go in the Authorization header, receipts are checked with the JWKS;
// served at /.well-known/oauth-protected-resource and at its path-aware form for /api/mcp.
import { afterAll, describe, expect, it } from "vitest";

import { existsSync } from "node:fs";

import nextConfig from "@/next.config";
import { startConnectWorld } from "@/lib/testing/connect-harness";

const world = await startConnectWorld();
const { GET } = await import("./route");
const ISSUER = "http://localhost:3999";

afterAll(async () => {
  await world.provider.close();
});

describe("protected resource metadata", () => {
  it("names the MCP endpoint, the vault as authorization server, and header bearer tokens", async () => {
    const res = await GET();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(res.headers.get("cache-control")).toMatch(/public, max-age=\d+/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      resource: `${ISSUER}/api/mcp`,
      authorization_servers: [ISSUER],
      bearer_methods_supported: ["header"],
      resource_name: expect.any(String),
      jwks_uri: `${ISSUER}/.well-known/jwks.json`,
      resource_signing_alg_values_supported: ["EdDSA", "ES256"],
      // The one scope an MCP client asks for (the SDK sends scopes_supported as its scope).
      scopes_supported: ["mcp"],
    });
    // Every URL in it is absolute and on the issuer's origin.
    for (const url of [body.resource, ...(body.authorization_servers as string[]), body.jwks_uri]) expect(new URL(url as string).origin).toBe(ISSUER);
  });

  it("is served at /.well-known/ and at the path-aware address of /api/mcp, by the same handler, with no rewrite", async () => {
    expect(existsSync("app/.well-known/oauth-protected-resource/route.ts")).toBe(true);
    const pathAware = await import("./api/mcp/route");
    expect(pathAware.GET).toBe(GET);
    expect(nextConfig.rewrites).toBeUndefined();
  });
});
