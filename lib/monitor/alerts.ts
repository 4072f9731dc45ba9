import "server-only";
// Alerts derived on each status call from what the database already says: connections that need
// their owner, and the vault's own health (the newest part of the audit chain, the signing keys, the
// refresh engine). Cheap by design: indexed reads and the chain's tail, never a walk of the whole log
// (`npm run audit:verify` does that). What happens (failing refreshes, agents the policy decision
// point keeps refusing, and the other detectors) is stored as it happens by lib/containment.
import { GENESIS_HASH } from "@/lib/audit/append";
import { checkRows } from "@/lib/audit/verify";
import type { VaultPrismaClient } from "@/lib/db";
import { refreshEngineState } from "@/lib/vault/refresh/engine";

import type { AlertDto } from "./schemas";

/** How many of the newest audit events each status call re-hashes. */
export const AUDIT_TAIL = 200;

/** Who the alerts are for. An agent sees alerts about its own grants and the vault, never about other people or agents. */
export type AlertAudience = { kind: "admin" } | { kind: "agent"; agentId: string; connectionIds: ReadonlySet<string> };

type Ctx = { db: VaultPrismaClient; tenantId: string; audience: AlertAudience; now: Date; providerName: (key: string) => string };

const SEVERITY_ORDER = { critical: 0, warning: 1, info: 2 } as const;

export async function openAlerts(ctx: Ctx): Promise<AlertDto[]> {
  const groups = await Promise.all([connectionAlerts(ctx), auditChainAlerts(ctx), signingKeyAlerts(ctx), refreshEngineAlerts(ctx)]);
  return groups.flat().sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || (a.since ?? "").localeCompare(b.since ?? ""));
}

async function connectionAlerts({ db, tenantId, audience, providerName }: Ctx): Promise<AlertDto[]> {
  const forAgent = audience.kind === "agent";
  if (forAgent && audience.connectionIds.size === 0) return [];
  const rows = await db.connection.findMany({
    where: {
      tenantId,
      ...(forAgent ? { id: { in: [...audience.connectionIds] } } : {}),
      status: "needs_reconnect",
    },
    select: { id: true, providerKey: true, label: true, updatedAt: true, user: { select: { name: true } } },
    orderBy: { updatedAt: "asc" },
  });
  return rows.map((c) => {
    const name = providerName(c.providerKey);
    const which = forAgent ? `The ${name} connection behind your delegation` : `${c.user.name}'s ${name} connection "${c.label}"`;
    const base = { since: c.updatedAt.toISOString(), subject: { type: "connection" as const, id: c.id } };
    const next = forAgent
      ? `ask the person who granted it to reconnect ${name}`
      : `its owner must reconnect ${name}; agents acting on it are refused until then`;
    return { ...base, kind: "connection_needs_reconnect" as const, severity: "warning" as const, message: `${which} needs reconnecting: ${next}.` };
  });
}

async function auditChainAlerts({ db, tenantId }: Ctx): Promise<AlertDto[]> {
  const [rows, newest] = await Promise.all([
    db.auditEvent.count({ where: { tenantId } }),
    db.auditEvent.findMany({ where: { tenantId }, orderBy: { seq: "desc" }, take: AUDIT_TAIL + 1 }),
  ]);
  if (newest.length === 0) return [];
  const tail = newest.reverse();
  const last = tail[tail.length - 1]!;
  const broken = (seq: number, reason: string, at: Date | null): AlertDto[] => [
    {
      kind: "audit_chain_broken",
      severity: "critical",
      message: `The audit log's hash chain breaks at event #${seq}: ${reason}. Run \`npm run audit:verify\` to check the whole log, and treat events from there on as untrusted.`,
      since: at?.toISOString() ?? null,
      subject: { type: "vault", id: null },
    },
  ];
  // Sequence numbers start at 1 and never skip, so a count below the last number means deleted rows.
  if (rows !== last.seq) return broken(last.seq, `the log holds ${rows} events but numbers them up to ${last.seq}, so events were removed or inserted`, null);
  // The oldest row fetched anchors the check when the log is longer than the tail; otherwise the chain starts at genesis.
  const anchored = tail.length > AUDIT_TAIL;
  const start = anchored ? { seq: tail[0]!.seq, hash: tail[0]!.hash } : { seq: 0, hash: GENESIS_HASH };
  const checked = checkRows(anchored ? tail.slice(1) : tail, start);
  if (!checked.break) return [];
  const row = tail.find((r) => r.seq === checked.break!.seq);
  return broken(checked.break.seq, checked.break.reason, row?.at ?? null);
}

async function signingKeyAlerts({ db }: Ctx): Promise<AlertDto[]> {
  // None active is normal before the first token is issued (the key is created on first use).
  const active = await db.signingKey.findMany({ where: { status: "active" }, select: { kid: true, createdAt: true }, orderBy: { createdAt: "asc" } });
  if (active.length <= 1) return [];
  return [
    {
      kind: "signing_keys",
      severity: "warning",
      message: `${active.length} signing keys are active at once, so tokens and receipts may be signed by any of them: rotate the signing key so exactly one signs.`,
      since: active[1]!.createdAt.toISOString(),
      subject: { type: "vault", id: null },
    },
  ];
}

function refreshEngineAlerts({ audience }: Ctx): AlertDto[] {
  const state = refreshEngineState();
  if (!state.lastRunError) return [];
  // The sweep's error may quote the database; only administrators read it.
  const what = audience.kind === "admin" ? state.lastRunError : "The background refresh sweep failed on its last run.";
  return [
    {
      kind: "refresh_engine_failed",
      severity: "warning",
      message: `${what} Connections are still refreshed when an agent uses them.`,
      since: state.lastRunAt,
      subject: { type: "vault", id: null },
    },
  ];
}
