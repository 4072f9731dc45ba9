import "server-only";
// Stored alerts as people and agents see them: the list (an administrator's whole tenant, an agent
// only what names it), filtered by severity, kind and status; the lifecycle an administrator moves
// them through (open -> acknowledged -> resolved, with who and when); and the open counts by
// severity that GET /api/v1/status shows. Resolving an alert lifts the hold its enforcement put on
// the agent (a rate limit, approval for writes); a suspension stays until an administrator resumes
// the agent. Touches Alert, Enforcement, AgentRestriction and the audit log.
import { appendAudit } from "@/lib/audit/append";
import { getDb } from "@/lib/db";
import { ConflictError, NotFoundError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { Person } from "@/lib/tenancy/people";

import { alertDto, ALERT_SEVERITY, type AlertDto, type AlertQuery, type AlertSeverity } from "./schemas";
import { assertContainmentAdmin } from "./settings";

export type AlertViewer = { kind: "admin"; person: Person } | { kind: "agent"; tenantId: string; agentId: string };

const LIST_LIMIT = 200;

type AlertRow = Prisma.AlertGetPayload<object>;
type EnforcementRow = Prisma.EnforcementGetPayload<object>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toAlertDto(row: AlertRow, enforcements: EnforcementRow[], agentName: string | null): AlertDto {
  return alertDto.parse({
    ...row,
    agentName,
    details: row.details && typeof row.details === "object" && !Array.isArray(row.details) ? row.details : {},
    firstSeenAt: row.firstSeenAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
    acknowledgedAt: iso(row.acknowledgedAt),
    resolvedAt: iso(row.resolvedAt),
    enforcements: enforcements.map((e) => ({ ...e, createdAt: e.createdAt.toISOString(), decidedAt: iso(e.decidedAt) })),
  });
}

async function withEnforcements(tenantId: string, rows: AlertRow[]): Promise<AlertDto[]> {
  if (rows.length === 0) return [];
  const db = await getDb();
  const ids = rows.map((r) => r.id);
  const agentIds = [...new Set(rows.map((r) => r.agentId).filter((a): a is string => !!a))];
  const [enforcements, agents] = await Promise.all([
    db.enforcement.findMany({ where: { tenantId, alertId: { in: ids } }, orderBy: { createdAt: "asc" } }),
    agentIds.length ? db.agent.findMany({ where: { tenantId, id: { in: agentIds } }, select: { id: true, name: true } }) : [],
  ]);
  const names = new Map(agents.map((a) => [a.id, a.name]));
  return rows.map((r) =>
    toAlertDto(
      r,
      enforcements.filter((e) => e.alertId === r.id),
      r.agentId ? (names.get(r.agentId) ?? null) : null,
    ),
  );
}

/** One alert as an administrator sees it. */
export async function alertById(tenantId: string, id: string): Promise<AlertDto | null> {
  const db = await getDb();
  const row = await db.alert.findFirst({ where: { id, tenantId } });
  return row ? (await withEnforcements(tenantId, [row]))[0]! : null;
}

export async function listAlerts(viewer: AlertViewer, q: AlertQuery = {}): Promise<AlertDto[]> {
  if (viewer.kind === "admin") assertContainmentAdmin(viewer.person);
  const tenantId = viewer.kind === "admin" ? viewer.person.tenantId : viewer.tenantId;
  const db = await getDb();
  const rows = await db.alert.findMany({
    where: {
      tenantId,
      ...(viewer.kind === "agent" ? { agentId: viewer.agentId } : {}),
      ...(q.severity ? { severity: q.severity } : {}),
      ...(q.kind ? { kind: q.kind } : {}),
      ...(q.status ? { status: q.status } : {}),
    },
    orderBy: { lastSeenAt: "desc" },
    take: LIST_LIMIT,
  });
  return withEnforcements(tenantId, rows);
}

/** Moves an alert on: acknowledged (someone is looking), resolved (done; its hold on the agent lifted). */
export async function updateAlert(person: Person, id: string, status: "acknowledged" | "resolved"): Promise<AlertDto> {
  assertContainmentAdmin(person);
  const db = await getDb();
  const now = new Date();
  await db.$transaction(async (tx) => {
    const row = await tx.alert.findFirst({ where: { id, tenantId: person.tenantId } });
    if (!row) throw new NotFoundError("No alert with this id exists in your organisation: reload the Alerts page.", "alert_unknown");
    if (row.status === "resolved") throw new ConflictError("This alert is already resolved: a new alert opens if the detector fires again.", "alert_resolved");
    if (row.status === status) return;
    const data =
      status === "acknowledged"
        ? { status, acknowledgedAt: now, acknowledgedBy: person.arn }
        : {
            status,
            resolvedAt: now,
            resolvedBy: person.arn,
            openKey: null,
            ...(row.acknowledgedAt ? {} : { acknowledgedAt: now, acknowledgedBy: person.arn }),
          };
    const { count } = await tx.alert.updateMany({ where: { id, tenantId: person.tenantId, status: row.status }, data });
    if (count !== 1) throw new ConflictError("Someone changed this alert at the same time: reload the page and try again.", "alert_changed");
    let lifted = 0;
    if (status === "resolved") {
      lifted = (await tx.agentRestriction.deleteMany({ where: { tenantId: person.tenantId, alertId: id } })).count;
      await tx.enforcement.updateMany({
        where: { tenantId: person.tenantId, alertId: id, status: "pending" },
        data: { status: "rejected", decidedBy: person.arn, decidedAt: now },
      });
    }
    await appendAudit(tx, {
      tenantId: person.tenantId,
      action: status === "acknowledged" ? "containment.alert_acknowledge" : "containment.alert_resolve",
      outcome: "success",
      actorArn: person.arn,
      agentId: row.agentId,
      target: id,
      details: { alertId: id, kind: row.kind, ...(status === "resolved" ? { holdLifted: lifted > 0 } : {}) },
    });
  });
  return (await alertById(person.tenantId, id))!;
}

/** Open (not yet acknowledged or resolved) alerts by severity; an agent's count covers only alerts naming it. */
export async function openAlertCounts(tenantId: string, agentId?: string): Promise<Record<AlertSeverity, number>> {
  const db = await getDb();
  const groups = await db.alert.groupBy({ by: ["severity"], where: { tenantId, status: "open", ...(agentId ? { agentId } : {}) }, _count: { _all: true } });
  const out = Object.fromEntries(ALERT_SEVERITY.map((s) => [s, 0])) as Record<AlertSeverity, number>;
  for (const g of groups) if (g.severity in out) out[g.severity as AlertSeverity] = g._count._all;
  return out;
}
