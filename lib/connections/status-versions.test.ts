// What a status change costs the decisions cached per tenant: moving among the usable statuses
// (active, refreshing, degraded: every refresh does) leaves the tenant's policy version alone, while
// a connection becoming unusable moves it, so every instance decides on it afresh. The credential
// version moves with every status change either way (an action's copy of the row is then stale).
import { afterAll, describe, expect, it } from "vitest";

import { startVaultWorld } from "@/lib/testing/vault-world";

const world = await startVaultWorld();
const { getDb } = await import("@/lib/db");
const db = await getDb();
const { alice } = world.people;

afterAll(async () => world.provider.close());

const versions = async (id: string) => {
  const head = await db.auditHead.findUniqueOrThrow({ where: { tenantId: alice.tenantId } });
  const row = await db.connection.findUniqueOrThrow({ where: { id }, select: { credentialVersion: true } });
  return { policy: head.policyVersion, credential: row.credentialVersion };
};

describe("connection status and the versions decisions rely on", () => {
  it("usable to usable: only the credential version moves; usable to unusable and back: the policy version moves too", async () => {
    const id = await world.connect();
    let before = await versions(id);
    for (const status of ["refreshing", "active", "degraded", "refreshing", "active"] as const) {
      await db.connection.update({ where: { id }, data: { status } });
      const now = await versions(id);
      expect(now.policy, status).toBe(before.policy);
      expect(now.credential, status).toBe(before.credential + 1);
      before = now;
    }
    await db.connection.update({ where: { id }, data: { status: "needs_reconnect" } });
    const unusable = await versions(id);
    expect(unusable.policy).toBe(before.policy + 1);
    await db.connection.update({ where: { id }, data: { status: "active" } });
    expect((await versions(id)).policy).toBe(unusable.policy + 1);
  });
});
