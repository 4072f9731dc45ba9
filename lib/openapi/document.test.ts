// The OpenAPI document: structurally valid OpenAPI 3.1 (operations with responses, declared path
// parameters, defined security schemes, unique operation ids, every $ref resolving, every schema a
// JSON Schema 2020-12 that compiles), real answers fitting their schemas, and exactly the
// agent-facing route files under app/: a route file nobody classified, an agent route without
// documentation, or a documented method the file does not export all fail here.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";

process.env.NEXTAUTH_URL ??= "http://localhost:3999";
const { AGENT_ROUTES, openApiDocument } = await import("./document");
const { toolSchemaName } = await import("./schemas");
const { statusDto } = await import("@/lib/monitor/schemas");
const { TOOL_DEFINITIONS } = await import("@/lib/providers");
const { problem } = await import("@/lib/http/problem");
const { pdpMetadata } = await import("@/lib/pdp/pdp-metadata");
const route = await import("@/app/api/openapi.json/route");
const nextConfig = (await import("@/next.config")).default;

const ROOT = path.resolve(import.meta.dirname, "../..");
const SERVER = "https://vault.example.test";
const doc = openApiDocument(SERVER) as Record<string, any>;
const VERBS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/**
 * Route files that are not for agents: the portal's own BFF (session cookie), sign-in, and the
 * browser side of the connect flow. Listed so that a new route file must be classified here or
 * documented in AGENT_ROUTES. A file may be in both when some methods are the portal's.
 */
const PORTAL_ROUTES: Record<string, string[]> = {
  // A person's approvals: listed and decided with the session cookie (Origin checked); agents poll /api/v1/approvals/{id}.
  "app/api/v1/approvals/route.ts": ["GET"],
  "app/api/v1/approvals/[id]/approve/route.ts": ["POST"],
  "app/api/v1/approvals/[id]/deny/route.ts": ["POST"],
  "app/api/auth/[...nextauth]/route.ts": ["GET", "POST"],
  "app/api/oauth/callback/route.ts": ["GET"],
  "app/api/oauth/connect/[provider]/route.ts": ["GET"],
  // The browser side of an MCP client's authorization: the authorize redirect and the consent form's post (session cookie).
  "app/api/oauth/authorize/route.ts": ["GET"],
  "app/api/oauth/consent/[id]/route.ts": ["POST"],
  "app/api/v1/agents/route.ts": ["GET", "POST"],
  "app/api/v1/agents/[id]/route.ts": ["GET", "PATCH", "DELETE"],
  "app/api/v1/audit/route.ts": ["GET"],
  "app/api/v1/connections/route.ts": ["GET"],
  // A person pasting an API key on the Connections page (session cookie): the key never reaches an agent.
  "app/api/v1/connections/api-key/[provider]/route.ts": ["POST"],
  "app/api/v1/connections/[id]/route.ts": ["GET", "PATCH", "DELETE"],
  // GET answers a session (my grants) and an agent token (its grants); POST grants, with a session only.
  "app/api/v1/delegations/route.ts": ["GET", "POST"],
  "app/api/v1/delegations/[id]/route.ts": ["DELETE"],
  "app/api/v1/delegations/options/route.ts": ["GET"],
  "app/api/v1/providers/route.ts": ["GET"],
  "app/api/v1/providers/[key]/client/route.ts": ["PUT"],
  "app/api/v1/providers/generic/route.ts": ["POST"],
  "app/api/v1/tenant/route.ts": ["GET", "PATCH"],
  "app/api/v1/mcp-clients/route.ts": ["GET"],
  // Containment's administration: an administrator's session only (agents list their alerts, documented).
  "app/api/v1/alerts/[id]/route.ts": ["PATCH"],
  "app/api/v1/policies/route.ts": ["GET", "POST"],
  "app/api/v1/policies/[id]/route.ts": ["PATCH"],
  "app/api/v1/enforcements/[id]/route.ts": ["PATCH"],
  "app/api/v1/detectors/[kind]/route.ts": ["PATCH"],
  "app/api/v1/mcp-clients/[id]/route.ts": ["GET", "PATCH", "DELETE"],
  "app/api/v1/webhooks/route.ts": ["GET", "POST"],
  "app/api/v1/webhooks/[id]/route.ts": ["DELETE"],
  "app/api/v1/webhooks/[id]/test/route.ts": ["POST"],
  // The operator's Prometheus scraper, with the metrics token (not an agent's).
  "app/api/metrics/route.ts": ["GET"],
  // Not a route of its own: what answers every unknown path under /api/ (404 not_found).
  "app/api/[[...unknown]]/route.ts": ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
};

function routeFiles(dir = path.join(ROOT, "app")): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return entry.name === "route.ts" || entry.name === "route.tsx" ? [path.relative(ROOT, full).split(path.sep).join("/")] : [];
  });
}

function exportedMethods(file: string): string[] {
  const source = readFileSync(path.join(ROOT, file), "utf8");
  const methods = new Set<string>();
  for (const m of source.matchAll(/export\s+(?:async\s+)?(?:function|const|let)\s+(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)\b/g)) methods.add(m[1]!);
  for (const m of source.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const part of m[1]!.split(",")) {
      const name = part
        .trim()
        .split(/\s+as\s+/)
        .pop()!
        .trim();
      if (/^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)$/.test(name)) methods.add(name);
    }
  }
  return [...methods].sort();
}

function pointer(ref: string): unknown {
  expect(ref.startsWith("#/"), `${ref} is a local reference`).toBe(true);
  return ref
    .slice(2)
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce<unknown>((node, key) => (node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined), doc);
}

function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, out));
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

function operations(): Array<{ path: string; verb: string; op: Record<string, any> }> {
  return Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([p, item]) =>
    Object.entries(item)
      .filter(([verb]) => VERBS.includes(verb))
      .map(([verb, op]) => ({ path: p, verb, op })),
  );
}

describe("the OpenAPI document is valid OpenAPI 3.1", () => {
  it("declares OpenAPI 3.1, an info block and the vault as its server", () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(doc.servers).toEqual([{ url: SERVER }]);
    expect(Object.keys(doc.paths).every((p) => p.startsWith("/"))).toBe(true);
  });

  it("gives every operation a unique id and responses, each with a description and a status code", () => {
    const ids = new Set<string>();
    for (const { path: p, verb, op } of operations()) {
      const where = `${verb.toUpperCase()} ${p}`;
      expect(typeof op.operationId, where).toBe("string");
      expect(ids.has(op.operationId), `${where}: duplicate operationId`).toBe(false);
      ids.add(op.operationId);
      const responses = Object.entries(op.responses ?? {});
      expect(responses.length, `${where} has responses`).toBeGreaterThan(0);
      for (const [status, res] of responses) {
        expect(status, where).toMatch(/^([1-5]\d\d|[1-5]XX|default)$/);
        const resolved = (res as any).$ref ? (pointer((res as any).$ref) as any) : res;
        expect(typeof resolved?.description, `${where} ${status} has a description`).toBe("string");
      }
    }
    expect(ids.size).toBeGreaterThan(10);
  });

  it("declares every templated path parameter as a required path parameter", () => {
    for (const { path: p, verb, op } of operations()) {
      const templated = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      const declared = (op.parameters ?? []).map((x: any) => (x.$ref ? pointer(x.$ref) : x)).filter((x: any) => x.in === "path");
      expect(declared.map((x: any) => x.name).sort(), `${verb} ${p}`).toEqual(templated.sort());
      expect(declared.every((x: any) => x.required === true)).toBe(true);
    }
  });

  it("names only defined security schemes", () => {
    const schemes = Object.keys(doc.components.securitySchemes);
    for (const { path: p, op } of operations()) {
      expect(Array.isArray(op.security), `${p} says who may call it`).toBe(true);
      for (const requirement of op.security) for (const name of Object.keys(requirement)) expect(schemes, p).toContain(name);
    }
    expect(doc.components.securitySchemes.delegationToken).toMatchObject({ type: "http", scheme: "bearer" });
  });

  it("resolves every $ref", () => {
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(50);
    for (const ref of all) expect(pointer(ref), ref).toBeDefined();
  });

  it("holds JSON Schemas (2020-12) that compile, with tool schemas generated from their zod definitions", () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema({ $id: "openapi", ...doc });
    for (const name of Object.keys(doc.components.schemas)) {
      expect(() => ajv.getSchema(`openapi#/components/schemas/${name}`), name).not.toThrow();
    }
    for (const tool of TOOL_DEFINITIONS) {
      expect(doc.components.schemas[toolSchemaName(tool.name, "Input")]).toBeDefined();
      expect(doc.components.schemas[toolSchemaName(tool.name, "Output")]).toBeDefined();
    }
  });
});

describe("the schemas describe real answers", () => {
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  ajv.addSchema({ $id: "openapi", ...doc });
  const valid = (name: string, value: unknown) => {
    const check = ajv.getSchema(`openapi#/components/schemas/${name}`)!;
    const ok = check(value);
    return ok ? true : check.errors;
  };

  it("a problem+json answer", async () => {
    const body = await problem({ status: 403, code: "tool_not_delegated", title: "Forbidden", detail: "Not delegated." }).json();
    expect(valid("Problem", { ...body, layer: "consent" })).toBe(true);
    expect(valid("Problem", { title: "no code" })).not.toBe(true);
  });

  it("a status answer, and nothing that is not one", () => {
    const status = statusDto.parse({
      tenantId: "acme",
      view: "agent",
      generatedAt: new Date().toISOString(),
      exchanges: { total: 1, success: 1, failure: 0, byProvider: { "demo-tasks": { success: 1, failure: 0 } } },
      connectedAccounts: { total: 1, byStatus: { active: 1, refreshing: 0, degraded: 0, needs_reconnect: 0 } },
      authorizedAgents: { authorized: 1, active: 1, suspended: 0, total: 1 },
      openAlerts: {
        count: 2,
        alerts: [{ kind: "connection_needs_reconnect", severity: "warning", message: "m", since: null, subject: { type: "connection", id: "c" } }],
        bySeverity: { critical: 1, high: 0, medium: 0, low: 0 },
      },
      refreshEngine: {
        running: true,
        sweeping: false,
        lastRunAt: null,
        lastRunChecked: 0,
        lastRunRefreshed: 0,
        lastRunFailed: 0,
        lastRunSkipped: 0,
        lastRunError: null,
        nextRunAt: null,
      },
    });
    expect(valid("Status", status)).toBe(true);
    expect(valid("Status", { ...status, exchanges: { total: -1 } })).not.toBe(true);
  });

  it("the AuthZEN metadata document", () => {
    expect(valid("AuthZenConfiguration", pdpMetadata(SERVER))).toBe(true);
  });

  it("the requests agents send", () => {
    expect(valid("ProxyRequest", { method: "GET", path: "/tasks", query: { limit: "5" } })).toBe(true);
    expect(valid("ProxyRequest", { method: "TRACE", path: "/tasks" })).not.toBe(true);
    expect(valid("ToolCallRequest", { input: { title: "Buy milk" } })).toBe(true);
    expect(
      valid("EvaluationRequest", { subject: { type: "agent", id: "agt_1" }, action: { name: "exchange" }, resource: { type: "delegation", id: "d" } }),
    ).toBe(true);
    expect(
      valid("TokenExchangeForm", {
        grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
        subject_token: "d",
        subject_token_type: "urn:tokenvault:params:oauth:token-type:delegation-id",
      }),
    ).toBe(true);
  });
});

describe("the document lists exactly the agent-facing routes", () => {
  const files = routeFiles();

  it("every route file under app/ is either documented for agents or listed as the portal's", () => {
    const agentFiles = new Set(AGENT_ROUTES.map((r) => r.file));
    const unclassified = files.filter((f) => !agentFiles.has(f) && !(f in PORTAL_ROUTES));
    expect(unclassified, "route files neither documented in lib/openapi/document.ts nor listed as portal routes here").toEqual([]);
  });

  it("every documented route file exists and exports exactly the documented and portal methods", () => {
    const byFile = new Map<string, Set<string>>();
    for (const r of AGENT_ROUTES) {
      const methods = byFile.get(r.file) ?? byFile.set(r.file, new Set()).get(r.file)!;
      for (const m of r.methods) methods.add(m.toUpperCase());
      // The CORS preflight is answered, not documented as an operation.
      if (r.preflight) methods.add("OPTIONS");
    }
    for (const [file, methods] of byFile) {
      expect(files, `${file} is documented but does not exist`).toContain(file);
      const expected = new Set([...methods, ...(PORTAL_ROUTES[file] ?? [])]);
      expect(exportedMethods(file), file).toEqual([...expected].sort());
    }
    for (const [file, methods] of Object.entries(PORTAL_ROUTES)) {
      expect(files, `${file} is listed as a portal route but does not exist`).toContain(file);
      if (!byFile.has(file)) expect(exportedMethods(file), file).toEqual([...methods].sort());
    }
  });

  it("documents each route's path with exactly its methods, and nothing else", () => {
    const expected: Record<string, string[]> = {};
    for (const r of AGENT_ROUTES) expected[r.path] = [...r.methods].sort();
    const documented = Object.fromEntries(
      Object.entries(doc.paths as Record<string, object>).map(([p, item]) => [
        p,
        Object.keys(item)
          .filter((k) => VERBS.includes(k))
          .sort(),
      ]),
    );
    expect(documented).toEqual(expected);
  });

  it("serves each documented path from the route file at that very path (no rewrites)", () => {
    expect(nextConfig.rewrites).toBeUndefined();
    for (const r of AGENT_ROUTES) {
      const direct = "/" + r.file.replace(/^app\//, "").replace(/\/route\.tsx?$/, "");
      expect(direct.replace(/\[([^\]]+)\]/g, "{$1}"), r.path).toBe(r.path);
    }
  });
});

describe("GET /api/openapi.json", () => {
  it("serves the document as public JSON", async () => {
    const res = route.GET();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("cache-control")).toMatch(/public/);
    const body = (await res.json()) as Record<string, any>;
    expect(body.openapi).toBe(doc.openapi);
    expect(body.servers).toEqual([{ url: "http://localhost:3999" }]);
    expect(Object.keys(body.paths)).toEqual(Object.keys(doc.paths));
  });
});
