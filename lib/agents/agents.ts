import "server-only";
// Agents registered in a tenant, as DTOs (admins only; checked here, not only by the page).
import { getDb } from "@/lib/db";
import type { Person } from "@/lib/tenancy/people";

export type AgentSummary = { id: string; clientId: string; name: string; status: "active" | "suspended" };

export async function listTenantAgents(person: Person): Promise<AgentSummary[]> {
  if (person.role !== "admin") throw new Error("Only administrators can list agents.");
  const db = await getDb();
  const rows = await db.agent.findMany({ where: { tenantId: person.tenantId }, orderBy: { createdAt: "desc" } });
  return rows.map((r) => ({ id: r.id, clientId: r.clientId, name: r.name, status: r.status }));
}
