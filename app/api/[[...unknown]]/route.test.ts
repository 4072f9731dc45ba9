// Unknown paths under /api/ answer problem+json 404 (not_found) for every method, naming the path and
// pointing at /api/openapi.json. And the catch-all never takes a path another route serves: routed
// the way Next routes (exact static paths first, then dynamic routes in Next's own specificity order,
// which also refuses a route tree with conflicting catch-alls), every route file keeps its paths,
// /api/auth/[...nextauth] included, and only what nothing else serves reaches the catch-all.
import { readdirSync } from "node:fs";
import path from "node:path";

import { normalizeAppPath } from "next/dist/shared/lib/router/utils/app-paths";
import { isDynamicRoute } from "next/dist/shared/lib/router/utils/is-dynamic";
import { getRouteMatcher } from "next/dist/shared/lib/router/utils/route-matcher";
import { getRouteRegex } from "next/dist/shared/lib/router/utils/route-regex";
import { getSortedRoutes } from "next/dist/shared/lib/router/utils/sorted-routes";
import { describe, expect, it } from "vitest";

import * as route from "./route";

const CATCH_ALL = "/api/[[...unknown]]";
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/** Every app route (route.ts and page.tsx) as Next names it: route groups dropped, dynamic segments kept. */
function appRoutes(dir = "app", base = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return appRoutes(path.join(dir, e.name), `${base}/${e.name}`);
    if (!/^(route\.ts|page\.tsx)$/.test(e.name)) return [];
    return [normalizeAppPath(`${base}/${e.name.replace(/\.tsx?$/, "")}`)];
  });
}

const routes = appRoutes();
const staticRoutes = new Set(routes.filter((r) => !isDynamicRoute(r)));
const dynamicRoutes = getSortedRoutes(routes.filter((r) => isDynamicRoute(r))).map((r) => ({ r, match: getRouteMatcher(getRouteRegex(r)) }));

/** The route Next picks for a pathname. */
function routeFor(pathname: string): string | undefined {
  if (staticRoutes.has(pathname)) return pathname;
  return dynamicRoutes.find((d) => d.match(pathname))?.r;
}

/** A concrete pathname a route serves: each dynamic segment filled in. */
function example(r: string): string {
  return r
    .replace(/\[\[\.\.\.[^\]]+\]\]/g, "x/y")
    .replace(/\[\.\.\.[^\]]+\]/g, "x/y")
    .replace(/\[[^\]]+\]/g, "x");
}

describe("unknown paths under /api/", () => {
  it.each(METHODS)("%s answers problem+json 404 not_found naming the path and the OpenAPI document", async (method) => {
    const res = await route[method](new Request("http://localhost:3999/api/v2/nowhere?x=1", { method }));
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 404, code: "not_found", type: "urn:tokenvault:problem:not_found", title: "Not found" });
    expect(body.detail).toBe("There is nothing at /api/v2/nowhere: GET /api/openapi.json lists every path of the agent API.");
  });

  it("names a very long path only in part", async () => {
    const res = await route.GET(new Request(`http://localhost:3999/api/${"a".repeat(5000)}`));
    expect(((await res.json()) as { detail: string }).detail.length).toBeLessThan(300);
  });
});

describe("the catch-all under Next's routing", () => {
  it("is part of a route tree Next accepts", () => {
    expect(routes).toContain(CATCH_ALL);
    expect(routes).toContain("/api/auth/[...nextauth]");
  });

  it("never takes a path another route serves", () => {
    for (const r of routes.filter((x) => x !== CATCH_ALL)) expect(routeFor(example(r)), r).toBe(r);
    // The hot routes are static: matched exactly, before any dynamic route is tried.
    for (const hot of ["/api/mcp", "/api/v1/proxy", "/api/oauth/token", "/api/v1/tools"]) expect(staticRoutes.has(hot), hot).toBe(true);
    expect(routeFor("/api/auth/session")).toBe("/api/auth/[...nextauth]");
    expect(routeFor("/api/auth/callback/demo")).toBe("/api/auth/[...nextauth]");
    expect(routeFor("/api/v1/tools/demo_tasks__list_tasks")).toBe("/api/v1/tools/[name]");
  });

  it("takes every path under /api/ nothing else serves, /api itself included, and nothing outside it", () => {
    for (const p of ["/api", "/api/", "/api/nope", "/api/v1", "/api/v1/tools/a/b", "/api/v1/connections/x/y", "/api/oauth/connect", "/api/auth"]) {
      expect(routeFor(p), p).toBe(CATCH_ALL);
    }
    for (const p of ["/nope", "/apis/x", "/.well-known/nothing"]) expect(routeFor(p), p).toBeUndefined();
  });
});
