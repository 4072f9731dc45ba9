import "server-only";
// Group commit for the audit log. Agent actions append their events here instead of each opening a
// transaction under the tenant's lock: entries queue per tenant, and one statement appends a whole
// batch (a multi-row insert, the chain computed in memory, the tenant's head row moved, the rate
// windows of the batch's decisions saved). Every caller waits until its own events are durable; a
// batch that fails refuses every caller in it, never some.
//
// The statement is conditional on the head row still holding the sequence number, hash and policy
// version this process last saw (lib/audit/head.ts). Another instance, or a change recorded by a
// transactional append, moves the head: the statement then writes nothing, the head is read again
// and the batch is prepared again. A decision made on an older policy version than the head's comes
// back "stale", unwritten, and its caller decides again on fresh rows: that is how a revocation
// committed anywhere refuses the very next call everywhere. After two lost races the batch is
// written under the head row's lock instead (BEGIN, SELECT ... FOR UPDATE, write, COMMIT).
//
// Timing: a batch is written as soon as every action this process has in flight is waiting on the
// log (so one agent alone pays one round trip, and nobody waits for company that is not coming);
// otherwise it waits up to LINGER_MS for the others, like PostgreSQL's commit_delay with
// commit_siblings: under load the events of many calls share one statement.
import { randomUUID } from "node:crypto";

import { getSql, type SqlQuery } from "@/lib/db";
import { log } from "@/lib/log";
import { countAudited, series } from "@/lib/monitor/series";
import { observePolicyVersion } from "@/lib/policy/facts";

import { auditHash, chainedRow, type AuditInput } from "./chain";
import { type ChainState, loadChainState } from "./head";
import { addHit, countInWindow, type RateBuckets } from "./rate-window";

export type WrittenEvent = { seq: number; hash: string };

/** What an entry sees while its batch is prepared: the batch's clock and the rate windows as the entries before it left them. */
export interface BatchView {
  readonly now: Date;
  recent(delegationId: string, windowMs: number): number;
  hit(delegationId: string, windowMs: number): void;
}

export type AuditEntry<T> = {
  tenantId: string;
  /** The policy version the entry's decision was made on. Absent: a record of what happened, written whatever the version. */
  policyVersion?: number;
  /** Delegations whose rate windows prepare() reads or moves. */
  rateDelegations?: readonly string[];
  /**
   * The connection rows (by credential version) the caller will act with once this is written: if
   * one changed meanwhile the entry comes back stale, unwritten, naming it.
   */
  credentials?: ReadonlyArray<{ connectionId: string; version: number }>;
  /** Called in batch order, maybe more than once (a batch that lost a race is prepared again): pure but for `view`. */
  prepare(view: BatchView): { events: AuditInput[]; value: T };
};

export type AuditOutcome<T> =
  { status: "written"; value: T; events: WrittenEvent[]; policyVersion: number } | { status: "stale"; policyVersion: number; changedConnections?: string[] };

/** The batch holding this entry could not be written: nothing of it was stored. */
export class AuditUnavailableError extends Error {
  constructor(options?: { cause?: unknown }) {
    super("The audit log could not be written.", options);
    this.name = "AuditUnavailableError";
  }
}

const LINGER_MS = 4;
const MAX_BATCH = 256;
const OPTIMISTIC_ATTEMPTS = 2;

type Pending = { entry: AuditEntry<unknown>; resolve: (o: AuditOutcome<unknown>) => void; reject: (e: unknown) => void };
type TenantLog = { state: ChainState | null; queue: Pending[]; writing: number; timer: NodeJS.Timeout | null; firstQueuedAt: number };
type Stats = { batches: number; events: number; statements: number; lostRaces: number; failedBatches: number; stale: number };

const g = globalThis as unknown as { __vaultAuditWriter?: { tenants: Map<string, TenantLog>; inFlight: () => number; stats: Stats } };
const writer = (g.__vaultAuditWriter ??= {
  tenants: new Map(),
  inFlight: () => 0,
  stats: { batches: 0, events: 0, statements: 0, lostRaces: 0, failedBatches: 0, stale: 0 },
});

/** How many agent actions this process is working on: more than one, and a batch waits briefly for company. */
export function setInFlightProbe(probe: () => number): void {
  writer.inFlight = probe;
}

/** Batches, events and statements written so far by this process (the bench and the status API show them). */
export function auditWriterStats(): Readonly<Stats> {
  return { ...writer.stats };
}

/** Drops what this process believes the tenant's head is (a transactional append just moved it). */
export function forgetChainState(tenantId: string): void {
  const t = writer.tenants.get(tenantId);
  if (t) t.state = null;
}

/** Queues an entry; resolves once its events are durable (or it is stale), rejects with AuditUnavailableError. */
export function submitAudit<T>(entry: AuditEntry<T>): Promise<AuditOutcome<T>> {
  let t = writer.tenants.get(entry.tenantId);
  if (!t) writer.tenants.set(entry.tenantId, (t = { state: null, queue: [], writing: 0, timer: null, firstQueuedAt: 0 }));
  const tenant = t;
  return new Promise<AuditOutcome<T>>((resolve, reject) => {
    if (tenant.queue.length === 0) tenant.firstQueuedAt = performance.now();
    tenant.queue.push({ entry, resolve: resolve as Pending["resolve"], reject });
    waiting += 1;
    schedule(entry.tenantId, tenant);
  });
}

// Entries of every tenant waiting on the log (queued or being written) in this process.
let waiting = 0;

function schedule(tenantId: string, t: TenantLog): void {
  if (t.writing > 0 || t.queue.length === 0) return;
  const waited = performance.now() - t.firstQueuedAt;
  if (waiting >= writer.inFlight() || t.queue.length >= MAX_BATCH || waited >= LINGER_MS) {
    if (t.timer) clearTimeout(t.timer);
    t.timer = null;
    void flush(tenantId, t);
    return;
  }
  t.timer ??= setTimeout(
    () => {
      t.timer = null;
      schedule(tenantId, t);
    },
    Math.max(0, LINGER_MS - waited),
  );
}

async function flush(tenantId: string, t: TenantLog): Promise<void> {
  const batch = t.queue.splice(0, MAX_BATCH);
  t.writing = batch.length;
  if (t.queue.length > 0) t.firstQueuedAt = performance.now();
  try {
    const results = await writeBatch(tenantId, t, batch);
    results.forEach((r, i) => (r instanceof Error ? batch[i]!.reject(r) : batch[i]!.resolve(r)));
  } catch (e) {
    t.state = null;
    writer.stats.failedBatches += 1;
    log.error({ err: e, tenantId, entries: batch.length }, "an audit batch could not be written; every caller in it is refused");
    const error = new AuditUnavailableError({ cause: e });
    for (const p of batch) p.reject(error);
  } finally {
    waiting -= t.writing;
    t.writing = 0;
    schedule(tenantId, t);
    // Another tenant's queue may have been waiting for these entries' owners.
    for (const [id, other] of writer.tenants) if (other !== t) schedule(id, other);
  }
}

type Plan = { results: Array<AuditOutcome<unknown> | Error>; rows: EventRow[]; windows: Map<string, RateBuckets>; after: ChainState };
type EventRow = ReturnType<typeof chainedRow> & { id: string; prevHash: string; hash: string };

type WriteResult = { ok: 1 } | { ok: 0 } | { ok: -1; changed: string[] };

async function writeBatch(tenantId: string, t: TenantLog, batch: Pending[]): Promise<Plan["results"]> {
  const sql = await getSql();
  const needed = [...new Set(batch.flatMap((p) => p.entry.rateDelegations ?? []))];
  const results: Plan["results"] = new Array(batch.length);
  // The entries still to write, by their place in the batch (a changed credential takes some out).
  let pending = batch.map((p, i) => ({ p, i }));
  const settle = (p: Plan) => {
    p.results.forEach((r, k) => (results[pending[k]!.i] = r));
    return results;
  };
  const drop = (changed: string[], policyVersion: number) => {
    const gone = new Set(changed);
    const before = pending.length;
    pending = pending.filter(({ p, i }) => {
      if (!(p.entry.credentials ?? []).some((c) => gone.has(c.connectionId))) return true;
      results[i] = { status: "stale", policyVersion, changedConnections: changed };
      writer.stats.stale += 1;
      return false;
    });
    if (pending.length === before) throw new Error("the audit append named changed credentials no entry relies on");
  };
  for (let attempt = 0, lost = 0; ; attempt++) {
    if (lost >= OPTIMISTIC_ATTEMPTS) {
      const locked = await sql.transaction(async (tx) => {
        const state = await loadChainState(tx, tenantId, needed, { lock: true }, writer.stats);
        const p = plan(
          state,
          pending.map((x) => x.p),
        );
        const written = p.rows.length > 0 || p.windows.size > 0 ? await write(tx, tenantId, state, p, pending) : ({ ok: 1 } as const);
        if (written.ok === 0) throw new Error("the audit head moved while its row was locked");
        return { state, p, written };
      });
      writer.stats.statements += 2;
      if (locked.written.ok === -1) {
        drop(locked.written.changed, locked.state.policyVersion);
        continue;
      }
      commit(t, locked.p);
      return settle(locked.p);
    }
    let state = t.state;
    const newer = pending.some(({ p }) => p.entry.policyVersion !== undefined && state !== null && p.entry.policyVersion > state.policyVersion);
    if (!state || newer || needed.some((d) => !state!.windows.has(d))) {
      state = t.state = await loadChainState(sql, tenantId, needed, { lock: false }, writer.stats);
    }
    const p = plan(
      state,
      pending.map((x) => x.p),
    );
    if (p.rows.length === 0 && p.windows.size === 0) {
      commit(t, p);
      return settle(p);
    }
    const written = await write(sql, tenantId, state, p, pending);
    if (written.ok === 1) {
      commit(t, p);
      return settle(p);
    }
    if (written.ok === -1) {
      drop(written.changed, state.policyVersion);
      continue;
    }
    lost += 1;
    writer.stats.lostRaces += 1;
    t.state = null;
  }
}

function commit(t: TenantLog, p: Plan): void {
  t.state = p.after;
  // Copies of rows made on an older version are worthless from now on.
  observePolicyVersion(p.after.tenantId, p.after.policyVersion);
  if (p.rows.length > 0) {
    writer.stats.batches += 1;
    writer.stats.events += p.rows.length;
    series().auditBatchSize.observe(p.rows.length);
    for (const r of p.rows) countAudited(r.action, r.outcome);
  }
  writer.stats.stale += p.results.filter((r) => !(r instanceof Error) && r.status === "stale").length;
}

/** Prepares every entry against `state`, in order: pure. */
function plan(state: ChainState, batch: Pending[]): Plan {
  const now = new Date();
  const windows = new Map<string, RateBuckets>();
  const windowOf = (d: string) => windows.get(d) ?? state.windows.get(d) ?? [];
  let { seq, hash } = state;
  const rows: EventRow[] = [];
  const results: Plan["results"] = [];
  for (const { entry } of batch) {
    if (entry.policyVersion !== undefined && entry.policyVersion !== state.policyVersion) {
      results.push({ status: "stale", policyVersion: state.policyVersion });
      continue;
    }
    const touched = new Map<string, RateBuckets>();
    const view: BatchView = {
      now,
      recent: (d, windowMs) => countInWindow(touched.get(d) ?? windowOf(d), windowMs, now.getTime()),
      hit: (d, windowMs) => void touched.set(d, addHit(touched.get(d) ?? windowOf(d), windowMs, now.getTime())),
    };
    let prepared: { events: AuditInput[]; value: unknown };
    try {
      prepared = entry.prepare(view);
    } catch (e) {
      results.push(e instanceof Error ? e : new Error(String(e)));
      continue;
    }
    for (const [d, b] of touched) windows.set(d, b);
    const written: WrittenEvent[] = [];
    for (const input of prepared.events) {
      seq += 1;
      const row = chainedRow({ ...input, tenantId: state.tenantId }, seq, now);
      const rowHash = auditHash(hash, row);
      rows.push({ ...row, id: randomUUID(), prevHash: hash, hash: rowHash });
      written.push({ seq, hash: rowHash });
      hash = rowHash;
    }
    results.push({ status: "written", value: prepared.value, events: written, policyVersion: state.policyVersion });
  }
  const merged = new Map(state.windows);
  for (const [d, b] of windows) merged.set(d, b);
  return { results, rows, windows, after: { ...state, seq, hash, windows: merged } };
}

async function write(q: SqlQuery, tenantId: string, state: ChainState, p: Plan, entries: Array<{ p: Pending }>): Promise<WriteResult> {
  const events = p.rows.map((r) => ({ ...r, at: r.at.toISOString() }));
  const windows = [...p.windows].map(([delegationId, hits]) => ({ delegationId, hits }));
  // The credentials the written entries' calls will use (stale entries write nothing and need none).
  const credentials = entries.flatMap(({ p: e }, k) =>
    p.results[k] && !(p.results[k] instanceof Error) && (p.results[k] as AuditOutcome<unknown>).status === "written" ? (e.entry.credentials ?? []) : [],
  );
  writer.stats.statements += 1;
  // One statement (prisma/migrations/0002_audit_head): the head moves only if it is where this
  // process saw it, and the events and rate windows are written only if it moved.
  const [row] = await q.query<{ result: WriteResult }>(`SELECT vault_append_audit($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::jsonb) AS "result"`, [
    tenantId,
    state.seq,
    state.policyVersion,
    p.after.seq,
    p.after.hash,
    JSON.stringify(events),
    JSON.stringify(windows),
    JSON.stringify(credentials.map((c) => ({ id: c.connectionId, version: c.version }))),
  ]);
  if (!row) throw new Error("the audit append answered nothing");
  return row.result;
}
