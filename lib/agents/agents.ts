import "server-only";
// The agent registry: administrators register agents, give them credentials, set
// their capability ceiling, suspend, resume and delete them. Every function checks here that the
// caller is an admin and that the agent is in the caller's tenant (another tenant's agent is "not
// found", so ids cannot be probed). Every change commits together with its audit event. A client
// secret exists in clear only in the value returned once; the row, the audit log and the logs see
// only its hash, or nothing.
import { generateClientId, generateClientSecret, hashSecret } from "@/lib/agents/credentials";
import type { AgentDto, CreateAgentInput } from "@/lib/agents/schemas";
import { forgetClient } from "@/lib/agents/verified-clients";
import { appendAudit } from "@/lib/audit/append";
import { getDb } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import type { Person } from "@/lib/tenancy/people";

import {
  activeDelegationsWhere,
  type AgentWithSecret,
  assertAdmin,
  assertCeilingFits,
  assertNameFree,
  assertUsableKeys,
  columns,
  findOwnRow,
  loadDto,
  NOT_FOUND,
  toAgentDto,
} from "./agent-rows";

export type { AgentWithSecret } from "./agent-rows";

export { updateAgent } from "./update-agent";

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
