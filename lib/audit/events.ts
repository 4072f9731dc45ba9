import "server-only";
// Audit events visible to a person: their own, or the whole tenant for admins.
import { getDb } from "@/lib/db";
import type { Person } from "@/lib/tenancy/people";

export type AuditEventDto = { seq: number; at: string; action: string; outcome: string; actorArn: string | null; agentId: string | null; target: string | null };

export async function listAuditEvents(person: Person, take = 50): Promise<AuditEventDto[]> {
  const db = await getDb();
  const rows = await db.auditEvent.findMany({
    where: { tenantId: person.tenantId, ...(person.role === "admin" ? {} : { actorArn: person.arn }) },
    orderBy: { seq: "desc" },
    take,
  });
  return rows.map((r) => ({ seq: r.seq, at: r.at.toISOString(), action: r.action, outcome: r.outcome, actorArn: r.actorArn, agentId: r.agentId, target: r.target }));
}
