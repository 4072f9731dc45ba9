import "server-only";
// What the MCP clients admin functions share: the admin check, the rows of a tenant's clients (with
// the client, its backing agent and who asked and decided) and the DTO built from them. Another
// tenant's client is "not found", so ids cannot be probed. Touches TenantClient, OAuthClient, Agent,
// Delegation and User rows (read only).
import { readCeiling } from "@/lib/agents/ceiling";
import { getDb } from "@/lib/db";
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { Person } from "@/lib/tenancy/people";

import { readMcpClientPolicy } from "./policy";
import { redirectHosts } from "./redirect-uris";
import { mcpClientDto, type McpClientDto } from "./schemas";

export const NOT_FOUND = "No MCP client with this id has asked to connect in your organisation: it may have been removed.";

export function assertAdmin(person: Person): void {
  if (person.role !== "admin") throw new ForbiddenError("Only an administrator of your organisation can manage MCP clients.");
}

const activeDelegations = (now: Date) => ({ where: { revokedAt: null, expiresAt: { gt: now } } });

export function rowSelect(now: Date) {
  return {
    tenantId: true,
    clientId: true,
    status: true,
    requestedById: true,
    decidedById: true,
    createdAt: true,
    decidedAt: true,
    client: { select: { id: true, kind: true, name: true, logoUri: true, clientUri: true, redirectUris: true, native: true } },
    agent: { select: { id: true, clientId: true, name: true, status: true, ceiling: true, _count: { select: { delegations: activeDelegations(now) } } } },
  } satisfies Prisma.TenantClientSelect;
}

type Row = Prisma.TenantClientGetPayload<{ select: ReturnType<typeof rowSelect> }>;

async function dtos(tenantId: string, rows: Row[]): Promise<McpClientDto[]> {
  const db = await getDb();
  const ids = [...new Set(rows.flatMap((r) => [r.requestedById, r.decidedById]).filter((id): id is string => !!id))];
  const [people, tenant] = await Promise.all([
    ids.length ? db.user.findMany({ where: { tenantId, id: { in: ids } }, select: { id: true, name: true, email: true } }) : [],
    db.tenant.findUnique({ where: { id: tenantId }, select: { mcpClientPolicy: true } }),
  ]);
  const byId = new Map(people.map((p) => [p.id, p]));
  const vouched = new Set(readMcpClientPolicy(tenant?.mcpClientPolicy).verifiedHosts);
  return rows.map((r) => {
    const document = r.client.kind === "metadata_document";
    return mcpClientDto.parse({
      clientId: r.client.id,
      name: r.client.name,
      logoUri: r.client.logoUri,
      clientUri: r.client.clientUri,
      kind: document ? "metadata_document" : "registered",
      verified: document && vouched.has(new URL(r.client.id).host.toLowerCase()),
      native: r.client.native,
      redirectUris: r.client.redirectUris,
      redirectHosts: redirectHosts(r.client.redirectUris),
      status: r.status === "approved" && !r.agent ? "pending" : r.status,
      agent: r.agent && {
        id: r.agent.id,
        name: r.agent.name,
        status: r.agent.status,
        ceiling: readCeiling(r.agent.ceiling),
        activeDelegations: r.agent._count.delegations,
      },
      requestedBy: (r.requestedById && byId.get(r.requestedById)) || null,
      decidedBy: (r.decidedById && byId.get(r.decidedById)) || null,
      createdAt: r.createdAt.toISOString(),
      decidedAt: r.decidedAt?.toISOString() ?? null,
    });
  });
}

export async function listDtos(tenantId: string): Promise<McpClientDto[]> {
  const db = await getDb();
  const rows = await db.tenantClient.findMany({ where: { tenantId }, select: rowSelect(new Date()), orderBy: { createdAt: "desc" } });
  return dtos(tenantId, rows);
}

export async function loadDto(tenantId: string, clientId: string): Promise<McpClientDto> {
  const db = await getDb();
  const row = await db.tenantClient.findUnique({ where: { tenantId_clientId: { tenantId, clientId } }, select: rowSelect(new Date()) });
  if (!row) throw new NotFoundError(NOT_FOUND);
  return (await dtos(tenantId, [row]))[0]!;
}
