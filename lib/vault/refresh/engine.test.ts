// The background refresh engine against the real Demo Tasks provider: a sweep refreshes what expires
// within the hour and nothing else, backs off after a transient failure, reports its state, and
// starts and stops on request.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { startVaultWorld } from "@/lib/testing/vault-world";

const world = await startVaultWorld();
const { getDb } = await import("@/lib/db");
const { runRefreshSweep, refreshEngineState, startRefreshEngine, stopRefreshEngine, backoffDelay, SWEEP_INTERVAL_MS } =
  await import("@/lib/vault/refresh/engine");
const { alice, bob } = world.people;

let aliceId = "";
let bobId = "";
const minutes = (n: number) => new Date(Date.now() + n * 60_000);

beforeEach(async () => {
  aliceId = await world.connect(alice, "alice");
  bobId = await world.connect(bob, "bob");
});

afterAll(async () => {
  await stopRefreshEngine();
  await world.provider.close();
});

describe("refresh engine", () => {
  it("refreshes what expires within the hour, leaves the rest, and reports it", async () => {
    await world.setExpiresAt(aliceId, minutes(30));
    await world.setExpiresAt(bobId, minutes(120));
    const before = { alice: await world.plainTokens(aliceId), bob: await world.plainTokens(bobId) };
    const grants = world.stats().refreshGrants;
    const result = await runRefreshSweep();
    expect(result).toMatchObject({ refreshed: 1, failed: 0 });
    expect(world.stats().refreshGrants).toBe(grants + 1);
    expect((await world.plainTokens(aliceId)).refresh).not.toBe(before.alice.refresh);
    expect(await world.plainTokens(bobId)).toEqual(before.bob);
    const state = refreshEngineState();
    expect(state).toMatchObject({ lastRunRefreshed: 1, lastRunFailed: 0, sweeping: false, lastRunError: null });
    expect(Date.parse(state.lastRunAt!)).toBeGreaterThan(Date.now() - 10_000);
  });

  it("skips connections that need reconnecting", async () => {
    await world.setExpiresAt(aliceId, minutes(10));
    await world.setExpiresAt(bobId, minutes(120));
    await (await getDb()).connection.update({ where: { id: aliceId }, data: { status: "needs_reconnect" } });
    const requests = world.stats().tokenRequests;
    expect(await runRefreshSweep()).toMatchObject({ checked: 0, refreshed: 0 });
    expect(world.stats().tokenRequests).toBe(requests);
  });

  it("a transient failure leaves the connection degraded (still usable) and backs it off for later sweeps", async () => {
    await world.setExpiresAt(aliceId, minutes(10));
    await world.setExpiresAt(bobId, minutes(120));
    await world.control("/__test/fail-token-endpoint", { count: 1 });
    expect(await runRefreshSweep()).toMatchObject({ refreshed: 0, failed: 1 });
    expect(refreshEngineState().lastRunFailed).toBe(1);
    expect(await (await getDb()).connection.findUniqueOrThrow({ where: { id: aliceId } })).toMatchObject({ status: "degraded", failureCount: 1 });
    // Backed off: the next sweep does not ask the provider again.
    const requests = world.stats().tokenRequests;
    expect(await runRefreshSweep()).toMatchObject({ skipped: 1, checked: 0 });
    expect(world.stats().tokenRequests).toBe(requests);
    expect(backoffDelay(1)).toBe(SWEEP_INTERVAL_MS);
    expect(backoffDelay(3)).toBe(4 * SWEEP_INTERVAL_MS);
    expect(backoffDelay(30)).toBe(60 * 60_000);
  });

  it("marks a connection past its refresh token's lifetime as needing reconnection, before any call meets it, and says why", async () => {
    const db = await getDb();
    // Neither access token is due for a refresh: only the lifetime decides.
    await world.setExpiresAt(aliceId, minutes(120));
    await world.setExpiresAt(bobId, minutes(120));
    await db.connection.update({ where: { id: aliceId }, data: { reconnectBy: new Date(Date.now() - 1000) } });
    await db.connection.update({ where: { id: bobId }, data: { reconnectBy: new Date(Date.now() + 3 * 86_400_000) } });
    const requests = world.stats().tokenRequests;
    await runRefreshSweep();
    const ended = await db.connection.findUniqueOrThrow({ where: { id: aliceId } });
    expect(ended.status).toBe("needs_reconnect");
    expect(ended.lastError).toMatch(/stops honouring this connection's refresh token .*connect Demo Tasks again/);
    expect(await db.connection.findUniqueOrThrow({ where: { id: bobId } })).toMatchObject({ status: "active" });
    expect(world.stats().tokenRequests).toBe(requests);
    const audit = await db.auditEvent.findFirst({ where: { action: "connection.lifetime_ended", target: aliceId } });
    expect(audit?.details).toMatchObject({ code: "connection_needs_reconnect" });
  });

  it("takes up a connection left refreshing by an instance that stopped mid-refresh, once its lease ran out", async () => {
    const db = await getDb();
    // bob's connection: alice's is still backed off from the transient failure above.
    await world.setExpiresAt(bobId, minutes(10));
    await world.setExpiresAt(aliceId, minutes(120));
    await db.connection.update({
      where: { id: bobId },
      data: { status: "refreshing", refreshLeaseOwner: "a-stopped-instance", refreshLeaseUntil: new Date(Date.now() - 1000) },
    });
    expect(await runRefreshSweep()).toMatchObject({ refreshed: 1, failed: 0 });
    expect(await db.connection.findUniqueOrThrow({ where: { id: bobId } })).toMatchObject({ status: "active", refreshLeaseOwner: null });
  });

  it("starts on a timer, reports the next run, and stops", async () => {
    startRefreshEngine({ firstRunDelayMs: 20, intervalMs: 60_000 });
    expect(refreshEngineState()).toMatchObject({ running: true });
    const previous = refreshEngineState().lastRunAt;
    const deadline = Date.now() + 10_000;
    while (refreshEngineState().lastRunAt === previous && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(refreshEngineState().lastRunAt).not.toBe(previous);
    await new Promise((r) => setTimeout(r, 20));
    expect(Date.parse(refreshEngineState().nextRunAt!)).toBeGreaterThan(Date.now() + 30_000);
    await stopRefreshEngine();
    expect(refreshEngineState()).toMatchObject({ running: false, nextRunAt: null });
  });
});
