// GET /api/metrics: only a scraper with the metrics token reads it; what it reads are counts of this
// process (statements, audit batches, CPU), never a token, a person or a request's content.
import { readFileSync } from "node:fs";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { startActionWorld } from "@/lib/testing/action-world";

const w = await startActionWorld();
const { GET } = await import("./route");
const { POST: proxyPost } = await import("@/app/api/v1/proxy/route");
const token = readFileSync(path.join(w.dataDir, "metrics.token"), "utf8").trim();

afterAll(async () => {
  await w.provider.close();
});

const scrape = (authorization?: string) => GET(new Request("http://localhost:3999/api/metrics", { headers: authorization ? { authorization } : {} }));

describe("GET /api/metrics", () => {
  it("refuses a scraper without the token, or with another one, with 401 and a challenge", async () => {
    for (const auth of [undefined, "Bearer nope", `Bearer ${token}x`, `Basic ${token}`]) {
      const res = await scrape(auth);
      expect(res.status, auth).toBe(401);
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
      expect(await res.text()).not.toContain("vault_sql_statements_total");
    }
  });

  it("answers Prometheus text with the statement and audit counters, which move with an action", async () => {
    const id = await w.connect();
    const cnx = await w.db.connection.findUniqueOrThrow({ where: { id }, select: { id: true, tenantId: true, userId: true } });
    const tokens = await w.rememberTokens(id);
    const client = await w.agent();
    w.remember(client.secret);
    const bearer = await w.token(client, (await w.grant(client, cnx)).id);
    const read = async () => {
      const res = await scrape(`Bearer ${token}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/plain");
      const text = await res.text();
      const value = (name: string) => Number(new RegExp(`^${name} (\\d+(?:\\.\\d+)?)$`, "m").exec(text)?.[1] ?? NaN);
      return {
        text,
        statements: value("vault_sql_statements_total"),
        events: value("vault_audit_events_total"),
        cpu: value("vault_process_cpu_seconds_total"),
      };
    };
    const before = await read();
    expect((await w.send(proxyPost, "/api/v1/proxy", { body: { method: "GET", path: "/tasks" }, token: bearer })).status).toBe(200);
    const after = await read();
    expect(after.statements).toBeGreaterThan(before.statements);
    expect(after.events - before.events).toBe(2);
    expect(after.cpu).toBeGreaterThan(0);
    for (const secret of [tokens.access, tokens.refresh, client.secret, bearer, token]) expect(after.text).not.toContain(secret);
  });

  it("has the request, decision, exchange, refresh, audit batch and webhook series, labelled only from fixed vocabularies", async () => {
    const id = await w.connect();
    const cnx = await w.db.connection.findUniqueOrThrow({ where: { id }, select: { id: true, tenantId: true, userId: true } });
    const tokens = await w.rememberTokens(id);
    const client = await w.agent();
    const delegation = await w.grant(client, cnx);
    const bearer = await w.token(client, delegation.id);
    expect(
      (await w.send(proxyPost, "/api/v1/proxy", { body: { method: "GET", path: "/tasks", query: { owner: "alice-secret-query" } }, token: bearer })).status,
    ).toBe(200);
    // A path carrying something that looks like a token must not become a label.
    await w.send(proxyPost, "/api/v1/gho_PlantedPathToken123456", { body: { method: "GET", path: "/tasks" }, token: bearer });
    const text = await (await scrape(`Bearer ${token}`)).text();
    const sample = (name: string, labels: string) => Number(new RegExp(`^${name}\\{${labels}\\} (\\d+(?:\\.\\d+)?)$`, "m").exec(text)?.[1] ?? NaN);
    expect(sample("vault_http_request_duration_seconds_count", 'surface="agent",route="/api/v1/proxy",method="POST",status="2xx"')).toBeGreaterThanOrEqual(1);
    expect(sample("vault_http_request_duration_seconds_count", 'surface="agent",route="other",method="POST",status="2xx"')).toBeGreaterThanOrEqual(1);
    expect(sample("vault_http_request_duration_seconds_count", 'surface="token",route="/api/oauth/token",method="POST",status="2xx"')).toBeGreaterThanOrEqual(
      1,
    );
    expect(sample("vault_pdp_decisions_total", 'outcome="allow"')).toBeGreaterThanOrEqual(1);
    expect(sample("vault_token_exchanges_total", 'outcome="success"')).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^vault_audit_batch_size_count \d+$/m);
    expect(text).toContain("# TYPE vault_refresh_total counter");
    expect(sample("vault_webhook_deliveries_total", 'outcome="success"')).toBe(0);
    expect(text).toContain("# TYPE vault_webhook_events_queued_total counter");

    const vocabulary = new Set([
      ...["success", "failure", "allow", "deny", "retry", "failed"],
      ...["portal", "agent", "token", "GET", "POST", "PUT", "PATCH", "DELETE", "OTHER", "1xx", "2xx", "3xx", "4xx", "5xx", "other"],
      ...["/api/oauth/token", "/api/mcp", "/api/metrics", "/api/health"],
    ]);
    for (const line of text.split("\n").filter((l) => l.startsWith("vault_") && !l.startsWith("vault_nodejs") && !l.startsWith("vault_process"))) {
      for (const [, key, value] of line.matchAll(/(\w+)="([^"]*)"/g)) {
        if (key === "le") continue;
        expect(vocabulary.has(value!) || /^\/api\/v1\/[a-z-]+$/.test(value!), line).toBe(true);
      }
    }
    const people = await w.db.user.findMany({ select: { email: true, name: true, arn: true } });
    for (const v of [
      tokens.access,
      tokens.refresh,
      client.secret,
      bearer,
      delegation.id,
      id,
      "alice-secret-query",
      "gho_Planted",
      ...people.flatMap((p) => [p.email, p.arn]),
    ])
      expect(text).not.toContain(v);
  });
});
