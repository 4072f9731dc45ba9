// The background refresh engine against the real Demo Tasks provider: a sweep refreshes what expires
// within the hour and nothing else, backs off after a transient failure, reports its state, and
// starts and stops on request. Its reconnect warnings: 7 days and 1 day before a connection's
// refresh token stops working, one audit row each (so one webhook event) per reconnectBy.
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { startVaultWorld } from "@/lib/testing/vault-world";

const world = await startVaultWorld();
const { getDb } = await import("@/lib/db");
const { runRefreshSweep, refreshEngineState, startRefreshEngine, stopRefreshEngine, backoffDelay, SWEEP_INTERVAL_MS, warnBeforeReconnect } =
  await import("@/lib/vault/refresh/engine");
const { buildEvents } = await import("@/lib/events/from-audit");
const { eventSchema } = await import("@/lib/events/schemas");
const { alice, bob } = world.people;

let aliceId = "";
let bobId = "";
const minutes = (n: number) => new Date(Date.now() + n * 60_000);
const DAY = 86_400_000;

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

describe("reconnect warnings", () => {
  const allWarnings = async (id: string) =>
    (await getDb()).auditEvent.findMany({ where: { action: "connection.reconnect_warning", target: id }, orderBy: { seq: "asc" } });
  // Earlier tests in this file may have warned these connections already: each test counts its own.
  let seen = new Map<string, number>();
  const warnings = async (id: string) => (await allWarnings(id)).slice(seen.get(id) ?? 0);
  const daysLeft = async (id: string) => (await warnings(id)).map((w) => (w.details as { daysLeft: number }).daysLeft);
  beforeEach(async () => {
    seen = new Map([
      [aliceId, (await allWarnings(aliceId)).length],
      [bobId, (await allWarnings(bobId)).length],
    ]);
  });

  it("warns 7 days before once and 1 day before once, without touching the credential, and again after a reconnect moves reconnectBy", async () => {
    const db = await getDb();
    await world.setExpiresAt(aliceId, minutes(120));
    await world.setExpiresAt(bobId, minutes(120));
    const end = new Date(Date.now() + 6.5 * DAY);
    await db.connection.update({ where: { id: aliceId }, data: { reconnectBy: end } });
    await db.connection.update({ where: { id: bobId }, data: { reconnectBy: new Date(Date.now() + 30 * DAY) } });
    const before = await db.connection.findUniqueOrThrow({ where: { id: aliceId } });

    await runRefreshSweep();
    const [soon] = await warnings(aliceId);
    expect(soon).toMatchObject({ outcome: "success", actorArn: expect.any(String) });
    expect(soon!.details).toEqual({ provider: "demo-tasks", account: before.label, reconnectBy: end.toISOString(), daysLeft: 7 });
    expect(await warnings(bobId)).toEqual([]);
    const after = await db.connection.findUniqueOrThrow({ where: { id: aliceId } });
    expect(after).toMatchObject({ reconnectWarnedFor: end, reconnectWarnedDays: 7, status: "active", credentialVersion: before.credentialVersion });

    // The next sweeps (any instance) write nothing more until the 1-day mark.
    await runRefreshSweep();
    expect(await warnBeforeReconnect(db, new Date(Date.now() + 3 * DAY))).toBe(0);
    expect(await daysLeft(aliceId)).toEqual([7]);

    const dayBefore = new Date(end.getTime() - 20 * 3_600_000);
    expect(await warnBeforeReconnect(db, dayBefore)).toBe(1);
    expect(await warnBeforeReconnect(db, dayBefore)).toBe(0);
    expect(await warnBeforeReconnect(db, new Date(end.getTime() - 60_000))).toBe(0);
    expect(await daysLeft(aliceId)).toEqual([7, 1]);
    expect((await db.connection.findUniqueOrThrow({ where: { id: aliceId } })).credentialVersion).toBe(before.credentialVersion);

    // Reconnecting gives a new refresh token with a new end: both warnings are armed again.
    await world.connect(alice, "alice");
    const next = new Date(Date.now() + 5 * DAY);
    await db.connection.update({ where: { id: aliceId }, data: { reconnectBy: next } });
    await runRefreshSweep();
    await runRefreshSweep();
    expect(await daysLeft(aliceId)).toEqual([7, 1, 7]);
    expect((await warnings(aliceId))[2]!.details).toMatchObject({ reconnectBy: next.toISOString() });
    expect(await warnBeforeReconnect(db, new Date(next.getTime() - 3_600_000))).toBe(1);
    expect(await daysLeft(aliceId)).toEqual([7, 1, 7, 1]);
  });

  it("a connection first seen within 1 day gets only the 1-day warning; one past its end, or not usable, gets none", async () => {
    const db = await getDb();
    await world.setExpiresAt(aliceId, minutes(120));
    await world.setExpiresAt(bobId, minutes(120));
    await db.connection.update({ where: { id: bobId }, data: { reconnectBy: new Date(Date.now() + 12 * 3_600_000) } });
    await db.connection.update({ where: { id: aliceId }, data: { reconnectBy: new Date(Date.now() + 3 * DAY), status: "needs_reconnect" } });
    await runRefreshSweep();
    await runRefreshSweep();
    expect(await daysLeft(bobId)).toEqual([1]);
    expect(await warnings(aliceId)).toEqual([]);
    // Past the end: the connection needs reconnecting, and no warning is written for it.
    expect(await warnBeforeReconnect(db, new Date(Date.now() + 2 * DAY))).toBe(0);
  });

  it("the webhook event made from a warning row validates against its published schema and carries exactly its fields", async () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    (addFormatsModule as unknown as (a: Ajv2020) => void)(ajv);
    const schema = eventSchema("connected_account_reconnect_warning");
    const validate = ajv.compile(schema);
    const row = (await allWarnings(bobId)).at(-1)!;
    const [event, ...more] = buildEvents(row);
    expect(more).toEqual([]);
    expect(validate(event), JSON.stringify(validate.errors)).toBe(true);
    const fields = Object.keys((schema.properties as { data: { properties: object } }).data.properties).sort();
    expect(Object.keys(event!.data).sort()).toEqual(fields);
    expect(event).toMatchObject({
      type: "connected_account_reconnect_warning",
      tenantId: bob.tenantId,
      auditSeq: row.seq,
      data: {
        connectionId: bobId,
        provider: "demo-tasks",
        daysLeft: 1,
        userArn: row.actorArn,
        reconnectBy: (row.details as { reconnectBy: string }).reconnectBy,
      },
    });
    expect(row.actorArn).toBeTruthy();
  });
});
