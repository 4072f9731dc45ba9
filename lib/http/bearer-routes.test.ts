// Every route that takes a bearer token answers a missing or refused one with 401, problem+json and
// an RFC 6750 challenge: `Bearer realm=...` with no error when no token came, `error="invalid_token"`
// and a description when a bad one did; /api/mcp adds its RFC 9728 `resource_metadata`. The list
// below is checked against the route files, so a new bearer route cannot ship without its challenge.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { PORTAL_ORIGIN, startConnectWorld } from "@/lib/testing";

const world = await startConnectWorld();

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type BearerRoute = { file: string; method: string; path: string; handler: Handler; params?: Record<string, string>; body?: string };

const route = async (file: string, module: Promise<object>, method: string, urlPath: string, extra: Partial<BearerRoute> = {}): Promise<BearerRoute> => ({
  file,
  method,
  path: urlPath,
  handler: ((await module) as Record<string, Handler>)[method]!,
  ...extra,
});
const JSON_RPC = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} });
const EVALUATION = JSON.stringify({ subject: { type: "agent", id: "a" }, action: { name: "exchange" }, resource: { type: "delegation", id: "d" } });

const BEARER_ROUTES: BearerRoute[] = [
  await route("app/api/v1/delegation/route.ts", import("@/app/api/v1/delegation/route"), "GET", "/api/v1/delegation"),
  await route("app/api/v1/delegations/route.ts", import("@/app/api/v1/delegations/route"), "GET", "/api/v1/delegations"),
  await route("app/api/v1/tools/route.ts", import("@/app/api/v1/tools/route"), "GET", "/api/v1/tools"),
  await route("app/api/v1/tools/[name]/route.ts", import("@/app/api/v1/tools/[name]/route"), "POST", "/api/v1/tools/demo_tasks__list_tasks", {
    params: { name: "demo_tasks__list_tasks" },
    body: '{"input":{}}',
  }),
  await route("app/api/v1/proxy/route.ts", import("@/app/api/v1/proxy/route"), "POST", "/api/v1/proxy", { body: '{"method":"GET","path":"/tasks"}' }),
  await route("app/api/v1/approvals/[id]/route.ts", import("@/app/api/v1/approvals/[id]/route"), "GET", "/api/v1/approvals/some-approval", {
    params: { id: "some-approval" },
  }),
  await route("app/api/v1/alerts/route.ts", import("@/app/api/v1/alerts/route"), "GET", "/api/v1/alerts"),
  await route("app/api/v1/status/route.ts", import("@/app/api/v1/status/route"), "GET", "/api/v1/status"),
  await route("app/api/mcp/route.ts", import("@/app/api/mcp/route"), "POST", "/api/mcp", { body: JSON_RPC }),
  await route("app/access/v1/evaluation/route.ts", import("@/app/access/v1/evaluation/route"), "POST", "/access/v1/evaluation", { body: EVALUATION }),
  await route("app/access/v1/evaluations/route.ts", import("@/app/access/v1/evaluations/route"), "POST", "/access/v1/evaluations", { body: EVALUATION }),
  await route("app/api/metrics/route.ts", import("@/app/api/metrics/route"), "GET", "/api/metrics"),
];
const RESOURCE_METADATA = `resource_metadata="${PORTAL_ORIGIN}/.well-known/oauth-protected-resource/api/mcp"`;
/** How a route file shows it takes a bearer token: one of the bearer wrappers, or a check of its own. */
const BEARER_SIGNS = /\b(withBearer|withAccessCaller|authenticateBearer|handleMcpPost|metricsAuthorized)\b/;

afterAll(async () => {
  await world.provider.close();
});

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return routeFiles(full);
    return e.name === "route.ts" ? [path.relative(process.cwd(), full).split(path.sep).join("/")] : [];
  });
}

function call(r: BearerRoute, authorization?: string): Promise<Response> {
  const headers: Record<string, string> = { accept: "application/json, text/event-stream" };
  if (r.body) headers["content-type"] = "application/json";
  if (authorization) headers.authorization = authorization;
  const req = new Request(`${PORTAL_ORIGIN}${r.path}`, { method: r.method, headers, body: r.body });
  return r.handler(req, { params: Promise.resolve(r.params ?? {}) });
}

describe("bearer routes", () => {
  it("are exactly the route files that take a bearer token", () => {
    const takesBearer = routeFiles("app").filter((f) => BEARER_SIGNS.test(readFileSync(f, "utf8")));
    expect([...new Set(BEARER_ROUTES.map((r) => r.file))].sort()).toEqual(takesBearer.sort());
  });

  it.each(BEARER_ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))("%s: no token -> 401 with a challenge and no error", async (_name, r) => {
    const res = await call(r);
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(await res.json()).toMatchObject({ status: 401, code: expect.any(String) });
    const challenge = res.headers.get("www-authenticate") ?? "";
    expect(challenge).toMatch(/^Bearer realm="[^"]+"/);
    expect(challenge).not.toContain("error=");
    if (r.path === "/api/mcp") expect(challenge).toContain(RESOURCE_METADATA);
  });

  it.each(BEARER_ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))("%s: a bad token -> 401 invalid_token with a description", async (_name, r) => {
    for (const authorization of ["Bearer not-a-jwt", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."]) {
      const res = await call(r, authorization);
      expect(res.status, authorization).toBe(401);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      const challenge = res.headers.get("www-authenticate") ?? "";
      expect(challenge).toMatch(/^Bearer realm="[^"]+", error="invalid_token", error_description="[^"]+"/);
      if (r.path === "/api/mcp") expect(challenge).toContain(RESOURCE_METADATA);
    }
  });
});
