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
  reconnectBy: Date | null;
  isServiceAccount: boolean;
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
    reconnectBy: row.reconnectBy?.toISOString() ?? null,
    serviceAccount: row.isServiceAccount,
  });
}

export type DelegationSummary = { id: string; agentName: string; scopes: string[]; expiresAt: string; revokedAt: string | null };
export type ConnectionDetail = ConnectionDto & { delegations: DelegationSummary[] };

// Only DTO columns: the encrypted token set never leaves the database on the portal's read paths.
export const connectionDtoColumns = {
  id: true,
  providerKey: true,
  label: true,
  status: true,
  scopes: true,
  metadata: true,
  expiresAt: true,
  lastRefreshedAt: true,
  reconnectBy: true,
  isServiceAccount: true,
} as const;

export async function listMyConnections(person: Person): Promise<ConnectionDto[]> {
  const db = await getDb();
  const rows = await db.connection.findMany({
    where: { tenantId: person.tenantId, userId: person.id, status: { not: "revoked" } },
    select: connectionDtoColumns,
    orderBy: { createdAt: "desc" },
  });
  return rows.map(toConnectionDto);
}

/** One of the person's connections with the agents' grants on it; null when it is not theirs. */
export async function getMyConnection(person: Person, id: string): Promise<ConnectionDetail | null> {
  const db = await getDb();
  const row = await db.connection.findFirst({ where: { id, tenantId: person.tenantId, userId: person.id }, select: connectionDtoColumns });
  if (!row) return null;
  const delegations = await db.delegation.findMany({
    where: { connectionId: row.id, tenantId: person.tenantId, userId: person.id },
    include: { agent: { select: { name: true } } },
    orderBy: { createdAt: "desc" },
  });
  return {
    ...toConnectionDto(row),
    delegations: delegations.map((d) => ({
      id: d.id,
      agentName: d.agent.name,
      scopes: d.scopes,
      expiresAt: d.expiresAt.toISOString(),
      revokedAt: d.revokedAt?.toISOString() ?? null,
    })),
  };
}
