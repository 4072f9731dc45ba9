// Reconnect warnings across instances on PostgreSQL: two sweeps with their own Prisma clients (their
// own connection pools, as two portal instances would have) warn the same connections at the same
// moment, again and again. The row lock and the remembered (reconnectBy, threshold) must let exactly
// one audit row, so one webhook event, through per connection and threshold.
import { afterAll, describe, expect, it } from "vitest";
import { createPostgresDatabase } from "@/lib/testing/db";
import { startVaultWorld } from "@/lib/testing/vault-world";

const database = await createPostgresDatabase();
const world = await startVaultWorld({ databaseUrl: database.url });
const { getDb, closeDb, createPrismaClient } = await import("@/lib/db");
const { warnBeforeReconnect } = await import("@/lib/vault/refresh/engine");
const { verifyAllChains } = await import("@/lib/audit/verify");
const other = await createPrismaClient({ kind: "postgres", url: database.url });
const { alice, bob } = world.people;
const DAY = 86_400_000;

afterAll(async () => {
  await other.close();
  await closeDb();
  await world.provider.close();
  await database.drop();
});

describe("reconnect warnings from two instances at once (PostgreSQL)", () => {
  it("five rounds of 2 x 4 concurrent sweeps over two connections: one 7-day and one 1-day warning each", async () => {
    const db = await getDb();
    const ids = [await world.connect(alice, "alice"), await world.connect(bob, "bob")];
    const end = new Date(Date.now() + 5 * DAY);
    await db.connection.updateMany({ where: { id: { in: ids } }, data: { reconnectBy: end } });
    const versions = await db.connection.findMany({ where: { id: { in: ids } }, select: { id: true, credentialVersion: true }, orderBy: { id: "asc" } });

    const race = async (now: Date) =>
      (await Promise.all(Array.from({ length: 8 }, (_, i) => warnBeforeReconnect(i % 2 ? db : other.prisma, now)))).reduce((a, b) => a + b, 0);
    const written: number[] = [];
    for (let round = 0; round < 5; round++) {
      // Rounds 0-2 are 5 days before the end (the 7-day warning is due), rounds 3-4 are 12 hours before (the 1-day one).
      written.push(await race(round < 3 ? new Date() : new Date(end.getTime() - 12 * 3_600_000)));
    }
    expect(written).toEqual([2, 0, 0, 2, 0]);

    const rows = await other.prisma.auditEvent.findMany({ where: { action: "connection.reconnect_warning" }, orderBy: { seq: "asc" } });
    for (const id of ids) {
      const mine = rows.filter((r) => r.target === id).map((r) => r.details as { daysLeft: number; reconnectBy: string });
      expect(mine).toEqual([expect.objectContaining({ daysLeft: 7, reconnectBy: end.toISOString() }), expect.objectContaining({ daysLeft: 1 })]);
    }
    // Written through the audit chain from both instances: unbroken.
    expect((await verifyAllChains(db)).filter((c) => c.break)).toEqual([]);
    // Neither column moves the credential version: an agent's write-ahead record stays valid.
    expect(await db.connection.findMany({ where: { id: { in: ids } }, select: { id: true, credentialVersion: true }, orderBy: { id: "asc" } })).toEqual(
      versions,
    );
  });
});
