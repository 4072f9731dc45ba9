import "server-only";
// The agent registry: administrators register agents, give them credentials, set
// their capability ceiling, suspend, resume and delete them. Every function checks here that the
// caller is an admin and that the agent is in the caller's tenant (another tenant's agent is "not
// found", so ids cannot be probed). Every change commits together with its audit event. A client
// secret exists in clear only in the value returned once; the row, the audit log and the logs see
// only its hash, or nothing.
import { readCeiling, type Ceiling } from "@/lib/agents/ceiling";
import { generateClientId, generateClientSecret, hashSecret, unusablePublicKey, type PublicJwks } from "@/lib/agents/credentials";
import { agentDto, type AgentDto, type CreateAgentInput, type UpdateAgentInput } from "@/lib/agents/schemas";
import { appendAudit } from "@/lib/audit/append";
import { forgetClient } from "@/lib/agents/verified-clients";
import { getDb } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from "@/lib/errors";
import { listTenantProviders } from "@/lib/providers/registry";
import type { Person } from "@/lib/tenancy/people";
import { findTool } from "@/lib/tools/catalogue";

export type AgentWithSecret = { agent: AgentDto; clientSecret?: string };

const NOT_FOUND = "No agent with this id is registered in your organisation: it may have been deleted.";

// Exactly what the DTO needs; the hashes are read only to say which methods are set up.
const columns = {
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

type AgentRow = Prisma.AgentGetPayload<{ select: typeof columns }>;

function assertAdmin(person: Person): void {
  if (person.role !== "admin") throw new ForbiddenError("Only an administrator of your organisation can manage agents.");
}

function activeDelegationsWhere(now: Date) {
  return { revokedAt: null, expiresAt: { gt: now } };
}

function keyCount(jwks: unknown): number {
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

async function loadDto(id: string, tenantId: string): Promise<AgentDto> {
  const db = await getDb();
  const now = new Date();
  const row = await db.agent.findFirst({
    where: { id, tenantId },
    select: { ...columns, _count: { select: { delegations: { where: activeDelegationsWhere(now) } } } },
  });
  if (!row) throw new NotFoundError(NOT_FOUND);
  return toAgentDto(row, row._count.delegations, now);
}

async function findOwnRow(person: Person, id: string): Promise<AgentRow> {
  const db = await getDb();
  const row = await db.agent.findFirst({ where: { id, tenantId: person.tenantId }, select: columns });
  if (!row) throw new NotFoundError(NOT_FOUND);
  return row;
}

export async function listTenantAgents(person: Person): Promise<AgentDto[]> {
  assertAdmin(person);
  const db = await getDb();
  const now = new Date();
  const rows = await db.agent.findMany({
    where: { tenantId: person.tenantId },
    select: { ...columns, _count: { select: { delegations: { where: activeDelegationsWhere(now) } } } },
    orderBy: { createdAt: "desc" },
  });
  return rows.map((row) => toAgentDto(row, row._count.delegations, now));
}

export async function getAgent(person: Person, id: string): Promise<AgentDto> {
  assertAdmin(person);
  return loadDto(id, person.tenantId);
}

/** A ceiling may only name the tenant's providers, and only tools of providers it names. */
async function assertCeilingFits(tenantId: string, ceiling: Ceiling): Promise<void> {
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

function assertUsableKeys(jwks: PublicJwks | null | undefined): void {
  if (!jwks) return;
  const problem = unusablePublicKey(jwks);
  if (problem) throw new BadRequestError(problem, "invalid_jwks");
}

async function assertNameFree(tenantId: string, name: string, exceptId?: string): Promise<void> {
  const db = await getDb();
  const taken = await db.agent.findFirst({
    where: { tenantId, name: { equals: name, mode: "insensitive" }, ...(exceptId ? { id: { not: exceptId } } : {}) },
    select: { id: true },
  });
  if (taken) throw new ConflictError(`An agent named "${name}" is already registered: choose another name so people can tell them apart.`, "agent_name_taken");
}

export async function registerAgent(person: Person, body: CreateAgentInput): Promise<AgentWithSecret> {
  assertAdmin(person);
  await assertCeilingFits(person.tenantId, body.ceiling);
  assertUsableKeys(body.credentials.jwks);
  await assertNameFree(person.tenantId, body.name);
  const clientSecret = body.credentials.secret ? generateClientSecret() : undefined;
  const secretHash = clientSecret ? await hashSecret(clientSecret) : null;
  const db = await getDb();
  const id = await db.$transaction(async (tx) => {
    const agent = await tx.agent.create({
      data: {
        tenantId: person.tenantId,
        clientId: generateClientId(),
        name: body.name,
        description: body.description,
        secretHash,
        jwks: body.credentials.jwks ?? undefined,
        jwksUri: body.credentials.jwksUri ?? null,
        ceiling: body.ceiling,
        createdById: person.id,
      },
      select: { id: true, clientId: true },
    });
    await appendAudit(tx, {
      tenantId: person.tenantId,
      action: "agent.register",
      outcome: "success",
      actorArn: person.arn,
      agentId: agent.id,
      target: agent.id,
      details: {
        clientId: agent.clientId,
        name: body.name,
        secret: secretHash !== null,
        jwks: body.credentials.jwks ? body.credentials.jwks.keys.length : 0,
        jwksUri: body.credentials.jwksUri ?? null,
        ceiling: body.ceiling,
      },
    });
    return agent.id;
  });
  return { agent: await loadDto(id, person.tenantId), ...(clientSecret ? { clientSecret } : {}) };
}

type AuditEvent = { action: string; details: Record<string, unknown> };

export async function updateAgent(person: Person, id: string, body: UpdateAgentInput): Promise<AgentWithSecret> {
  assertAdmin(person);
  const row = await findOwnRow(person, id);
  const data: Prisma.AgentUpdateManyMutationInput = {};
  const events: AuditEvent[] = [];
  const changed: string[] = [];
  const now = new Date();

  if (body.name !== undefined && body.name !== row.name) {
    await assertNameFree(person.tenantId, body.name, row.id);
    data.name = body.name;
    changed.push("name");
  }
  if (body.description !== undefined && body.description !== row.description) {
    data.description = body.description;
    changed.push("description");
  }
  if (body.ceiling !== undefined) {
    await assertCeilingFits(person.tenantId, body.ceiling);
    data.ceiling = body.ceiling;
    changed.push("ceiling");
  }

  // Keys: setting one way of publishing them replaces the other (RFC 7591 allows only one).
  let jwks: unknown = row.jwks;
  let jwksUri = row.jwksUri;
  if (body.jwks !== undefined) {
    assertUsableKeys(body.jwks);
    jwks = body.jwks;
    data.jwks = body.jwks ?? Prisma.DbNull;
    if (body.jwks) {
      jwksUri = null;
      data.jwksUri = null;
    }
    changed.push("jwks");
  }
  if (body.jwksUri !== undefined) {
    jwksUri = body.jwksUri;
    data.jwksUri = body.jwksUri;
    if (body.jwksUri) {
      jwks = null;
      data.jwks = Prisma.DbNull;
    }
    changed.push("jwksUri");
  }

  // Secrets.
  let clientSecret: string | undefined;
  let hasSecret = row.secretHash !== null;
  if (body.rotateSecret) {
    if (!row.secretHash) throw new BadRequestError("This agent has no client secret to rotate: turn on client-secret authentication first.", "no_secret");
    clientSecret = generateClientSecret();
    const overlap = body.rotateSecret.overlapSeconds;
    const previousSecretExpiresAt = overlap > 0 ? new Date(now.getTime() + overlap * 1000) : null;
    data.secretHash = await hashSecret(clientSecret);
    data.previousSecretHash = overlap > 0 ? row.secretHash : null;
    data.previousSecretExpiresAt = previousSecretExpiresAt;
    events.push({ action: "agent.secret_rotate", details: { overlapSeconds: overlap, previousSecretExpiresAt: previousSecretExpiresAt?.toISOString() ?? null } });
  } else if (body.enableSecret === true) {
    if (row.secretHash) throw new BadRequestError("This agent already has a client secret: rotate it to get a new one.", "secret_exists");
    clientSecret = generateClientSecret();
    data.secretHash = await hashSecret(clientSecret);
    data.previousSecretHash = null;
    data.previousSecretExpiresAt = null;
    hasSecret = true;
    events.push({ action: "agent.secret_rotate", details: { overlapSeconds: 0, previousSecretExpiresAt: null, firstSecret: true } });
  } else if (body.enableSecret === false && row.secretHash) {
    data.secretHash = null;
    data.previousSecretHash = null;
    data.previousSecretExpiresAt = null;
    hasSecret = false;
    changed.push("secret_removed");
  }
  if (!hasSecret && keyCount(jwks) === 0 && !jwksUri) {
    throw new BadRequestError(
      "This change would leave the agent with no way to authenticate: keep a client secret, a public JWKS or a JWKS URL.",
      "no_credentials_left",
    );
  }

  if (body.status !== undefined && body.status !== row.status) {
    data.status = body.status;
    events.push({ action: body.status === "suspended" ? "agent.suspend" : "agent.resume", details: {} });
  }
  if (changed.length > 0) {
    events.unshift({ action: "agent.update", details: { changed, ...(data.name ? { name: data.name } : {}), ...(body.ceiling ? { ceiling: body.ceiling } : {}) } });
  }

  if (events.length > 0) {
    const db = await getDb();
    await db.$transaction(async (tx) => {
      // Conditional on the version read above: two admins editing at once cannot lose a rotation.
      const { count } = await tx.agent.updateMany({ where: { id: row.id, tenantId: person.tenantId, updatedAt: row.updatedAt }, data });
      if (count !== 1) throw new ConflictError("Someone changed this agent at the same time: reload the page and try again.", "agent_changed");
      for (const event of events) {
        await appendAudit(tx, {
          tenantId: person.tenantId,
          action: event.action,
          outcome: "success",
          actorArn: person.arn,
          agentId: row.id,
          target: row.id,
          details: { clientId: row.clientId, ...event.details },
        });
      }
    });
    forgetClient(row.clientId);
  }
  return { agent: await loadDto(row.id, person.tenantId), ...(clientSecret ? { clientSecret } : {}) };
}

/** Deletes the agent and, with it, every delegation to it; the audit trail keeps its history. */
export async function deleteAgent(person: Person, id: string): Promise<{ deleted: true; delegationsEnded: number }> {
  assertAdmin(person);
  const row = await findOwnRow(person, id);
  const db = await getDb();
  const result = await db.$transaction(async (tx) => {
    const delegationsEnded = await tx.delegation.count({ where: { agentId: row.id, ...activeDelegationsWhere(new Date()) } });
    const { count } = await tx.agent.deleteMany({ where: { id: row.id, tenantId: person.tenantId } });
    if (count !== 1) throw new NotFoundError(NOT_FOUND);
    await appendAudit(tx, {
      tenantId: person.tenantId,
      action: "agent.delete",
      outcome: "success",
      actorArn: person.arn,
      agentId: row.id,
      target: row.id,
      details: { clientId: row.clientId, name: row.name, delegationsEnded },
    });
    return { deleted: true as const, delegationsEnded };
  });
  forgetClient(row.clientId);
  return result;
}
