import "server-only";
// The tenant's status (CONTRACT.md, `GET /api/v1/status`): token exchanges, connected accounts,
// authorized agents, open alerts and the refresh engine, for a tenant administrator or an agent.
//
// What an agent may know: the same tenant-wide counts an administrator sees (they name nobody), but
// alerts only about the vault itself, about itself, and about the connections behind its own live
// delegations, worded without the owner's name or the connection's label. Nothing per person.
import { openAlertCounts } from "@/lib/containment/alerts";
import { getDb } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { ForbiddenError } from "@/lib/errors";
import type { BearerCaller } from "@/lib/oauth-server/bearer";
import { listTenantProviders } from "@/lib/providers/registry";
import type { Person } from "@/lib/tenancy/people";
import { refreshEngineState } from "@/lib/vault/refresh/engine";

import { openAlerts, type AlertAudience } from "./alerts";
import { statusDto, type StatusDto } from "./schemas";

export type { StatusDto };
export type StatusViewer = { kind: "admin"; person: Person } | { kind: "agent"; caller: BearerCaller };

/** The provider key of exchanges whose subject named no delegation of the tenant (a mistyped id, say). */
export const UNKNOWN_PROVIDER = "unknown";

export async function tenantStatus(viewer: StatusViewer, now: Date = new Date()): Promise<StatusDto> {
  if (viewer.kind === "admin" && viewer.person.role !== "admin")
    throw new ForbiddenError("Only an administrator of your organisation can see the vault's status.");
  const tenantId = viewer.kind === "admin" ? viewer.person.tenantId : viewer.caller.tenantId;
  const db = await getDb();
  const audience: AlertAudience =
    viewer.kind === "admin"
      ? { kind: "admin" }
      : { kind: "agent", agentId: viewer.caller.agent.id, connectionIds: await agentConnections(tenantId, viewer.caller.agent.id, now) };
  const names = new Map((await listTenantProviders(tenantId)).map((p) => [p.definition.key, p.definition.name]));
  const [exchanges, connectedAccounts, authorizedAgents, alerts, bySeverity] = await Promise.all([
    exchangeCounts(tenantId),
    connectionCounts(tenantId),
    agentCounts(tenantId, now),
    openAlerts({ db, tenantId, audience, now, providerName: (key) => names.get(key) ?? key }),
    openAlertCounts(tenantId, viewer.kind === "agent" ? viewer.caller.agent.id : undefined),
  ]);
  const stored = Object.values(bySeverity).reduce((a, b) => a + b, 0);
  return statusDto.parse({
    tenantId,
    view: viewer.kind,
    generatedAt: now.toISOString(),
    exchanges,
    connectedAccounts,
    authorizedAgents,
    openAlerts: { count: alerts.length + stored, alerts, bySeverity },
    refreshEngine: refreshEngineState(),
  });
}

/** Success and failure counts of `token.exchange` events, by the provider of the delegation they named. */
async function exchangeCounts(tenantId: string): Promise<StatusDto["exchanges"]> {
  const db = await getDb();
  // The exchange event's target is the delegation id the agent sent; the provider is that
  // delegation's connection's (or the event's own `provider` detail, should it ever carry one).
  const rows = await db.$queryRaw<{ provider: string; outcome: string; n: number }[]>(Prisma.sql`
    SELECT COALESCE(e."details"->>'provider', c."providerKey", ${UNKNOWN_PROVIDER}) AS "provider", e."outcome" AS "outcome", COUNT(*)::int AS "n"
    FROM "AuditEvent" e
    LEFT JOIN "Delegation" d ON d."id" = e."target" AND d."tenantId" = e."tenantId"
    LEFT JOIN "Connection" c ON c."id" = d."connectionId"
    WHERE e."tenantId" = ${tenantId} AND e."action" = 'token.exchange'
    GROUP BY 1, 2`);
  const out: StatusDto["exchanges"] = { total: 0, success: 0, failure: 0, byProvider: {} };
  for (const { provider, outcome, n } of rows) {
    const kind = outcome === "success" ? "success" : "failure";
    const count = Number(n);
    out.total += count;
    out[kind] += count;
    (out.byProvider[provider] ??= { success: 0, failure: 0 })[kind] += count;
  }
  return out;
}

/** The tenant's connections that are not disconnected, in all and by status (also the refresh overview's counts). */
export async function connectionCounts(tenantId: string): Promise<StatusDto["connectedAccounts"]> {
  const db = await getDb();
  const groups = await db.connection.groupBy({ by: ["status"], where: { tenantId, status: { not: "revoked" } }, _count: { _all: true } });
  const byStatus = { active: 0, refreshing: 0, degraded: 0, needs_reconnect: 0 };
  for (const g of groups) if (g.status in byStatus) byStatus[g.status as keyof typeof byStatus] = g._count._all;
  return { total: Object.values(byStatus).reduce((a, b) => a + b, 0), byStatus };
}

/** A live delegation: not revoked, not expired, on a connection that was not disconnected (as the token endpoint sees it). */
function liveDelegation(now: Date): Prisma.DelegationWhereInput {
  return { revokedAt: null, expiresAt: { gt: now }, connection: { status: { not: "revoked" } } };
}

async function agentCounts(tenantId: string, now: Date): Promise<StatusDto["authorizedAgents"]> {
  const db = await getDb();
  const [active, suspended, authorized] = await Promise.all([
    db.agent.count({ where: { tenantId, status: "active" } }),
    db.agent.count({ where: { tenantId, status: "suspended" } }),
    db.agent.count({ where: { tenantId, status: "active", delegations: { some: liveDelegation(now) } } }),
  ]);
  return { authorized, active, suspended, total: active + suspended };
}

async function agentConnections(tenantId: string, agentId: string, now: Date): Promise<Set<string>> {
  const db = await getDb();
  const rows = await db.delegation.findMany({ where: { tenantId, agentId, ...liveDelegation(now) }, select: { connectionId: true } });
  return new Set(rows.map((r) => r.connectionId));
}
