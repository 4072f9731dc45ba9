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
});
