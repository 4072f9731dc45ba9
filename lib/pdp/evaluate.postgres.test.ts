// The rate limit under real concurrency (PostgreSQL, several connections): the tenant's audit lock
// is taken before counting, so simultaneous calls cannot all slip under the limit at its boundary.
import { afterAll, expect, it } from "vitest";
import { createPostgresDatabase } from "@/lib/testing/db";
import { startConnectWorld } from "@/lib/testing/connect-harness";

const database = await createPostgresDatabase();
const world = await startConnectWorld({ databaseUrl: database.url });
const { getDb, closeDb } = await import("@/lib/db");
const { insertAgent, insertConnection, insertDelegation, DEMO_TASKS_CEILING } = await import("@/lib/testing/fixtures");
const { evaluate } = await import("./evaluate");

afterAll(async () => {
  await closeDb();
  await world.provider.close();
  await database.drop();
});

it("lets exactly max of many simultaneous calls through, and audits every one", async () => {
  const db = await getDb();
  const agent = await insertAgent(db, "acme", { ceiling: DEMO_TASKS_CEILING });
  const connection = await insertConnection(db, world.people.alice);
  const delegation = await insertDelegation(db, {
    agentId: agent.id,
    connection,
    tools: ["demo-tasks.list_tasks"],
    constraints: { rateLimit: { max: 4, perSeconds: 600 } },
  });
  const results = await Promise.all(
    Array.from({ length: 12 }, () =>
      evaluate({ tenantId: "acme", agentId: agent.id, delegationId: delegation.id, action: { kind: "tool", tool: "demo-tasks.list_tasks" } }),
    ),
  );
  expect(results.filter((d) => d.decision === "allow")).toHaveLength(4);
  expect(results.filter((d) => d.code === "rate_limited")).toHaveLength(8);
  expect(await db.auditEvent.count({ where: { action: "pdp.decision", target: delegation.id } })).toBe(12);
});
