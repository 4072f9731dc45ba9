import "server-only";
// The person's connections as DTOs. Tenant and owner are checked in the query itself.
import { getDb } from "@/lib/db";
import type { Person } from "@/lib/tenancy/people";
import { connectionDto, type ConnectionDto } from "./schemas";

type ConnectionRow = {
  id: string;
  providerKey: string;
  label: string;
  status: ConnectionDto["status"];
  scopes: string[];
  metadata: unknown;
  expiresAt: Date | null;
  lastRefreshedAt: Date | null;
};

export function toConnectionDto(row: ConnectionRow): ConnectionDto {
  return connectionDto.parse({
    id: row.id,
    provider: row.providerKey,
    label: row.label,
    status: row.status,
    scopes: row.scopes,
    metadata: row.metadata && typeof row.metadata === "object" ? row.metadata : {},
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastRefreshedAt: row.lastRefreshedAt?.toISOString() ?? null,
  });
}

export async function listMyConnections(person: Person): Promise<ConnectionDto[]> {
  const db = await getDb();
  const rows = await db.connection.findMany({
    where: { tenantId: person.tenantId, userId: person.id, status: { not: "revoked" } },
    orderBy: { createdAt: "desc" },
  });
  return rows.map(toConnectionDto);
}
