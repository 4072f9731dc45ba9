// The audit API: people see their own events, admins their whole tenant, nobody another tenant's;
// filters and the `before` cursor page through everything exactly once; exports are complete and a
// formula planted in an event cannot run from the CSV.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { portalBrowser, startConnectWorld } from "@/lib/testing";

const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const { appendAudit } = await import("@/lib/audit/append");
const { GET } = await import("./route");
const { alice, bob, carol } = world.people;
const browser = portalBrowser();

async function get(query = "") {
  return GET(browser.request(`/api/v1/audit${query}`));
}

beforeAll(async () => {
  const db = await getDb();
  for (let i = 0; i < 7; i++) {
    await db.$transaction((tx) =>
      appendAudit(tx, {
        tenantId: "acme",
        action: i % 2 ? "delegation.grant" : "connection.connect",
        outcome: "success",
        actorArn: alice.arn,
        target: `t${i}`,
      }),
    );
  }
  await db.$transaction((tx) =>
    appendAudit(tx, { tenantId: "acme", action: "agent.register", outcome: "success", actorArn: bob.arn, target: '=HYPERLINK("http://evil")' }),
  );
  await db.$transaction((tx) => appendAudit(tx, { tenantId: "globex", action: "connection.connect", outcome: "success", actorArn: carol.arn }));
});

afterAll(async () => {
  await world.provider.close();
});

type Page = { events: Array<{ seq: number; action: string; actorArn: string }>; nextBefore: number | null };

describe("GET /api/v1/audit", () => {
  it("answers 401 without a session", async () => {
    browser.signOut();
    expect((await get()).status).toBe(401);
  });

  it("shows a person only their own events and an admin the whole tenant, never another tenant's", async () => {
    await browser.signIn(alice);
    const mine = (await (await get()).json()) as Page;
    expect(mine.events).toHaveLength(7);
    expect(mine.events.every((e) => e.actorArn === alice.arn)).toBe(true);
    await browser.signIn(bob);
    const tenant = (await (await get()).json()) as Page;
    expect(tenant.events.map((e) => e.actorArn)).toContain(alice.arn);
    expect(tenant.events).toHaveLength(8);
    await browser.signIn(carol);
    const other = (await (await get()).json()) as Page;
    expect(other.events.map((e) => e.actorArn)).toEqual([carol.arn]);
  });

  it("filters by action prefix and pages with the before cursor, each event exactly once", async () => {
    await browser.signIn(bob);
    const grants = (await (await get("?action=delegation.")).json()) as Page;
    expect(grants.events.map((e) => e.action)).toEqual(["delegation.grant", "delegation.grant", "delegation.grant"]);
    const seen: number[] = [];
    let cursor = "";
    for (let guard = 0; guard < 10; guard++) {
      const page = (await (await get(`?limit=3${cursor}`)).json()) as Page;
      seen.push(...page.events.map((e) => e.seq));
      if (page.nextBefore === null) break;
      cursor = `&before=${page.nextBefore}`;
    }
    expect(seen).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it("refuses a bad query with a sentence", async () => {
    await browser.signIn(bob);
    const res = await get("?from=yesterday-ish");
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/from/);
    expect((await get("?limit=100000")).status).toBe(400);
    expect((await get("?sql=1")).status).toBe(400);
  });

  it("exports every event as JSON Lines and as CSV with formulas neutralised", async () => {
    await browser.signIn(bob);
    const jsonl = await (await get("?format=jsonl")).text();
    expect(jsonl.trim().split("\n")).toHaveLength(8);
    const res = await get("?format=csv");
    expect(res.headers.get("content-disposition")).toMatch(/attachment; filename="audit-acme-.*\.csv"/);
    const csv = await res.text();
    const lines = csv.trim().split("\r\n");
    expect(lines).toHaveLength(9);
    expect(lines[0]).toMatch(/^seq,at,action/);
    expect(csv).not.toMatch(/,=HYPERLINK|,"=HYPERLINK/);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil"")"`);
  });
});
