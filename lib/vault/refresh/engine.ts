import "server-only";
// The background refresh engine: every five minutes (first run shortly after start) it refreshes the
// connections whose access tokens expire within the hour, through the same single-flight path as
// on-demand refreshes, so it never races an agent's call. Each sweep takes up due connections in
// batches by setting their refresh lease in one statement that skips rows another instance holds,
// so several instances split the work; within an instance at most PER_PROVIDER_CONCURRENCY
// refreshes per provider run at once, and a provider that answers 429 is paused for its
// Retry-After. A connection whose provider fails transiently is retried with exponential backoff
// (it is degraded, still usable); one whose refresh token is refused needs reconnecting and drops
// out of the sweep; one past its refresh token's lifetime is marked so before any call meets it, and
// its owner is told 7 days and 1 day before (an audit row, so a webhook event), once each.
import { appendAudit } from "@/lib/audit/append";
import { DAY_MS, RECONNECT_WARNINGS_DAYS, reconnectWarning } from "@/lib/connections/lifecycle";
import { getDb, getSql, type VaultPrismaClient } from "@/lib/db";
import { log } from "@/lib/log";
import { isUsableConnection, USABLE_CONNECTION_STATUSES } from "@/lib/pdp/connection";
import { getTenantProvider } from "@/lib/providers/registry";
import { isVaultCallError } from "@/lib/vault/call/errors";
import { endLifetime, lockRow, releaseLease, TX_OPTIONS } from "@/lib/vault/refresh/outcome";
import { REFRESH_LEASE_MS, tokenRefresher, type TokenRefresher } from "@/lib/vault/refresh/refresher";

export const SWEEP_INTERVAL_MS = 5 * 60 * 1000;
export const FIRST_RUN_DELAY_MS = 15 * 1000;
/** Refresh what expires within this horizon. */
export const SWEEP_HORIZON_MS = 60 * 60 * 1000;
const MAX_BACKOFF_MS = 60 * 60 * 1000;
/** Refreshes in flight at once per provider in one instance (several instances each take their share). */
export const PER_PROVIDER_CONCURRENCY = 8;
/** Due connections one instance takes up per statement, and at most per sweep. */
const CLAIM_BATCH = 200;
const SWEEP_MAX = 50_000;
const SWEEP_BATCH = 1000;

export type RefreshEngineState = {
  running: boolean;
  sweeping: boolean;
  lastRunAt: string | null;
  lastRunChecked: number;
  lastRunRefreshed: number;
  lastRunFailed: number;
  /** Connections left for a later sweep because their provider failed recently (backoff). */
  lastRunSkipped: number;
  /** Set when the sweep itself could not run (the database did not answer, say). */
  lastRunError: string | null;
  nextRunAt: string | null;
};

export type SweepResult = { checked: number; refreshed: number; failed: number; skipped: number };

type Engine = {
  state: RefreshEngineState;
  timer: NodeJS.Timeout | null;
  current: Promise<SweepResult> | null;
  intervalMs: number;
  refresher: TokenRefresher | null;
  /** connection id -> consecutive transient failures and when to try again. */
  backoff: Map<string, { failures: number; notBefore: number }>;
  /** provider key -> until when it asked the vault to slow down (429 with Retry-After). */
  pausedProviders: Map<string, number>;
};

const holder = globalThis as unknown as { __vaultRefreshEngine?: Engine };
const engine: Engine = (holder.__vaultRefreshEngine ??= {
  state: {
    running: false,
    sweeping: false,
    lastRunAt: null,
    lastRunChecked: 0,
    lastRunRefreshed: 0,
    lastRunFailed: 0,
    lastRunSkipped: 0,
    lastRunError: null,
    nextRunAt: null,
  },
  timer: null,
  current: null,
  intervalMs: SWEEP_INTERVAL_MS,
  refresher: null,
  backoff: new Map(),
  pausedProviders: new Map(),
});

export function refreshEngineState(): RefreshEngineState {
  return { ...engine.state };
}

/** Exponential in consecutive failures: one sweep interval, then 2x, 4x ... capped at an hour. */
export function backoffDelay(failures: number, intervalMs = SWEEP_INTERVAL_MS): number {
  return Math.min(intervalMs * 2 ** Math.max(0, failures - 1), MAX_BACKOFF_MS);
}

/** One sweep. Exported for tests and an admin "refresh now" action; sweeps never overlap. */
export function runRefreshSweep(): Promise<SweepResult> {
  engine.current ??= sweep().finally(() => {
    engine.current = null;
  });
  return engine.current;
}

async function sweep(): Promise<SweepResult> {
  const refresher = engine.refresher ?? tokenRefresher();
  const result: SweepResult = { checked: 0, refreshed: 0, failed: 0, skipped: 0 };
  engine.state.sweeping = true;
  try {
    const db = await getDb();
    await endLifetimes(db, new Date());
    // A warning that could not be written waits for the next sweep; it never holds up the refreshes.
    await warnBeforeReconnect(db, new Date()).catch((e: unknown) => log.error({ err: e }, "the refresh sweep could not send reconnect warnings"));
    // This sweep's own: what it already took up, and what it leaves to a later one (backed off).
    const seen = new Set<string>();
    for (const [id, b] of engine.backoff) {
      if (b.notBefore > Date.now()) {
        seen.add(id);
        result.skipped += 1;
      }
    }
    while (seen.size < SWEEP_MAX) {
      const paused = [...engine.pausedProviders].filter(([, until]) => until > Date.now()).map(([key]) => key);
      const batch = await claimDue(refresher.owner, CLAIM_BATCH, [...seen], paused);
      if (batch.length === 0) break;
      for (const row of batch) seen.add(row.id);
      await refreshBatch(db, refresher, batch, result);
    }
    Object.assign(engine.state, { lastRunError: null });
  } catch (e) {
    engine.state.lastRunError = `The refresh sweep could not run: ${(e as Error).message}`;
    log.error({ err: e }, "refresh sweep failed");
  } finally {
    Object.assign(engine.state, {
      sweeping: false,
      lastRunAt: new Date().toISOString(),
      lastRunChecked: result.checked,
      lastRunRefreshed: result.refreshed,
      lastRunFailed: result.failed,
      lastRunSkipped: result.skipped,
    });
  }
  if (result.refreshed > 0 || result.failed > 0) log.info(result, "refresh sweep done");
  return result;
}

/**
 * Takes up to `limit` due connections for this instance in one statement: their refresh lease is set
 * to `owner`, and rows another instance holds (leased, or locked right now) are skipped, so several
 * instances sweeping at once split the work instead of queueing on the same rows.
 */
async function claimDue(owner: string, limit: number, exclude: string[], pausedProviders: string[]): Promise<{ id: string; providerKey: string }[]> {
  const sql = await getSql();
  const utcNow = `(now() AT TIME ZONE 'UTC')`;
  return sql.query<{ id: string; providerKey: string }>(
    `UPDATE "Connection" SET "refreshLeaseOwner" = $1, "refreshLeaseUntil" = ${utcNow} + $2 * interval '1 millisecond'
     WHERE "id" IN (
       SELECT "id" FROM "Connection"
       WHERE ("status" IN ('active', 'degraded') OR ("status" = 'refreshing' AND "refreshLeaseUntil" < ${utcNow}))
         AND ("refreshLeaseUntil" IS NULL OR "refreshLeaseUntil" < ${utcNow})
         AND "encBlob" IS NOT NULL AND "expiresAt" IS NOT NULL AND "expiresAt" < ${utcNow} + $3 * interval '1 millisecond'
         AND NOT ("id" = ANY($4::text[])) AND NOT ("providerKey" = ANY($5::text[]))
       ORDER BY "expiresAt" ASC LIMIT $6
       FOR UPDATE SKIP LOCKED)
     RETURNING "id", "providerKey"`,
    [owner, REFRESH_LEASE_MS, SWEEP_HORIZON_MS, exclude, pausedProviders, limit],
  );
}

/** Refreshes a claimed batch: at most PER_PROVIDER_CONCURRENCY at a time per provider, providers side by side. */
async function refreshBatch(db: VaultPrismaClient, refresher: TokenRefresher, batch: { id: string; providerKey: string }[], result: SweepResult) {
  const byProvider = new Map<string, string[]>();
  for (const row of batch) byProvider.set(row.providerKey, [...(byProvider.get(row.providerKey) ?? []), row.id]);
  await Promise.all(
    [...byProvider].map(async ([providerKey, ids]) => {
      const worker = async () => {
        for (let id = ids.shift(); id; id = ids.shift()) {
          if ((engine.pausedProviders.get(providerKey) ?? 0) > Date.now()) {
            // The provider asked for a pause: these wait for a later sweep.
            result.skipped += 1;
            await releaseLease(refresher.owner, db, id);
            continue;
          }
          await refreshOne(db, refresher, id, providerKey, result);
        }
      };
      await Promise.all(Array.from({ length: Math.min(PER_PROVIDER_CONCURRENCY, ids.length) }, worker));
    }),
  );
}

async function refreshOne(db: VaultPrismaClient, refresher: TokenRefresher, id: string, providerKey: string, result: SweepResult): Promise<void> {
  result.checked += 1;
  const backoff = engine.backoff.get(id);
  let outcome: "refreshed" | "current" | "failed" = "failed";
  try {
    outcome = await refresher.ensureFresh(id, { kind: "expiring", withinMs: SWEEP_HORIZON_MS }, "engine");
    if (outcome === "refreshed") result.refreshed += 1;
    engine.backoff.delete(id);
  } catch (e) {
    result.failed += 1;
    if (isVaultCallError(e, "provider_unavailable")) {
      const failures = (backoff?.failures ?? 0) + 1;
      engine.backoff.set(id, { failures, notBefore: Date.now() + backoffDelay(failures, engine.intervalMs) });
      const wait = Number(e.extensions.retry_after);
      if (wait > 0) engine.pausedProviders.set(providerKey, Date.now() + wait * 1000);
    } else {
      engine.backoff.delete(id);
      if (!isVaultCallError(e)) log.error({ err: e, connection: id }, "the refresh engine could not refresh a connection");
    }
  } finally {
    // The sweep's lease, when the refresh did not end it itself (nothing was due after all, or it stopped early).
    if (outcome !== "refreshed") await releaseLease(refresher.owner, db, id);
  }
}

/** Connections whose refresh token's lifetime is over need reconnecting now, before an agent meets a refused refresh. */
async function endLifetimes(db: VaultPrismaClient, now: Date): Promise<number> {
  const over = await db.connection.findMany({
    where: { status: { in: [...USABLE_CONNECTION_STATUSES] }, reconnectBy: { lte: now } },
    select: { id: true, tenantId: true, providerKey: true },
    take: SWEEP_BATCH,
  });
  let ended = 0;
  for (const { id, tenantId, providerKey } of over) {
    // Read before the transaction: the embedded database has one connection, which the transaction holds.
    const name = (await getTenantProvider(tenantId, providerKey))?.definition.name ?? providerKey;
    await db.$transaction(async (tx) => {
      if (!(await lockRow(tx, id))) return;
      const row = await tx.connection.findUnique({
        where: { id },
        select: { id: true, tenantId: true, providerKey: true, status: true, reconnectBy: true, user: { select: { arn: true } } },
      });
      if (!row || !isUsableConnection(row.status) || !row.reconnectBy || row.reconnectBy > now) return;
      await endLifetime(tx, row, name);
      ended += 1;
    }, TX_OPTIONS);
  }
  if (ended > 0) log.info({ ended }, "connections past their refresh token's lifetime need reconnecting");
  return ended;
}

/**
 * Tells the owners of usable connections whose refresh token stops working within 7 days, and again
 * within 1 day (RECONNECT_WARNINGS_DAYS), to reconnect: one `connection.reconnect_warning` audit row
 * each, which the webhooks deliver as `connected_account_reconnect_warning`. Each is written once per
 * (connection, reconnectBy, threshold): the row remembers the reconnectBy and the threshold it last
 * warned about, updated with the audit row under the row lock, so instances sweeping at once send it
 * once; a reconnect that moves reconnectBy arms both again, and a connection first seen within 1 day
 * gets only the 1-day warning. Neither column bumps the credential or policy version. Exported for tests.
 */
export async function warnBeforeReconnect(db: VaultPrismaClient, now: Date): Promise<number> {
  const within = (days: number) => new Date(now.getTime() + days * DAY_MS);
  const moved = db.connection.fields.reconnectBy;
  const due = await db.connection.findMany({
    where: {
      status: { in: [...USABLE_CONNECTION_STATUSES] },
      reconnectBy: { gt: now, lte: within(Math.max(...RECONNECT_WARNINGS_DAYS)) },
      OR: [
        // Never warned, or warned about another reconnectBy (the account was reconnected since).
        { reconnectWarnedFor: null },
        { reconnectWarnedDays: null },
        { reconnectWarnedFor: { lt: moved } },
        { reconnectWarnedFor: { gt: moved } },
        // Warned about this reconnectBy at a larger threshold, and a smaller one has come.
        ...RECONNECT_WARNINGS_DAYS.map((days) => ({ reconnectBy: { lte: within(days) }, reconnectWarnedDays: { gt: days } })),
      ],
    },
    select: { id: true },
    orderBy: { reconnectBy: "asc" },
    take: SWEEP_BATCH,
  });
  let warned = 0;
  for (const { id } of due) {
    await db.$transaction(async (tx) => {
      if (!(await lockRow(tx, id))) return;
      const row = await tx.connection.findUnique({
        where: { id },
        select: {
          tenantId: true,
          providerKey: true,
          label: true,
          status: true,
          reconnectBy: true,
          reconnectWarnedFor: true,
          reconnectWarnedDays: true,
          user: { select: { arn: true } },
        },
      });
      if (!row || !isUsableConnection(row.status) || !row.reconnectBy) return;
      const days = warningThreshold(row.reconnectBy, now);
      if (days === null) return;
      const sameEnd = row.reconnectWarnedFor?.getTime() === row.reconnectBy.getTime();
      if (sameEnd && row.reconnectWarnedDays !== null && row.reconnectWarnedDays <= days) return;
      await tx.connection.update({ where: { id }, data: { reconnectWarnedFor: row.reconnectBy, reconnectWarnedDays: days } });
      await appendAudit(tx, {
        tenantId: row.tenantId,
        actorArn: row.user.arn,
        action: "connection.reconnect_warning",
        outcome: "success",
        target: id,
        details: { provider: row.providerKey, account: row.label, reconnectBy: row.reconnectBy.toISOString(), daysLeft: days },
      });
      warned += 1;
    }, TX_OPTIONS);
  }
  if (warned > 0) log.info({ warned }, "owners warned that their connections need reconnecting soon");
  return warned;
}

/** The warning due now for a connection ending at `reconnectBy`, as the portal shows it: 7 (soon), 1 (urgent), or none. */
function warningThreshold(reconnectBy: Date, now: Date): (typeof RECONNECT_WARNINGS_DAYS)[number] | null {
  const level = reconnectWarning(reconnectBy, now)?.level;
  if (level === "soon") return RECONNECT_WARNINGS_DAYS[0];
  if (level === "urgent") return RECONNECT_WARNINGS_DAYS[1];
  return null;
}

function schedule(delayMs: number): void {
  if (!engine.state.running || engine.timer) return;
  engine.state.nextRunAt = new Date(Date.now() + delayMs).toISOString();
  engine.timer = setTimeout(() => {
    engine.timer = null;
    engine.state.nextRunAt = null;
    void runRefreshSweep().finally(() => schedule(engine.intervalMs));
  }, delayMs);
  // The engine must never be the reason a process stays alive.
  engine.timer.unref();
}

/** Starts the sweep timer (idempotent). Node runtime only; tests call runRefreshSweep directly. */
export function startRefreshEngine(opts: { intervalMs?: number; firstRunDelayMs?: number; refresher?: TokenRefresher } = {}): void {
  if (engine.state.running) return;
  engine.intervalMs = opts.intervalMs ?? SWEEP_INTERVAL_MS;
  engine.refresher = opts.refresher ?? null;
  engine.state.running = true;
  schedule(opts.firstRunDelayMs ?? FIRST_RUN_DELAY_MS);
  log.info({ everySeconds: engine.intervalMs / 1000 }, "refresh engine started");
}

/** Stops the timer and waits for a sweep in progress to finish. */
export async function stopRefreshEngine(): Promise<void> {
  engine.state.running = false;
  engine.state.nextRunAt = null;
  if (engine.timer) clearTimeout(engine.timer);
  engine.timer = null;
  await engine.current?.catch(() => undefined);
}
