// POST /api/oauth/register (RFC 7591) through its route handler, on a real demo-mode database: a
// valid registration answers 201 with the client information (a secret only for a secret method,
// shown this once and stored only as a slow hash); each kind of bad input is a 400 with the RFC 7591
// code and a sentence, storing nothing; an address that registers too often gets 429 with
// Retry-After. The MCP TypeScript SDK's own registerClient() registers through it over HTTP.
import { registerClient as sdkRegisterClient } from "@modelcontextprotocol/sdk/client/auth.js";
import { afterAll, beforeEach, describe, expect, it } from "vitest";

import { startConnectWorld, startRouteServer } from "@/lib/testing";

const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const { verifyAgentSecret } = await import("@/lib/agents/credentials");
const { resetRegistrationThrottle, REGISTRATION_LIMITS } = await import("@/lib/oauth-clients/registration-throttle");
const { POST } = await import("./route");
const db = await getDb();

const URL_ = "http://localhost:3999/api/oauth/register";
let address = 0;
let from = "203.0.113.1";

function register(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return POST(
    new Request(URL_, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": from, ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
}

const MCP_CLIENT = {
  client_name: "MCP Inspector",
  redirect_uris: ["http://localhost:6274/oauth/callback"],
  grant_types: ["authorization_code", "refresh_token"],
  response_types: ["code"],
  token_endpoint_auth_method: "none",
};

beforeEach(() => {
  resetRegistrationThrottle();
  from = `198.51.100.${++address}`;
});

afterAll(async () => {
  await world.provider.close();
});

describe("POST /api/oauth/register", () => {
  it("registers a public client: 201 with its client_id and metadata, no secret, stored", async () => {
    const res = await register(MCP_CLIENT);
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      client_id: expect.stringMatching(/^mcp_[A-Za-z0-9_-]{22}$/),
      client_id_issued_at: expect.any(Number),
      redirect_uris: MCP_CLIENT.redirect_uris,
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      client_name: "MCP Inspector",
      application_type: "native",
    });
    expect(Math.abs((body.client_id_issued_at as number) - Date.now() / 1000)).toBeLessThan(60);
    const row = await db.oAuthClient.findUniqueOrThrow({ where: { id: body.client_id as string } });
    expect(row).toMatchObject({ kind: "registered", name: "MCP Inspector", authMethod: "none", secretHash: null, native: true, metadataExpiresAt: null });
  });

  it("gives a client of a secret method its secret once, and keeps only a slow hash of it", async () => {
    const res = await register({ ...MCP_CLIENT, redirect_uris: ["https://app.example.com/cb"], token_endpoint_auth_method: "client_secret_post" });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { client_id: string; client_secret: string; client_secret_expires_at: number };
    expect(body.client_secret).toMatch(/^tvs_[A-Za-z0-9_-]{43}$/);
    expect(body.client_secret_expires_at).toBe(0);
    const row = await db.oAuthClient.findUniqueOrThrow({ where: { id: body.client_id } });
    expect(row.secretHash).toMatch(/^scrypt\$/);
    expect(JSON.stringify(row)).not.toContain(body.client_secret);
    expect(await verifyAgentSecret({ secretHash: row.secretHash, previousSecretHash: null, previousSecretExpiresAt: null }, body.client_secret)).toBe(true);
    // The same metadata again is another client with another secret: nothing hands the first one out again.
    const again = (await (
      await register({ ...MCP_CLIENT, redirect_uris: ["https://app.example.com/cb"], token_endpoint_auth_method: "client_secret_post" })
    ).json()) as {
      client_id: string;
      client_secret: string;
    };
    expect(again.client_id).not.toBe(body.client_id);
    expect(again.client_secret).not.toBe(body.client_secret);
  });

  it("asks for client_secret_basic when no method is named (RFC 7591 §2)", async () => {
    const body = (await (await register({ redirect_uris: ["https://app.example.com/cb"] })).json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      token_endpoint_auth_method: "client_secret_basic",
      client_secret: expect.any(String),
      client_name: "Client at app.example.com",
    });
  });

  it.each([
    ["no redirect_uris", { ...MCP_CLIENT, redirect_uris: undefined }, "invalid_redirect_uri"],
    ["an empty list", { ...MCP_CLIENT, redirect_uris: [] }, "invalid_redirect_uri"],
    ["a fragment", { ...MCP_CLIENT, redirect_uris: ["https://app.example.com/cb#x"] }, "invalid_redirect_uri"],
    ["javascript:", { ...MCP_CLIENT, redirect_uris: ["javascript:alert(document.cookie)"] }, "invalid_redirect_uri"],
    ["data:", { ...MCP_CLIENT, redirect_uris: ["data:text/html,<script>alert(1)</script>"] }, "invalid_redirect_uri"],
    ["plain http elsewhere", { ...MCP_CLIENT, redirect_uris: ["http://app.example.com/cb"] }, "invalid_redirect_uri"],
    ["a relative URI", { ...MCP_CLIENT, redirect_uris: ["/cb"] }, "invalid_redirect_uri"],
    ["a wildcard", { ...MCP_CLIENT, redirect_uris: ["https://*.example.com/cb"] }, "invalid_redirect_uri"],
    ["private_key_jwt", { ...MCP_CLIENT, token_endpoint_auth_method: "private_key_jwt" }, "invalid_client_metadata"],
    ["an unknown method", { ...MCP_CLIENT, token_endpoint_auth_method: "tls_client_auth" }, "invalid_client_metadata"],
    ["client_credentials", { ...MCP_CLIENT, grant_types: ["client_credentials"] }, "invalid_client_metadata"],
    ["an implicit response type", { ...MCP_CLIENT, response_types: ["token"] }, "invalid_client_metadata"],
    ["an http logo", { ...MCP_CLIENT, logo_uri: "http://evil.example/logo.png" }, "invalid_client_metadata"],
    ["a numeric name", { ...MCP_CLIENT, client_name: 42 }, "invalid_client_metadata"],
    ["a JSON array", [MCP_CLIENT], "invalid_client_metadata"],
    ["JSON null", null, "invalid_client_metadata"],
    ["broken JSON", "{ not json", "invalid_client_metadata"],
    ["a huge body", { ...MCP_CLIENT, software_statement: "x".repeat(20_000) }, "invalid_client_metadata"],
  ])("refuses %s with 400 %s and stores nothing", async (_what, body, code) => {
    const before = await db.oAuthClient.count();
    const res = await register(body);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const answer = (await res.json()) as { error: string; error_description: string };
    expect(answer.error).toBe(code);
    expect(answer.error_description).toMatch(/^[A-Za-z_"].*\.$/);
    expect(await db.oAuthClient.count()).toBe(before);
  });

  it("refuses a body that is not JSON by its Content-Type", async () => {
    const res = await register(new URLSearchParams({ redirect_uris: "https://app.example.com/cb" }).toString(), {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe("invalid_client_metadata");
  });

  it("answers 429 with Retry-After once an address registered too often, and only that address", async () => {
    for (let i = 0; i < REGISTRATION_LIMITS.points; i++) expect((await register(MCP_CLIENT)).status, `registration ${i + 1}`).toBe(201);
    const before = await db.oAuthClient.count();
    const throttled = await register(MCP_CLIENT);
    expect(throttled.status).toBe(429);
    const wait = Number(throttled.headers.get("retry-after"));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(REGISTRATION_LIMITS.duration);
    expect(await throttled.json()).toEqual({
      error: "temporarily_unavailable",
      error_description: expect.stringMatching(/^Too many client registrations.*\.$/),
    });
    // Bad input counts too, so the endpoint cannot be probed once throttled.
    expect((await register("{ not json")).status).toBe(429);
    expect(await db.oAuthClient.count()).toBe(before);
    from = "192.0.2.77";
    expect((await register(MCP_CLIENT)).status).toBe(201);
  });

  it("works with the MCP TypeScript SDK's registerClient over HTTP", async () => {
    const server = await startRouteServer({ "/api/oauth/register": { POST } });
    try {
      const info = await sdkRegisterClient(server.url, {
        metadata: {
          issuer: server.url,
          authorization_endpoint: `${server.url}/api/oauth/authorize`,
          token_endpoint: `${server.url}/api/oauth/token`,
          registration_endpoint: `${server.url}/api/oauth/register`,
          response_types_supported: ["code"],
        },
        clientMetadata: { ...MCP_CLIENT, redirect_uris: ["http://127.0.0.1:33418/callback"] },
      });
      expect(info.client_id).toMatch(/^mcp_/);
      expect(info.redirect_uris).toEqual(["http://127.0.0.1:33418/callback"]);
      expect(await db.oAuthClient.findUnique({ where: { id: info.client_id } })).not.toBeNull();
      await expect(
        sdkRegisterClient(server.url, {
          metadata: {
            issuer: server.url,
            authorization_endpoint: `${server.url}/a`,
            token_endpoint: `${server.url}/t`,
            registration_endpoint: `${server.url}/api/oauth/register`,
            response_types_supported: ["code"],
          },
          clientMetadata: { ...MCP_CLIENT, redirect_uris: ["http://evil.example/cb"] },
        }),
      ).rejects.toThrow(/plain http only on this machine/);
    } finally {
      await server.close();
    }
  });
});
