// Token refresh against the real Demo Tasks provider (rotating refresh tokens) on PGlite: the rotated
// refresh token is what gets stored, invalid_grant and transient failures end where they should,
// and the single flight holds between two owners that share nothing but the database row.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { startVaultWorld } from "@/lib/testing/vault-world";

const world = await startVaultWorld();
const { getDb } = await import("@/lib/db");
const { ensureFreshTokens, TokenRefresher, REFRESH_LEASE_MS } = await import("@/lib/vault/refresh/refresher");
const { callProvider } = await import("@/lib/vault/call/provider-call");
const { alice } = world.people;

let id = "";
const past = () => new Date(Date.now() - 1000);
const connection = async () => (await getDb()).connection.findUniqueOrThrow({ where: { id } });
/** This connection's refresh audit rows since the test began (the id survives reconnects), oldest first. */
const refreshAudits = async (outcome: string) =>
  (await getDb()).auditEvent.findMany({ where: { action: "connection.refresh", outcome, target: id, seq: { gt: auditMark } }, orderBy: { seq: "asc" } });
let auditMark = 0;

beforeEach(async () => {
  // A fresh grant per test: some tests deliberately kill the previous one.
  id = await world.connect();
  auditMark = (await (await getDb()).auditEvent.aggregate({ _max: { seq: true }, where: { tenantId: alice.tenantId } }))._max.seq ?? 0;
});

afterAll(async () => {
  await world.provider.close();
});

describe("refresh", () => {
  it("stores the rotated refresh token; the provider then refuses the old one", async () => {
    const before = await world.plainTokens(id);
    const grants = world.stats().refreshGrants;
    await world.setExpiresAt(id, past());
    expect(await ensureFreshTokens(id)).toBe("refreshed");
    expect(world.stats().refreshGrants).toBe(grants + 1);

    const after = await world.plainTokens(id);
    expect(after.access).not.toBe(before.access);
    expect(after.refresh).not.toBe(before.refresh);
    const row = await connection();
    expect(row).toMatchObject({ status: "active", failureCount: 0, lastError: null, refreshLeaseOwner: null, refreshLeaseUntil: null });
    expect(row.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 60_000);
    expect(row.lastRefreshedAt!.getTime()).toBeGreaterThan(Date.now() - 10_000);

    const audits = await refreshAudits("success");
    expect(audits).toHaveLength(1);
    expect(audits[0]!.actorArn).toBe(alice.arn);
    const text = JSON.stringify(audits);
    for (const t of [before.access, before.refresh, after.access, after.refresh]) expect(text).not.toContain(t);

    // The stored (new) refresh token works at the provider; the old one is refused.
    const old = await world.redeemRefreshToken(before.refresh);
    expect(old.status).toBe(400);
    expect(old.body.error).toBe("invalid_grant");
  });

  it("does nothing while the token has more than a minute left", async () => {
    const grants = world.stats().refreshGrants;
    await world.setExpiresAt(id, new Date(Date.now() + 5 * 60_000));
    expect(await ensureFreshTokens(id)).toBe("current");
    await world.setExpiresAt(id, new Date(Date.now() + 30_000));
    expect(await ensureFreshTokens(id)).toBe("refreshed");
    expect(world.stats().refreshGrants).toBe(grants + 1);
  });

  it("a forced refresh for a token that was already replaced does not refresh again", async () => {
    const { createHash } = await import("node:crypto");
    const stale = createHash("sha256").update("an access token that is no longer stored").digest("hex");
    const grants = world.stats().refreshGrants;
    expect(await ensureFreshTokens(id, { rejectedFingerprint: stale })).toBe("current");
    expect(world.stats().refreshGrants).toBe(grants);
    const current = createHash("sha256")
      .update((await world.plainTokens(id)).access)
      .digest("hex");
    expect(await ensureFreshTokens(id, { rejectedFingerprint: current })).toBe("refreshed");
    expect(world.stats().refreshGrants).toBe(grants + 1);
  });

  it("invalid_grant: the connection needs reconnecting, with a typed error, a sentence and an audit row", async () => {
    const { access } = await world.plainTokens(id);
    await world.storeTokens(id, { access, refresh: "planted-refresh-token-the-provider-never-issued", expiresAt: past() });
    await expect(ensureFreshTokens(id)).rejects.toMatchObject({ name: "VaultCallError", code: "connection_needs_reconnect", httpStatus: 409 });
    const row = await connection();
    expect(row.status).toBe("needs_reconnect");
    expect(row.lastError).toMatch(/Demo Tasks refused the refresh token.*reconnect Demo Tasks/);
    expect(row.refreshLeaseOwner).toBeNull();
    const [audit] = await refreshAudits("failure");
    expect(audit?.details).toMatchObject({ code: "connection_needs_reconnect", detail: "invalid_grant" });

    // From now on nothing is sent to the provider until the person reconnects.
    const requests = world.stats().tokenRequests;
    await expect(ensureFreshTokens(id)).rejects.toMatchObject({ code: "connection_needs_reconnect" });
    await expect(callProvider({ tenantId: alice.tenantId, connectionId: id, method: "GET", url: world.tasksUrl })).rejects.toMatchObject({
      code: "connection_needs_reconnect",
    });
    expect(world.stats().tokenRequests).toBe(requests);

    // Reconnecting the same account makes the same connection active again.
    expect(await world.connect()).toBe(id);
    expect((await connection()).status).toBe("active");
  });

  it("a reused (rotated) refresh token kills the grant at the provider: the next refresh asks for a reconnect", async () => {
    const before = await world.plainTokens(id);
    await world.setExpiresAt(id, past());
    await ensureFreshTokens(id);
    await world.redeemRefreshToken(before.refresh); // reuse detection revokes the whole grant
    await world.setExpiresAt(id, past());
    await expect(ensureFreshTokens(id)).rejects.toMatchObject({ code: "connection_needs_reconnect" });
  });

  it("is refreshing while an instance holds the lease, and active again after", async () => {
    await world.setExpiresAt(id, past());
    expect((await world.control("/__test/slow-token-endpoint", { ms: 600, count: 1 })).status).toBe(200);
    const flight = ensureFreshTokens(id);
    let seen = "";
    for (let i = 0; i < 50 && seen !== "refreshing"; i++) {
      await new Promise((r) => setTimeout(r, 20));
      seen = (await connection()).status;
    }
    expect(seen).toBe("refreshing");
    expect(await flight).toBe("refreshed");
    expect(await connection()).toMatchObject({ status: "active", refreshLeaseOwner: null });
  });

  it("a 500 from the token endpoint leaves the connection degraded (still usable) and raises provider_unavailable", async () => {
    await world.setExpiresAt(id, past());
    expect((await world.control("/__test/fail-token-endpoint", { count: 1 })).status).toBe(200);
    await expect(ensureFreshTokens(id)).rejects.toMatchObject({ name: "VaultCallError", code: "provider_unavailable", httpStatus: 502 });
    const row = await connection();
    expect(row).toMatchObject({ status: "degraded", failureCount: 1, refreshLeaseOwner: null });
    expect(row.lastError).toMatch(/Demo Tasks could not refresh the access token right now \(it answered HTTP 500\)/);
    expect((await refreshAudits("failure"))[0]?.details).toMatchObject({ code: "provider_unavailable", detail: "500" });

    // The next attempt succeeds and resets the failure count.
    expect(await ensureFreshTokens(id)).toBe("refreshed");
    expect(await connection()).toMatchObject({ status: "active", failureCount: 0, lastError: null });
  });

  it.each([503, 502])("a %s from the token endpoint leaves the connection degraded, still usable, and the next refresh recovers it", async (status) => {
    await world.setExpiresAt(id, past());
    expect((await world.control("/__test/fail-token-endpoint", { count: 1, status })).status).toBe(200);
    const before = await world.plainTokens(id);
    await expect(ensureFreshTokens(id)).rejects.toMatchObject({ code: "provider_unavailable" });
    expect(await connection()).toMatchObject({ status: "degraded", failureCount: 1, refreshLeaseOwner: null });
    // Nothing lost: the stored token set is the one from before the failure, and it still refreshes.
    expect(await world.plainTokens(id)).toEqual(before);
    expect(await ensureFreshTokens(id)).toBe("refreshed");
    expect(await connection()).toMatchObject({ status: "active", failureCount: 0 });
  });

  it("a token endpoint that does not answer in time: degraded after the timeout, the token set kept, then recovered", { timeout: 30_000 }, async () => {
    await world.setExpiresAt(id, past());
    expect((await world.control("/__test/slow-token-endpoint", { ms: 11_000, count: 1 })).status).toBe(200);
    const before = await world.plainTokens(id);
    const started = Date.now();
    await expect(ensureFreshTokens(id)).rejects.toMatchObject({ code: "provider_unavailable" });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await connection()).toMatchObject({ status: "degraded", failureCount: 1, refreshLeaseOwner: null });
    expect(await world.plainTokens(id)).toEqual(before);
    // After the vault gave up on the slow request, the stored token set still refreshes.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await ensureFreshTokens(id)).toBe("refreshed");
  });

  it("without a refresh token: nothing happens early, a dead token means reconnect", async () => {
    const { access } = await world.plainTokens(id);
    await world.storeTokens(id, { access, expiresAt: new Date(Date.now() + 30 * 60_000) });
    const requests = world.stats().tokenRequests;
    expect(await ensureFreshTokens(id, { withinMs: 60 * 60_000 })).toBe("current");
    expect((await connection()).status).toBe("active");
    await world.setExpiresAt(id, past());
    await expect(ensureFreshTokens(id)).rejects.toMatchObject({ code: "connection_needs_reconnect" });
    expect((await connection()).lastError).toMatch(/no refresh token.*reconnect Demo Tasks/);
    expect(world.stats().tokenRequests).toBe(requests);
  });
});

describe("single flight across owners sharing only the database", () => {
  it("two owners, 25 concurrent callers each: one refresh at the provider", async () => {
    const a = new TokenRefresher({ owner: "process-a" });
    const b = new TokenRefresher({ owner: "process-b" });
    await world.setExpiresAt(id, past());
    const grants = world.stats().refreshGrants;
    const need = { kind: "expiring", withinMs: 60_000 } as const;
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).ensureFresh(id, need).then((o) => [i % 2 ? "a" : "b", o] as const)),
    );
    expect(world.stats().refreshGrants).toBe(grants + 1);
    const winners = new Set(outcomes.filter(([, o]) => o === "refreshed").map(([who]) => who));
    expect(winners.size).toBe(1);
    // In-process single flight: the winner's 25 callers shared its one flight and all saw "refreshed".
    expect(outcomes.filter(([, o]) => o === "refreshed")).toHaveLength(25);
    expect(await connection()).toMatchObject({ status: "active", refreshLeaseOwner: null });
    const res = await callProvider({ tenantId: alice.tenantId, connectionId: id, method: "GET", url: world.tasksUrl });
    expect(res.status).toBe(200);
  });

  it("waits for a lease another owner holds, and takes it over once it expires (the owner died)", async () => {
    const db = await getDb();
    await db.connection.update({
      where: { id },
      data: { expiresAt: past(), refreshLeaseOwner: "dead-process", refreshLeaseUntil: new Date(Date.now() + 800) },
    });
    const grants = world.stats().refreshGrants;
    const started = Date.now();
    expect(await ensureFreshTokens(id)).toBe("refreshed");
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect(world.stats().refreshGrants).toBe(grants + 1);
    expect(await connection()).toMatchObject({ refreshLeaseOwner: null, refreshLeaseUntil: null });
    expect(REFRESH_LEASE_MS).toBeGreaterThan(10_000);
  });

  it("stops waiting, without calling the provider, when the lease holder reports a failure", async () => {
    const db = await getDb();
    await db.connection.update({
      where: { id },
      data: { expiresAt: past(), refreshLeaseOwner: "other-process", refreshLeaseUntil: new Date(Date.now() + 5_000) },
    });
    const requests = world.stats().tokenRequests;
    const waiting = ensureFreshTokens(id);
    await new Promise((r) => setTimeout(r, 300));
    // What the other process writes when its provider call fails transiently.
    await db.connection.update({
      where: { id },
      data: { failureCount: { increment: 1 }, lastError: "Demo Tasks is down (other process).", refreshLeaseOwner: null, refreshLeaseUntil: null },
    });
    await expect(waiting).rejects.toMatchObject({ code: "provider_unavailable", message: "Demo Tasks is down (other process)." });
    expect(world.stats().tokenRequests).toBe(requests);
  });

  it("another owner's finished refresh is seen by the waiter, which then does not refresh", async () => {
    const db = await getDb();
    const other = new TokenRefresher({ owner: "other-process" });
    await world.setExpiresAt(id, past());
    const grants = world.stats().refreshGrants;
    // The other owner holds the lease while it refreshes; ours polls meanwhile.
    await db.connection.update({ where: { id }, data: { refreshLeaseOwner: "other-process", refreshLeaseUntil: new Date(Date.now() + 10_000) } });
    const waiting = ensureFreshTokens(id);
    await new Promise((r) => setTimeout(r, 200));
    expect(await other.ensureFresh(id, { kind: "expiring", withinMs: 60_000 })).toBe("refreshed");
    expect(await waiting).toBe("current");
    expect(world.stats().refreshGrants).toBe(grants + 1);
  });
});
