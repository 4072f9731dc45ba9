import "server-only";
// The background refresh engine: every five minutes (first run shortly after start) it refreshes the
// active connections whose access tokens expire within the hour, through the same single-flight
// path as on-demand refreshes, so it never races an agent's call or another portal instance.
// A connection whose provider fails transiently is retried with exponential backoff (it stays
// active); one whose refresh token is refused becomes needs_reconnect and drops out of the sweep.
import { getDb, type VaultPrismaClient } from "@/lib/db";
import { log } from "@/lib/log";
import { isUsableConnection, USABLE_CONNECTION_STATUSES } from "@/lib/pdp/connection";
import { getTenantProvider } from "@/lib/providers/registry";
import { isVaultCallError } from "@/lib/vault/call/errors";
import { endLifetime, lockRow, TX_OPTIONS } from "@/lib/vault/refresh/outcome";
import { tokenRefresher, type TokenRefresher } from "@/lib/vault/refresh/refresher";

export const SWEEP_INTERVAL_MS = 5 * 60 * 1000;
export const FIRST_RUN_DELAY_MS = 15 * 1000;
/** Refresh what expires within this horizon. */
export const SWEEP_HORIZON_MS = 60 * 60 * 1000;
const MAX_BACKOFF_MS = 60 * 60 * 1000;
const SWEEP_CONCURRENCY = 4;
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
    const now = Date.now();
    const db = await getDb();
    await endLifetimes(db, new Date(now));
    const due = await db.connection.findMany({
      where: {
        // A "refreshing" row whose lease ran out was left by an instance that stopped mid-refresh: its turn again.
        OR: [{ status: { in: ["active", "degraded"] } }, { status: "refreshing", refreshLeaseUntil: { lt: new Date(now) } }],
        encBlob: { not: null },
        expiresAt: { not: null, lt: new Date(now + SWEEP_HORIZON_MS) },
      },
      select: { id: true },
      orderBy: { expiresAt: "asc" },
      take: SWEEP_BATCH,
    });
    const queue = [...due];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const id = next.id;
        const backoff = engine.backoff.get(id);
        if (backoff && backoff.notBefore > Date.now()) {
          result.skipped += 1;
          continue;
        }
        result.checked += 1;
        try {
          const outcome = await refresher.ensureFresh(id, { kind: "expiring", withinMs: SWEEP_HORIZON_MS }, "engine");
          if (outcome === "refreshed") result.refreshed += 1;
          engine.backoff.delete(id);
        } catch (e) {
          result.failed += 1;
          if (isVaultCallError(e, "provider_unavailable")) {
            const failures = (backoff?.failures ?? 0) + 1;
            engine.backoff.set(id, { failures, notBefore: Date.now() + backoffDelay(failures, engine.intervalMs) });
          } else {
            engine.backoff.delete(id);
            if (!isVaultCallError(e)) log.error({ err: e, connection: id }, "the refresh engine could not refresh a connection");
          }
        }
      }
    };
    await Promise.all(Array.from({ length: SWEEP_CONCURRENCY }, worker));
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
