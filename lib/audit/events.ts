import "server-only";
// Audit events visible to a person: their own (events they did or that were done on their behalf),
// or the whole tenant for admins. Filtered and paginated newest first by sequence number.
import { getDb } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { Person } from "@/lib/tenancy/people";
import { auditEventDto, type AuditEventDto, type AuditQuery } from "./schemas";

export type { AuditEventDto };
export type AuditPage = { events: AuditEventDto[]; nextBefore: number | null };

export function auditWhere(person: Person, q: Partial<AuditQuery>): Prisma.AuditEventWhereInput {
  const where: Prisma.AuditEventWhereInput = { tenantId: person.tenantId };
  if (person.role !== "admin") where.actorArn = person.arn;
  else if (q.actor) where.actorArn = q.actor;
  if (q.action) where.action = q.action.endsWith(".") ? { startsWith: q.action } : q.action;
  if (q.outcome) where.outcome = q.outcome;
  if (q.agentId) where.agentId = q.agentId;
  if (q.target) where.target = q.target;
  if (q.from || q.to) where.at = { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lte: q.to } : {}) };
  if (q.before) where.seq = { lt: q.before };
  return where;
}

export async function listAuditEvents(person: Person, q: Partial<AuditQuery> = {}): Promise<AuditPage> {
  const db = await getDb();
  const limit = q.limit ?? 50;
  const rows = await db.auditEvent.findMany({ where: auditWhere(person, q), orderBy: { seq: "desc" }, take: limit + 1 });
  const page = rows.slice(0, limit);
  const agentIds = [...new Set(page.map((r) => r.agentId).filter((id): id is string => !!id))];
  const agents = agentIds.length
    ? await db.agent.findMany({ where: { tenantId: person.tenantId, id: { in: agentIds } }, select: { id: true, name: true } })
    : [];
  const names = new Map(agents.map((a) => [a.id, a.name]));
  return {
    events: page.map((r) =>
      auditEventDto.parse({
        ...r,
        at: r.at.toISOString(),
        agentName: r.agentId ? (names.get(r.agentId) ?? null) : null,
        details: r.details && typeof r.details === "object" && !Array.isArray(r.details) ? r.details : {},
      }),
    ),
    nextBefore: rows.length > limit ? page[page.length - 1]!.seq : null,
  };
}
