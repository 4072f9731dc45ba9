// Actions per day over a real database (PGlite): tool and proxy calls counted per UTC day, by agent
// and by provider; a person sees the actions done for them, an administrator the tenant's; nothing
// else (other audit actions, older days, another tenant) is counted.
import { afterAll, describe, expect, it } from "vitest";
import { startConnectWorld } from "@/lib/testing/connect-harness";

const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const { appendAudit } = await import("@/lib/audit/append");
const { insertAgent } = await import("@/lib/testing/fixtures");
const { actionUsage, DEFAULT_USAGE_DAYS, MAX_USAGE_DAYS } = await import("./usage");
const { alice, bob, carol } = world.people;
const db = await getDb();

afterAll(async () => {
  await world.provider.close();
});

const DAY = 86_400_000;
// Noon UTC, so "N days ago" never straddles midnight whatever the test machine's zone.
const NOW = new Date(Date.UTC(2031, 4, 20, 12, 0, 0));
const day = (ago: number) => new Date(NOW.getTime() - ago * DAY).toISOString().slice(0, 10);

async function action(opts: {
  tenantId?: string;
  kind?: "action.tool" | "action.proxy" | "pdp.decision";
  agentId?: string | null;
  actor: string;
  provider?: string | null;
  daysAgo: number;
  hour?: number;
  outcome?: "success" | "failure" | "allow";
}) {
  const details = opts.provider === null ? {} : { provider: opts.provider ?? "demo-tasks", method: "GET", path: "/tasks", status: 200 };
  const { seq } = await db.$transaction((tx) =>
    appendAudit(tx, {
      tenantId: opts.tenantId ?? "acme",
      action: opts.kind ?? "action.tool",
      outcome: opts.outcome ?? "success",
      actorArn: opts.actor,
      agentId: opts.agentId,
      target: "d-1",
      details,
    }),
  );
  // Written now; moved to the day the test is about (the chain does not matter here).
  const at = new Date(Date.UTC(NOW.getUTCFullYear(), NOW.getUTCMonth(), NOW.getUTCDate(), opts.hour ?? 9) - opts.daysAgo * DAY);
  await db.auditEvent.update({ where: { tenantId_seq: { tenantId: opts.tenantId ?? "acme", seq } }, data: { at } });
}

const planner = await insertAgent(db, "acme", { name: "Planner" });
const mailer = await insertAgent(db, "acme", { name: "Mailer" });
const removed = await insertAgent(db, "acme", { name: "Short-lived" });
const globexAgent = await insertAgent(db, "globex", { name: "Globex agent" });

// alice: planner 2 today (one failed) + 1 three days ago (GitHub proxy); mailer 1 yesterday.
await action({ agentId: planner.id, actor: alice.arn, daysAgo: 0, hour: 0 });
await action({ agentId: planner.id, actor: alice.arn, daysAgo: 0, hour: 11, outcome: "failure" });
await action({ kind: "action.proxy", agentId: planner.id, actor: alice.arn, provider: "github", daysAgo: 3, hour: 23 });
await action({ agentId: mailer.id, actor: alice.arn, daysAgo: 1 });
// bob: mailer 2 yesterday; an agent since deleted, 1 today with no provider recorded.
await action({ agentId: mailer.id, actor: bob.arn, daysAgo: 1 });
await action({ kind: "action.proxy", agentId: mailer.id, actor: bob.arn, daysAgo: 1 });
await action({ agentId: removed.id, actor: bob.arn, provider: null, daysAgo: 0 });
await db.agent.delete({ where: { id: removed.id } });
// Not counted: outside the window, another kind of event, another tenant.
await action({ agentId: planner.id, actor: alice.arn, daysAgo: DEFAULT_USAGE_DAYS });
await action({ kind: "pdp.decision", outcome: "allow", agentId: planner.id, actor: alice.arn, daysAgo: 0 });
await action({ tenantId: "globex", agentId: globexAgent.id, actor: carol.arn, daysAgo: 0 });

const zeros = (n = DEFAULT_USAGE_DAYS) => new Array<number>(n).fill(0);
const at = (counts: Record<number, number>, n = DEFAULT_USAGE_DAYS) => {
  const out = zeros(n);
  for (const [ago, v] of Object.entries(counts)) out[n - 1 - Number(ago)] = v;
  return out;
};

describe("actionUsage", () => {
  it("gives an administrator the tenant's actions per day by agent and by provider", async () => {
    const usage = await actionUsage(bob, { now: NOW });
    expect(usage.scope).toBe("tenant");
    expect(usage.days).toHaveLength(DEFAULT_USAGE_DAYS);
    expect(usage.days[0]).toBe(day(DEFAULT_USAGE_DAYS - 1));
    expect(usage.days.at(-1)).toBe(day(0));
    expect(usage.total).toBe(7);
    expect(usage.failures).toBe(1);
    expect(usage.byAgent).toEqual([
      { key: mailer.id, label: "Mailer", total: 3, counts: at({ 1: 3 }) },
      { key: planner.id, label: "Planner", total: 3, counts: at({ 0: 2, 3: 1 }) },
      { key: removed.id, label: `Removed agent ${removed.id.slice(0, 8)}`, total: 1, counts: at({ 0: 1 }) },
    ]);
    expect(usage.byProvider).toEqual([
      { key: "demo-tasks", label: "Demo Tasks", total: 5, counts: at({ 0: 2, 1: 3 }) },
      { key: "github", label: "GitHub", total: 1, counts: at({ 3: 1 }) },
      { key: "", label: "Unknown provider", total: 1, counts: at({ 0: 1 }) },
    ]);
  });

  it("gives a person only the actions done on their behalf", async () => {
    const usage = await actionUsage(alice, { now: NOW });
    expect(usage.scope).toBe("mine");
    expect(usage.total).toBe(4);
    expect(usage.byAgent.map((s) => [s.label, s.total])).toEqual([
      ["Planner", 3],
      ["Mailer", 1],
    ]);
    expect(usage.byProvider.map((s) => [s.key, s.counts])).toEqual([
      ["demo-tasks", at({ 0: 2, 1: 1 })],
      ["github", at({ 3: 1 })],
    ]);
  });

  it("widens and narrows the window, within bounds", async () => {
    const wide = await actionUsage(bob, { now: NOW, days: DEFAULT_USAGE_DAYS + 1 });
    expect(wide.total).toBe(8);
    const today = await actionUsage(bob, { now: NOW, days: 1 });
    expect(today.days).toEqual([day(0)]);
    expect(today.total).toBe(3);
    expect((await actionUsage(bob, { now: NOW, days: 10_000 })).days).toHaveLength(MAX_USAGE_DAYS);
    expect((await actionUsage(bob, { now: NOW, days: 0 })).days).toHaveLength(1);
  });

  it("counts nothing of another tenant, and says so when nothing happened", async () => {
    const globex = await actionUsage(carol, { now: NOW });
    expect(globex.total).toBe(1);
    expect(globex.byAgent.map((s) => s.label)).toEqual(["Globex agent"]);
    const quiet = await actionUsage(alice, { now: new Date(NOW.getTime() + 30 * DAY) });
    expect(quiet).toMatchObject({ total: 0, failures: 0, byAgent: [], byProvider: [] });
    expect(quiet.days).toHaveLength(DEFAULT_USAGE_DAYS);
  });
});
