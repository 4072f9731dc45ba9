// The administrators' view of the refresh engine counts the tenant's connections by what the engine
// must do with them, and carries this instance's last sweep; another tenant's connections never count.
import { afterAll, describe, expect, it } from "vitest";

import { startVaultWorld } from "@/lib/testing/vault-world";

const world = await startVaultWorld();
const { getDb } = await import("@/lib/db");
const { refreshOverview } = await import("./refresh-overview");
const { runRefreshSweep } = await import("@/lib/vault/refresh/engine");
const { insertConnection } = await import("@/lib/testing/fixtures");
const db = await getDb();
const { alice, carol } = world.people;

afterAll(async () => world.provider.close());

describe("refresh overview", () => {
  it("counts due, failing, waiting and ending connections of the tenant, with the last sweep", async () => {
    const due = await world.connect();
    await world.setExpiresAt(due, new Date(Date.now() + 10 * 60_000));
    await insertConnection(db, alice, { status: "degraded" });
    await insertConnection(db, alice, { status: "needs_reconnect" });
    const ending = await insertConnection(db, alice);
    await db.connection.update({ where: { id: ending.id }, data: { reconnectBy: new Date(Date.now() + 3 * 86_400_000) } });
    await insertConnection(db, carol, { status: "degraded" });

    const before = await refreshOverview(alice.tenantId);
    expect(before).toMatchObject({ due: 1, failing: 1, needsReconnect: 1, endingSoon: 1, refreshing: 0 });
    await runRefreshSweep();
    const after = await refreshOverview(alice.tenantId);
    expect(after.engine).toMatchObject({ lastRunRefreshed: 1, lastRunError: null });
    expect(Date.parse(after.engine.lastRunAt!)).toBeGreaterThan(Date.now() - 10_000);
    expect(JSON.stringify(after)).not.toContain((await world.plainTokens(due)).access);
  });
});
