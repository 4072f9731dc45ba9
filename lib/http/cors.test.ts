// CORS for browser-based MCP clients, on the real route handlers: the discovery documents answer any
// origin; /api/mcp, the token endpoint and client registration grant only the origins in VAULT_MCP_ALLOWED_ORIGINS (`*`
// for any), on the preflight and on the actual answer, refusals included; never with credentials.
import { afterEach, describe, expect, it } from "vitest";

import {
  agentWithCredentials,
  bearer,
  delegationToken,
  DEMO_TASKS_CEILING,
  insertConnection,
  insertDelegation,
  PORTAL_ORIGIN,
  startConnectWorld,
} from "@/lib/testing";

const INSPECTOR = "http://localhost:6274";
const CLAUDE = "https://claude.ai";
process.env.VAULT_MCP_ALLOWED_ORIGINS = `${INSPECTOR}, ${CLAUDE}`;
const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const { resetEnvCache } = await import("@/lib/env");
const { allowedOrigin, CORS_ALLOW_HEADERS } = await import("./cors");
const mcp = await import("@/app/api/mcp/route");
const token = await import("@/app/api/oauth/token/route");
const register = await import("@/app/api/oauth/register/route");
const wellKnown = {
  "/.well-known/oauth-authorization-server": await import("@/app/.well-known/oauth-authorization-server/route"),
  "/.well-known/oauth-protected-resource": await import("@/app/.well-known/oauth-protected-resource/route"),
  "/.well-known/oauth-protected-resource/api/mcp": await import("@/app/.well-known/oauth-protected-resource/api/mcp/route"),
  "/.well-known/jwks.json": await import("@/app/.well-known/jwks.json/route"),
  "/.well-known/authzen-configuration": await import("@/app/.well-known/authzen-configuration/route"),
};

const db = await getDb();
const agent = await agentWithCredentials(db, "acme", { ceiling: DEMO_TASKS_CEILING });
const connection = await insertConnection(db, world.people.alice);
const delegation = await insertDelegation(db, { agentId: agent.agent.id, connection, scopes: ["tasks.read"], tools: ["demo-tasks.list_tasks"] });
const access = await delegationToken(agent, delegation.id);

const TOOLS_LIST = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} });
const MCP_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18" };

function mcpPost(headers: Record<string, string>): Promise<Response> {
  return mcp.POST(new Request(`${PORTAL_ORIGIN}/api/mcp`, { method: "POST", headers: { ...MCP_HEADERS, ...headers }, body: TOOLS_LIST }));
}
function preflight(handler: (req: Request) => Promise<Response>, path: string, origin: string, method = "POST"): Promise<Response> {
  return handler(
    new Request(`${PORTAL_ORIGIN}${path}`, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": method, "access-control-request-headers": "authorization, content-type, mcp-protocol-version" },
    }),
  );
}
function expectGranted(res: Response, origin: string) {
  expect(res.headers.get("access-control-allow-origin")).toBe(origin);
  expect(res.headers.get("vary")).toMatch(/\bOrigin\b/);
  expect(res.headers.get("access-control-allow-credentials")).toBeNull();
}
function expectNotGranted(res: Response) {
  expect(res.headers.get("access-control-allow-origin")).toBeNull();
  expect(res.headers.get("access-control-allow-credentials")).toBeNull();
  expect(res.headers.get("vary")).toMatch(/\bOrigin\b/);
}

afterEach(() => {
  process.env.VAULT_MCP_ALLOWED_ORIGINS = `${INSPECTOR}, ${CLAUDE}`;
  resetEnvCache();
});

describe("CORS of /api/mcp", () => {
  it("answers an allowed origin's preflight with the methods, the MCP headers and its origin", async () => {
    const res = await preflight(mcp.OPTIONS, "/api/mcp", INSPECTOR);
    expect(res.status).toBe(204);
    expectGranted(res, INSPECTOR);
    expect(res.headers.get("access-control-allow-headers")).toBe("authorization, content-type, mcp-protocol-version, mcp-session-id, last-event-id");
    expect(res.headers.get("access-control-allow-methods")).toMatch(/POST/);
    expect(res.headers.get("access-control-max-age")).toMatch(/^\d+$/);
  });

  it("grants nothing on the preflight of an origin that is not listed", async () => {
    for (const origin of ["https://evil.example", "https://claude.ai.evil.example", "http://claude.ai", "null"]) {
      const res = await preflight(mcp.OPTIONS, "/api/mcp", origin);
      expect(res.status, origin).toBe(204);
      expectNotGranted(res);
      expect(res.headers.get("access-control-allow-headers")).toBeNull();
    }
  });

  it("lets an allowed origin call, and read the answer's session and challenge headers", async () => {
    const ok = await mcpPost({ origin: CLAUDE, ...bearer(access) });
    expect(ok.status).toBe(200);
    expectGranted(ok, CLAUDE);
    expect(ok.headers.get("access-control-expose-headers")).toBe("mcp-session-id, www-authenticate");
    // Without a token, a browser-based client must be able to read the 401 and its challenge.
    const refused = await mcpPost({ origin: CLAUDE });
    expect(refused.status).toBe(401);
    expectGranted(refused, CLAUDE);
    expect(refused.headers.get("www-authenticate")).toContain("resource_metadata=");
    const stream = await mcp.GET(new Request(`${PORTAL_ORIGIN}/api/mcp`, { headers: { origin: INSPECTOR } }));
    expect(stream.status).toBe(405);
    expectGranted(stream, INSPECTOR);
  });

  it("refuses a call from an origin that is not listed, and grants it nothing", async () => {
    const res = await mcpPost({ origin: "https://evil.example", ...bearer(access) });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: "origin_mismatch" });
    expectNotGranted(res);
  });

  it("with *, grants any real origin (not the opaque null one)", async () => {
    process.env.VAULT_MCP_ALLOWED_ORIGINS = "*";
    resetEnvCache();
    const origin = "https://any-client.example";
    expectGranted(await preflight(mcp.OPTIONS, "/api/mcp", origin), origin);
    const res = await mcpPost({ origin, ...bearer(access) });
    expect(res.status).toBe(200);
    expectGranted(res, origin);
    expectNotGranted(await preflight(mcp.OPTIONS, "/api/mcp", "null"));
  });

  it("by default grants no origin, and answers agents outside a browser as before", async () => {
    delete process.env.VAULT_MCP_ALLOWED_ORIGINS;
    resetEnvCache();
    expectNotGranted(await preflight(mcp.OPTIONS, "/api/mcp", INSPECTOR));
    expect((await mcpPost({ origin: INSPECTOR, ...bearer(access) })).status).toBe(403);
    const agentCall = await mcpPost(bearer(access));
    expect(agentCall.status).toBe(200);
    expect(agentCall.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("CORS of the token endpoint", () => {
  it("answers the preflight and the answer of an allowed origin only", async () => {
    const res = await preflight(token.OPTIONS, "/api/oauth/token", INSPECTOR);
    expect(res.status).toBe(204);
    expectGranted(res, INSPECTOR);
    expect(res.headers.get("access-control-allow-headers")).toBe(CORS_ALLOW_HEADERS);
    expectNotGranted(await preflight(token.OPTIONS, "/api/oauth/token", "https://evil.example"));

    const form = (origin: string) =>
      token.POST(
        new Request(`${PORTAL_ORIGIN}/api/oauth/token`, {
          method: "POST",
          headers: { origin, "content-type": "application/x-www-form-urlencoded" },
          body: "grant_type=client_credentials",
        }),
      );
    const allowed = await form(INSPECTOR);
    expect(allowed.status).toBeGreaterThanOrEqual(400);
    expect(await allowed.json()).toHaveProperty("error");
    expectGranted(allowed, INSPECTOR);
    expectNotGranted(await form("https://evil.example"));
  });
});

describe("CORS of client registration", () => {
  it("answers the preflight and the answer (a registration or its refusal) of an allowed origin only", async () => {
    const pre = await preflight(register.OPTIONS, "/api/oauth/register", CLAUDE);
    expect(pre.status).toBe(204);
    expectGranted(pre, CLAUDE);
    expect(pre.headers.get("access-control-allow-methods")).toBe("POST, OPTIONS");
    expectNotGranted(await preflight(register.OPTIONS, "/api/oauth/register", "https://evil.example"));

    const post = (origin: string, body: object) =>
      register.POST(
        new Request(`${PORTAL_ORIGIN}/api/oauth/register`, {
          method: "POST",
          headers: { origin, "content-type": "application/json", "x-forwarded-for": "192.0.2.77" },
          body: JSON.stringify(body),
        }),
      );
    const metadata = { client_name: "Browser client", redirect_uris: [`${CLAUDE}/api/mcp/auth_callback`], token_endpoint_auth_method: "none" };
    const created = await post(CLAUDE, metadata);
    expect(created.status).toBe(201);
    expectGranted(created, CLAUDE);
    const refused = await post(CLAUDE, { ...metadata, redirect_uris: ["ftp://x"] });
    expect(refused.status).toBe(400);
    expectGranted(refused, CLAUDE);
    const elsewhere = await post("https://evil.example", metadata);
    expectNotGranted(elsewhere);
  });
});

describe("CORS of the discovery documents", () => {
  it.each(Object.entries(wellKnown))("%s answers any origin, without credentials", async (path, route) => {
    const res = await route.GET();
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
    const pre = await route.OPTIONS();
    expect(pre.status, path).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe("*");
    expect(pre.headers.get("access-control-allow-headers")).toContain("mcp-protocol-version");
  });
});

describe("allowedOrigin", () => {
  it("matches exact origins only", () => {
    const list = [CLAUDE];
    expect(allowedOrigin(CLAUDE, list)).toBe(CLAUDE);
    for (const o of [`${CLAUDE}/`, "https://CLAUDE.ai", "https://claude.ai:443x", "https://sub.claude.ai", null, ""]) expect(allowedOrigin(o, list)).toBeNull();
    expect(allowedOrigin("https://x.example", ["*"])).toBe("https://x.example");
    expect(allowedOrigin("null", ["*"])).toBeNull();
    expect(allowedOrigin(CLAUDE, [])).toBeNull();
  });
});
