// Cross-process single flight on PostgreSQL: two refreshers with their own Prisma clients (their own
// connection pools, as two portal instances would have) race for the same connections, both through
// ensureFresh and through callProvider. The row lock and the lease must let exactly one refresh
// through per round at the real Demo Tasks provider.
import { afterAll, describe, expect, it } from "vitest";
import { createPostgresDatabase } from "@/lib/testing/db";
import { startVaultWorld } from "@/lib/testing/vault-world";

const database = await createPostgresDatabase();
const world = await startVaultWorld({ databaseUrl: database.url });
const { getDb, closeDb, createPrismaClient } = await import("@/lib/db");
const { TokenRefresher } = await import("@/lib/vault/refresh/refresher");
const { callProvider } = await import("@/lib/vault/call/provider-call");
const other = await createPrismaClient({ kind: "postgres", url: database.url });
const { alice } = world.people;

const instanceA = new TokenRefresher({ owner: "instance-a" });
const instanceB = new TokenRefresher({ owner: "instance-b", db: async () => other.prisma });

afterAll(async () => {
  await other.close();
  await closeDb();
  await world.provider.close();
  await database.drop();
});

describe("single flight across two database clients (PostgreSQL)", () => {
  it("five rounds of 2 x 25 concurrent refresh requests: one refresh per round", async () => {
    const id = await world.connect();
    const need = { kind: "expiring", withinMs: 60_000 } as const;
    for (let round = 0; round < 5; round++) {
      await (await getDb()).connection.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
      const grants = world.stats().refreshGrants;
      const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? instanceA : instanceB).ensureFresh(id, need)));
      expect(world.stats().refreshGrants, `round ${round}`).toBe(grants + 1);
      expect(outcomes.filter((o) => o === "refreshed")).toHaveLength(25);
    }
    const row = await other.prisma.connection.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: "active", failureCount: 0, refreshLeaseOwner: null });
  });

  it("50 concurrent provider calls split over two instances after the provider expired the token: one refresh, 50 x 200", async () => {
    const id = await world.connect();
    await world.control("/__test/expire-access-tokens");
    const grants = world.stats().refreshGrants;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        callProvider({ tenantId: alice.tenantId, connectionId: id, method: "GET", url: world.tasksUrl }, i % 2 ? instanceA : instanceB),
      ),
    );
    expect(world.stats().refreshGrants).toBe(grants + 1);
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
  });
});
