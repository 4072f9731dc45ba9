import "server-only";
// What the agent registry's functions share: the columns of an agent's row and its DTO, the admin
// and tenant checks, and the checks a ceiling, a key set or a name must pass before they are stored.
import { readCeiling, type Ceiling } from "@/lib/agents/ceiling";
import { unusablePublicKey, type PublicJwks } from "@/lib/agents/credentials";
import { agentDto, type AgentDto } from "@/lib/agents/schemas";
import { getDb } from "@/lib/db";
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import { listTenantProviders } from "@/lib/providers/registry";
import type { Person } from "@/lib/tenancy/people";
import { findTool } from "@/lib/providers/meta";

export type AgentWithSecret = { agent: AgentDto; clientSecret?: string };

export const NOT_FOUND = "No agent with this id is registered in your organisation: it may have been deleted.";

// Exactly what the DTO needs; the hashes are read only to say which methods are set up.
export const columns = {
  id: true,
  tenantId: true,
  clientId: true,
  name: true,
  description: true,
  status: true,
  secretHash: true,
  previousSecretHash: true,
  previousSecretExpiresAt: true,
  jwks: true,
  jwksUri: true,
  ceiling: true,
  createdAt: true,
  updatedAt: true,
} as const;

export type AgentRow = Prisma.AgentGetPayload<{ select: typeof columns }>;

export function assertAdmin(person: Person): void {
  if (person.role !== "admin") throw new ForbiddenError("Only an administrator of your organisation can manage agents.");
}

export function activeDelegationsWhere(now: Date) {
  return { revokedAt: null, expiresAt: { gt: now } };
}

export function keyCount(jwks: unknown): number {
  const keys = jwks && typeof jwks === "object" ? (jwks as { keys?: unknown }).keys : undefined;
  return Array.isArray(keys) ? keys.length : 0;
}

export function toAgentDto(row: AgentRow, activeDelegations: number, now = new Date()): AgentDto {
  const overlapping = row.previousSecretHash !== null && row.previousSecretExpiresAt !== null && row.previousSecretExpiresAt > now;
  return agentDto.parse({
    id: row.id,
    clientId: row.clientId,
    name: row.name,
    description: row.description,
    status: row.status,
    ceiling: readCeiling(row.ceiling),
    authMethods: [...(row.secretHash ? ["client_secret"] : []), ...(keyCount(row.jwks) > 0 || row.jwksUri ? ["private_key_jwt"] : [])],
    jwksUri: row.jwksUri,
    keyCount: keyCount(row.jwks),
    previousSecretExpiresAt: overlapping ? row.previousSecretExpiresAt!.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    activeDelegations,
  });
}

export async function loadDto(id: string, tenantId: string): Promise<AgentDto> {
  const db = await getDb();
  const now = new Date();
  const row = await db.agent.findFirst({
    where: { id, tenantId },
    select: { ...columns, _count: { select: { delegations: { where: activeDelegationsWhere(now) } } } },
  });
  if (!row) throw new NotFoundError(NOT_FOUND);
  return toAgentDto(row, row._count.delegations, now);
}

export async function findOwnRow(person: Person, id: string): Promise<AgentRow> {
  const db = await getDb();
  const row = await db.agent.findFirst({ where: { id, tenantId: person.tenantId }, select: columns });
  if (!row) throw new NotFoundError(NOT_FOUND);
  return row;
}

/** A ceiling may only name the tenant's providers, and only tools of providers it names. */
export async function assertCeilingFits(tenantId: string, ceiling: Ceiling): Promise<void> {
  const catalogue = await listTenantProviders(tenantId);
  const offered = new Set(catalogue.map((p) => p.definition.key));
  const missing = ceiling.providers.filter((key) => !offered.has(key));
  if (missing.length > 0) {
    throw new BadRequestError(
      `Your organisation's catalogue has no provider ${missing.map((k) => `"${k}"`).join(", ")}: choose providers from the catalogue, or add the provider first.`,
      "provider_not_in_catalogue",
    );
  }
  for (const name of ceiling.tools) {
    const provider = findTool(name)?.provider;
    if (!provider || !ceiling.providers.includes(provider)) {
      throw new BadRequestError(
        `The tool "${name}" belongs to the provider "${provider ?? "unknown"}", which this ceiling does not allow: add the provider or remove the tool.`,
        "tool_outside_ceiling",
      );
    }
  }
}

export function assertUsableKeys(jwks: PublicJwks | null | undefined): void {
  if (!jwks) return;
  const problem = unusablePublicKey(jwks);
  if (problem) throw new BadRequestError(problem, "invalid_jwks");
}

export async function assertNameFree(tenantId: string, name: string, exceptId?: string): Promise<void> {
  const db = await getDb();
  const taken = await db.agent.findFirst({
    where: { tenantId, name: { equals: name, mode: "insensitive" }, ...(exceptId ? { id: { not: exceptId } } : {}) },
    select: { id: true },
  });
  if (taken) throw new ConflictError(`An agent named "${name}" is already registered: choose another name so people can tell them apart.`, "agent_name_taken");
}
