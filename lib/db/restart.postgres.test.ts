// PostgreSQL restarted under the portal's feet: a throwaway cluster this test owns is stopped while
// a person reads their connections and an agent acts. While it is down every request answers 503
// with Retry-After and a sentence (never a 500, never an internal message); once it is back, the
// very same portal process serves again, with no restart: the driver's pool reconnects by itself,
// the audit chain carries on unbroken, and no provider token leaked into any answer.
import { afterAll, describe, expect, it } from "vitest";

import { findPostgresBin, startThrowawayCluster } from "@/lib/testing/postgres";

const bin = findPostgresBin();
if (!bin) throw new Error("This test needs the PostgreSQL binaries (apt-get install -y postgresql-15).");
const cluster = await startThrowawayCluster(bin);

const { startActionWorld } = await import("@/lib/testing/action-world");
const w = await startActionWorld({ databaseUrl: cluster.url });
const { POST: proxy } = await import("@/app/api/v1/proxy/route");
const { GET: connections } = await import("@/app/api/v1/connections/route");
const { verifyTenantChain } = await import("@/lib/audit/verify");
const { portalBrowser } = await import("@/lib/testing/portal-session");

afterAll(async () => {
  await w.provider.close();
  cluster.stop();
});

const GET_TASKS = { method: "GET", path: "/tasks" };

describe("the database restarts while the portal runs", () => {
  it("answers 503 with Retry-After while it is down, then serves again without a restart", { timeout: 90_000 }, async () => {
    const id = await w.connect();
    await w.rememberTokens(id);
    const cnx = await w.db.connection.findUniqueOrThrow({ where: { id }, select: { id: true, tenantId: true, userId: true } });
    const agent = await w.agent();
    const delegation = await w.grant(agent, cnx);
    const token = await w.token(agent, delegation.id);
    const browser = portalBrowser();
    await browser.signIn(w.people.alice);
    const list = () => browser.send(connections as never, "/api/v1/connections");
    const act = () => w.send(proxy, "/api/v1/proxy", { body: GET_TASKS, token });

    expect((await list()).status).toBe(200);
    expect((await act()).status).toBe(200);

    cluster.pause();
    for (const res of [await list(), await act()]) {
      const answer = res instanceof Response ? { status: res.status, headers: res.headers, json: await res.json() } : res;
      expect(answer.status, JSON.stringify(answer.json)).toBe(503);
      expect(answer.headers.get("retry-after")).toMatch(/^\d+$/);
      expect((answer.json as { detail?: string }).detail ?? "").toMatch(/try again/i);
    }

    cluster.resume();
    let back = 0;
    for (let i = 0; i < 60 && back !== 200; i++) {
      back = (await list()).status;
      if (back !== 200) await new Promise((r) => setTimeout(r, 500));
    }
    expect(back).toBe(200);
    let acted = 0;
    for (let i = 0; i < 20 && acted !== 200; i++) {
      acted = (await act()).status;
      if (acted !== 200) await new Promise((r) => setTimeout(r, 500));
    }
    expect(acted).toBe(200);
    expect((await verifyTenantChain(w.db, "acme")).break).toBeNull();
    expect(w.leaks().hits).toEqual([]);
  });
});
