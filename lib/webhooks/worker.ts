import "server-only";
// The webhook delivery worker, started with the portal (lib/startup.ts, like the refresh engine):
// every second, or at once when nudged, it pumps new audit events into the outbox
// (lib/webhooks/pump.ts), then claims due deliveries (a lease with FOR UPDATE SKIP LOCKED, so
// several portal instances share the work and a crashed one's lease lapses) and POSTs each through
// the SSRF-safe fetcher, signed with X-Vault-Signature. A 2xx answer marks it delivered; anything
// else (a status, a refused connection, a timeout) is recorded as its last answer and retried with
// exponential backoff until MAX_ATTEMPTS, then marked failed. Everything lives in the database, so a
// restart loses nothing. Finished deliveries are kept 30 days for the log, then pruned hourly.
// Counts of outcomes feed /api/metrics. Touches WebhookDelivery and Webhook.
import { getDb } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { log } from "@/lib/log";
import { fetchPublic, PublicFetchError } from "@/lib/net/public-fetch";
import { signDelivery } from "@/lib/vault/webhook-secrets";

import { allowLoopbackWebhooks, DELIVERY_TIMEOUT_MS } from "./destination";
import { pumpAuditEvents } from "./pump";
import { SIGNATURE_HEADER } from "./signature";

export const POLL_INTERVAL_MS = 1000;
export const BASE_BACKOFF_MS = 10_000;
export const MAX_BACKOFF_MS = 60 * 60 * 1000;
export const MAX_ATTEMPTS = 12;
const LEASE_MS = 60_000;
/** Delivered and given-up deliveries stay in the log this long, then an hourly sweep drops them. */
export const DELIVERY_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;
const CLAIM_BATCH = 20;

export type WorkerOptions = { intervalMs?: number; baseBackoffMs?: number; maxAttempts?: number };
export type DeliveryStats = { success: number; retry: number; failed: number; queued: number };
export type CycleResult = { queued: number; attempted: number; delivered: number };

type Worker = {
  timer: NodeJS.Timeout | null;
  running: boolean;
  busy: Promise<CycleResult> | null;
  again: boolean;
  prunedAt: number;
  opts: Required<WorkerOptions>;
  stats: DeliveryStats;
};

const holder = globalThis as unknown as { __vaultWebhookWorker?: Worker };
const worker: Worker = (holder.__vaultWebhookWorker ??= {
  timer: null,
  running: false,
  busy: null,
  again: false,
  prunedAt: 0,
  opts: { intervalMs: POLL_INTERVAL_MS, baseBackoffMs: BASE_BACKOFF_MS, maxAttempts: MAX_ATTEMPTS },
  stats: { success: 0, retry: 0, failed: 0, queued: 0 },
});

/** Delivery outcomes since start: success, retry (an attempt failed, another follows), failed (given up). */
export function webhookDeliveryStats(): Readonly<DeliveryStats> {
  return { ...worker.stats };
}

/** The wait before attempt `attempts + 1`, after `attempts` failed ones: base, 2x, 4x... up to an hour. */
export function backoffMs(attempts: number, baseMs = worker.opts.baseBackoffMs): number {
  return Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, attempts - 1));
}

export function startWebhookWorker(opts: WorkerOptions = {}): void {
  worker.opts = { ...worker.opts, ...opts };
  if (worker.running) return;
  worker.running = true;
  schedule(0);
}

export async function stopWebhookWorker(): Promise<void> {
  worker.running = false;
  if (worker.timer) clearTimeout(worker.timer);
  worker.timer = null;
  await worker.busy?.catch(() => undefined);
}

/** Something was queued: run a cycle now rather than at the next tick (no-op when the worker is not running). */
export function nudgeWebhookWorker(): void {
  if (!worker.running) return;
  if (worker.busy) worker.again = true;
  else schedule(0);
}

function schedule(ms: number): void {
  if (worker.timer) clearTimeout(worker.timer);
  worker.timer = setTimeout(() => {
    worker.timer = null;
    void runWebhookCycle()
      .catch((err) => log.error({ err }, "a webhook delivery cycle failed; it runs again shortly"))
      .finally(() => {
        if (!worker.running) return;
        const now = worker.again;
        worker.again = false;
        schedule(now ? 0 : worker.opts.intervalMs);
      });
  }, ms);
  worker.timer.unref?.();
}

/** One cycle: fan out new audit events, then attempt every delivery due at `now`. Tests call it directly. */
export function runWebhookCycle(now: () => Date = () => new Date()): Promise<CycleResult> {
  if (worker.busy) return worker.busy;
  const run = (async () => {
    if (now().getTime() - worker.prunedAt >= PRUNE_EVERY_MS) await pruneDeliveries(now());
    const queued = await pumpAuditEvents();
    worker.stats.queued += queued;
    let attempted = 0;
    let delivered = 0;
    for (;;) {
      const due = await claimDue(now());
      if (due.length === 0) break;
      const results = await Promise.all(due.map((d) => attempt(d, now)));
      attempted += due.length;
      delivered += results.filter(Boolean).length;
    }
    return { queued, attempted, delivered };
  })();
  worker.busy = run;
  return run.finally(() => (worker.busy = null));
}

/** Drops finished deliveries older than the retention; pending ones are never dropped. */
export async function pruneDeliveries(now: Date): Promise<number> {
  const db = await getDb();
  const { count } = await db.webhookDelivery.deleteMany({
    where: { status: { in: ["delivered", "failed"] }, createdAt: { lt: new Date(now.getTime() - DELIVERY_RETENTION_MS) } },
  });
  worker.prunedAt = now.getTime();
  return count;
}

type Due = { id: string; webhookId: string; eventId: string; eventType: string; body: string; attempts: number; url: string };

const utc = (d: Date) => Prisma.sql`(${d.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;

async function claimDue(now: Date): Promise<Due[]> {
  const db = await getDb();
  const until = new Date(now.getTime() + LEASE_MS);
  return db.$queryRaw<Due[]>(Prisma.sql`
    UPDATE "WebhookDelivery" d SET "leaseUntil" = ${utc(until)}
    FROM "Webhook" w
    WHERE w."id" = d."webhookId" AND d."id" IN (
      SELECT "id" FROM "WebhookDelivery"
      WHERE "status" = 'pending' AND "nextAttemptAt" <= ${utc(now)} AND ("leaseUntil" IS NULL OR "leaseUntil" < ${utc(now)})
      ORDER BY "nextAttemptAt" LIMIT ${CLAIM_BATCH} FOR UPDATE SKIP LOCKED)
    RETURNING d."id", d."webhookId", d."eventId", d."eventType", d."body", d."attempts", w."url"`);
}

/** One POST of one delivery; true when the receiver took it. */
async function attempt(d: Due, now: () => Date): Promise<boolean> {
  const db = await getDb();
  const sentAt = now();
  let status: number | null = null;
  let problem: string | null = null;
  try {
    const signature = await signDelivery(null, d.webhookId, Math.floor(sentAt.getTime() / 1000), d.body);
    if (!signature) return false; // the webhook was deleted, and its deliveries with it
    const answer = await fetchPublic(new URL(d.url), {
      method: "POST",
      body: d.body,
      headers: {
        "content-type": "application/json",
        [SIGNATURE_HEADER]: signature,
        "x-vault-event-id": d.eventId,
        "x-vault-event-type": d.eventType,
        "x-vault-delivery": d.id,
      },
      allowLoopback: allowLoopbackWebhooks(),
      timeoutMs: DELIVERY_TIMEOUT_MS,
      maxBytes: 64 * 1024,
      accept: "*/*",
    });
    status = answer.status;
    if (status < 200 || status > 299) problem = `The receiver answered HTTP ${status}.`;
  } catch (e) {
    // Our own clauses only (PublicFetchError), never what the receiver said.
    problem = e instanceof PublicFetchError ? `The delivery failed: ${e.message}.` : "The delivery failed inside the vault.";
    if (!(e instanceof PublicFetchError)) log.error({ err: e, deliveryId: d.id }, "a webhook delivery could not be attempted");
  }
  const attempts = d.attempts + 1;
  const ok = problem === null;
  const gaveUp = !ok && attempts >= worker.opts.maxAttempts;
  await db.webhookDelivery.update({
    where: { id: d.id },
    data: {
      attempts,
      lastStatusCode: status,
      lastError: problem,
      lastAttemptAt: sentAt,
      leaseUntil: null,
      status: ok ? "delivered" : gaveUp ? "failed" : "pending",
      ...(ok ? { deliveredAt: sentAt } : {}),
      // Counted from the answer (or its failure), so a slow receiver still gets the whole pause.
      ...(!ok && !gaveUp ? { nextAttemptAt: new Date(now().getTime() + backoffMs(attempts)) } : {}),
    },
  });
  worker.stats[ok ? "success" : gaveUp ? "failed" : "retry"] += 1;
  return ok;
}
