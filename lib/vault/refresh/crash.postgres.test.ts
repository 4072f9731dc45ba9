// A vault instance killed between the provider's answer and the database write, on PostgreSQL. A
// sweeper child (its own process, lease owner and connection pool) refreshes connections at the
// real Demo Tasks provider, which rotates refresh tokens. This test holds the tenant's audit head
// row from a session of its own, so the child's save transactions (row locked, token set written,
// audit next) wait on it after the provider has answered; once every one waits, the child gets
// SIGKILL and its writes never commit. The rows keep the refresh tokens the child sent; the lease
// runs out and this process, the next owner, sends them again:
//   - the provider honours a lost answer (a grace): every connection is active again with working
//     tokens, each refresh token was granted exactly twice, the lost answers' tokens are dead and
//     the old refresh tokens are never sent again;
//   - it does not: every connection needs reconnecting, with a sentence saying the refresh was
//     interrupted, and nothing more is sent to the provider.
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";

import { createPostgresDatabase } from "@/lib/testing/db";
import { startVaultWorld } from "@/lib/testing/vault-world";

const database = await createPostgresDatabase();
const world = await startVaultWorld({ databaseUrl: database.url });
const { getDb, closeDb } = await import("@/lib/db");
const { startInstance } = await import("@/lib/testing/instances");
const { runRefreshSweep } = await import("./engine");
const { REFRESH_LEASE_MS } = await import("./refresher");
const { callProvider } = await import("@/lib/vault/call/provider-call");
const db = await getDb();
const { alice } = world.people;

// Three connections of alice's, one per Demo Tasks account, refreshed by the child at once.
const ids = [await world.connect(alice, "alice"), await world.connect(alice, "bob"), await world.connect(alice, "carol")];

const sessions: pg.Client[] = [];
afterAll(async () => {
  await Promise.all(sessions.map((c) => c.end().catch(() => undefined)));
  await closeDb();
  await world.provider.close();
  await database.drop();
});

async function session(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: database.url, connectionTimeoutMillis: 5_000, statement_timeout: 60_000 });
  client.on("error", () => undefined);
  await client.connect();
  sessions.push(client);
  return client;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 50 ms until it holds, for at most `ms`. */
async function until(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(50);
  }
}

async function issued(): Promise<{ accessTokens: string[]; refreshTokens: string[] }> {
  return (await fetch(`${world.provider.issuer}/__test/issued-tokens`)).json() as Promise<{ accessTokens: string[]; refreshTokens: string[] }>;
}

const rows = () => db.connection.findMany({ where: { id: { in: ids } }, orderBy: { id: "asc" } });
const refreshAudits = (seq: number) =>
  db.auditEvent.findMany({ where: { action: "connection.refresh", target: { in: ids }, seq: { gt: seq } }, orderBy: { seq: "asc" } });
const lastSeq = async () => (await db.auditEvent.aggregate({ _max: { seq: true } }))._max.seq ?? 0;

type Crash = {
  /** The refresh tokens the rows held, which the child sent. */
  sent: Map<string, string>;
  /** What the provider answered the child: tokens no one ever received. */
  lost: { accessTokens: string[]; refreshTokens: string[] };
  owner: string;
  killedAt: number;
};

/**
 * The child sweeps the (due) connections; each save waits on the audit head this test holds; when
 * all three wait and the provider has answered all three, the child is SIGKILLed.
 */
async function killMidSave(): Promise<Crash> {
  const past = new Date(Date.now() - 1000);
  await db.connection.updateMany({ where: { id: { in: ids } }, data: { expiresAt: past } });
  const sent = new Map<string, string>();
  for (const id of ids) sent.set(id, (await world.plainTokens(id)).refresh);
  const before = await issued();
  const child = await startInstance({}, "sweeper-main.ts");

  const holder = await session();
  await holder.query("BEGIN");
  await holder.query(`SELECT 1 FROM "AuditHead" WHERE "tenantId" = $1 FOR UPDATE`, [alice.tenantId]);
  const { rows: me } = await holder.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
  const blocked = async () =>
    (
      await holder.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> $1 AND cardinality(pg_blocking_pids(pid)) > 0`,
        [me[0]!.pid],
      )
    ).rows.map((r) => r.pid);
  void child.sweep();
  await until("the provider answered the child and its three saves wait", 30_000, async () => {
    const answered = [...sent.values()].every((token) => world.provider.refreshGrantsOf(token) === 1);
    return answered && (await blocked()).length === ids.length;
  });
  const waiting = await blocked();
  // Each save holds its connection row already (it waits further on, at the audit append).
  const probe = await session();
  for (const id of ids) {
    await expect(probe.query(`SELECT 1 FROM "Connection" WHERE "id" = $1 FOR UPDATE NOWAIT`, [id])).rejects.toMatchObject({ code: "55P03" });
  }
  const after = await issued();
  const lost = {
    accessTokens: after.accessTokens.filter((t) => !before.accessTokens.includes(t)),
    refreshTokens: after.refreshTokens.filter((t) => !before.refreshTokens.includes(t)),
  };
  expect(lost.refreshTokens).toHaveLength(ids.length);

  await child.kill("SIGKILL");
  const killedAt = Date.now();
  await holder.query("ROLLBACK");
  // The child's sessions end once they find their client gone; their transactions roll back.
  await until("the killed child's sessions ended", 15_000, async () => {
    const { rows: left } = await holder.query(`SELECT pid FROM pg_stat_activity WHERE pid = ANY($1::int[])`, [waiting]);
    return left.length === 0;
  });

  // Nothing of the child's save committed: each row still holds the refresh token it sent, leased to the dead child.
  const stranded = await rows();
  const owner = stranded[0]!.refreshLeaseOwner ?? "";
  expect(owner).toContain(`:${child.pid}:`);
  for (const row of stranded) {
    expect(row).toMatchObject({ status: "refreshing", refreshLeaseOwner: owner, expiresAt: past });
    expect(row.refreshLeaseUntil!.getTime()).toBeGreaterThan(Date.now());
    expect((await world.plainTokens(row.id)).refresh).toBe(sent.get(row.id));
  }
  return { sent, lost, owner, killedAt };
}

const call = (id: string) => callProvider({ tenantId: alice.tenantId, connectionId: id, method: "GET", url: world.tasksUrl });

describe("a vault instance killed between the provider's answer and the database write (PostgreSQL)", () => {
  it("the provider honours the lost answer: the next owner recovers every connection, no token set is lost", { timeout: 120_000 }, async () => {
    expect((await world.control("/__test/refresh-token-grace", { seconds: 120 })).status).toBe(200);
    const start = await world.provider.stats();
    const seq = await lastSeq();
    const crash = await killMidSave();

    // Agents call through this instance: each call waits out the dead child's lease, then refreshes.
    const results = await Promise.all(ids.map((id) => call(id)));
    const recoveredAfter = Date.now() - crash.killedAt;
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    console.log(`crash, lost answer honoured: ${ids.length} connections recovered ${(recoveredAfter / 1000).toFixed(1)} s after the kill`);
    expect(recoveredAfter).toBeLessThan(REFRESH_LEASE_MS + 5_000);

    const stats = world.provider.stats();
    expect(stats.refreshGrants - start.refreshGrants).toBe(2 * ids.length);
    expect(stats.refreshReplays - start.refreshReplays).toBe(ids.length);
    expect(stats.refreshReuses - start.refreshReuses).toBe(0);
    const stored = new Map<string, string>();
    for (const row of await rows()) {
      expect(row).toMatchObject({ status: "active", failureCount: 0, lastError: null, refreshLeaseOwner: null, refreshLeaseUntil: null });
      expect(row.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 60_000);
      const { refresh } = await world.plainTokens(row.id);
      expect(refresh).not.toBe(crash.sent.get(row.id));
      expect(crash.lost.refreshTokens).not.toContain(refresh);
      stored.set(row.id, refresh);
      // Exactly the expected re-grant: the refresh token the row kept, twice (the lost answer, then this one).
      expect(world.provider.refreshGrantsOf(crash.sent.get(row.id)!)).toBe(2);
    }
    const audits = await refreshAudits(seq);
    expect(audits.map((a) => [a.outcome, (a.details as { interrupted?: boolean }).interrupted])).toEqual(ids.map(() => ["success", true]));

    // The lost answers open nothing and were never presented.
    for (const token of crash.lost.refreshTokens) {
      expect(world.provider.refreshGrantsOf(token)).toBe(0);
      expect((await world.redeemRefreshToken(token)).body.error).toBe("invalid_grant");
    }
    for (const token of crash.lost.accessTokens) expect((await fetch(world.tasksUrl, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);

    // The next refreshes send the stored tokens, never a stale one.
    await db.connection.updateMany({ where: { id: { in: ids } }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const sweep = await runRefreshSweep();
    expect(sweep).toMatchObject({ refreshed: ids.length, failed: 0 });
    for (const id of ids) {
      expect(world.provider.refreshGrantsOf(stored.get(id)!)).toBe(1);
      expect(world.provider.refreshGrantsOf(crash.sent.get(id)!)).toBe(2);
    }
    expect(world.provider.stats().refreshReuses - start.refreshReuses).toBe(0);
    expect((await Promise.all(ids.map((id) => call(id)))).map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await db.connection.count({ where: { id: { in: ids }, status: "active" } })).toBe(ids.length);
  });

  it(
    "the provider gives no grace: the next owner's refresh is refused and each connection needs reconnecting, saying the refresh was interrupted",
    { timeout: 120_000 },
    async () => {
      expect((await world.control("/__test/refresh-token-grace", { seconds: 0 })).status).toBe(200);
      const start = world.provider.stats();
      const seq = await lastSeq();
      const crash = await killMidSave();

      // The refresh engine of this instance takes the rows up once the dead child's lease has run out.
      await until("the dead child's lease ran out", REFRESH_LEASE_MS + 5_000, async () => {
        const left = await db.connection.count({ where: { id: { in: ids }, refreshLeaseUntil: { gt: new Date() } } });
        return left === 0;
      });
      const sweep = await runRefreshSweep();
      console.log(`crash, no grace: ${ids.length} connections marked needs_reconnect ${((Date.now() - crash.killedAt) / 1000).toFixed(1)} s after the kill`);
      expect(sweep).toMatchObject({ refreshed: 0, failed: ids.length });

      const sentence =
        "A refresh of this Demo Tasks connection was interrupted before the vault could store its result, and Demo Tasks no longer accepts the refresh token the vault kept (it replaced or revoked it then): reconnect Demo Tasks.";
      for (const row of await rows()) {
        expect(row).toMatchObject({ status: "needs_reconnect", lastError: sentence, refreshLeaseOwner: null, refreshLeaseUntil: null });
        // Refused, not granted again: the provider revoked the whole grant (reuse of a rotated token).
        expect(world.provider.refreshGrantsOf(crash.sent.get(row.id)!)).toBe(1);
      }
      const stats = world.provider.stats();
      expect(stats.refreshGrants - start.refreshGrants).toBe(ids.length);
      expect(stats.refreshReuses - start.refreshReuses).toBe(ids.length);
      expect(stats.refreshReplays - start.refreshReplays).toBe(0);
      const audits = await refreshAudits(seq);
      expect(audits.map((a) => [a.outcome, (a.details as { detail?: string }).detail])).toEqual(ids.map(() => ["failure", "invalid_grant:interrupted"]));

      // Agents are told the same sentence, and nothing more reaches the provider until alice reconnects.
      const requests = world.provider.stats().tokenRequests;
      for (const id of ids) await expect(call(id)).rejects.toMatchObject({ code: "connection_needs_reconnect", message: sentence });
      expect(world.provider.stats().tokenRequests).toBe(requests);
      expect(await world.connect(alice, "alice")).toBe(ids[0]);
      expect((await call(ids[0]!)).status).toBe(200);
    },
  );
});
