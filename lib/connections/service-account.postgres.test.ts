// At most one service account per tenant and provider, under real concurrency (PostgreSQL, a pool of
// connections, READ COMMITTED): administrators marking different connections at the same moment must
// still leave exactly one marked, and the audit log must tell the same story in order.
import { afterAll, describe, expect, it } from "vitest";

import { createPostgresDatabase } from "@/lib/testing/db";
import { startConnectWorld } from "@/lib/testing/connect-harness";

const database = await createPostgresDatabase();
const world = await startConnectWorld({ databaseUrl: database.url });
const { getDb, closeDb } = await import("@/lib/db");
const { insertConnection } = await import("@/lib/testing/fixtures");
const { setServiceAccount } = await import("./service-account");
const { bob } = world.people;
const db = await getDb();

afterAll(async () => {
  await closeDb();
  await world.provider.close();
  await database.drop();
});

describe("marking service accounts concurrently (PostgreSQL)", () => {
  it("ten simultaneous marks of ten connections leave exactly one marked, the last one audited", async () => {
    for (let round = 0; round < 3; round++) {
      const connections = await Promise.all(Array.from({ length: 10 }, () => insertConnection(db, bob)));
      const results = await Promise.all(connections.map((c) => setServiceAccount(bob, c.id, true)));
      expect(results.every((r) => r.connection.serviceAccount)).toBe(true);
      const marked = await db.connection.findMany({ where: { tenantId: "acme", providerKey: "demo-tasks", isServiceAccount: true }, select: { id: true } });
      expect(marked, `round ${round}`).toHaveLength(1);
      const last = await db.auditEvent.findFirstOrThrow({ where: { tenantId: "acme", action: "connection.service_account" }, orderBy: { seq: "desc" } });
      expect(last.target).toBe(marked[0]!.id);
    }
  });
});
