import "server-only";
// The MCP clients of a tenant, for its administrators: list them, approve one with a ceiling (which
// creates its backing agent if it has none), block it, suspend or resume it (through its agent),
// change its ceiling, and remove it (its agent deleted, so every delegation and token family it
// holds ends with it, and its unused authorization codes too). Every decision is made under the
// tenant's audit lock and commits with its audit event; this process then forgets what it
// remembered about the agent. Touches TenantClient, Agent and AuthorizationCode rows and the audit log.
import type { Ceiling } from "@/lib/agents/ceiling";
import { assertCeilingFits } from "@/lib/agents/agent-rows";
import { forgetClient } from "@/lib/agents/verified-clients";
import { appendAudit, lockAuditHead } from "@/lib/audit/append";
import { getDb } from "@/lib/db";
import { BadRequestError, ConflictError, NotFoundError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { Person } from "@/lib/tenancy/people";

import { createBackingAgent } from "./backing-agent";
import type { DeleteMcpClientAnswer, McpClientDto, UpdateMcpClientInput } from "./schemas";
import { CLIENT_AUDIT } from "./tenant-clients";
import { assertAdmin, listDtos, loadDto, NOT_FOUND } from "./tenant-client-rows";

type Tx = Prisma.TransactionClient;

export async function listTenantClients(person: Person): Promise<McpClientDto[]> {
  assertAdmin(person);
  return listDtos(person.tenantId);
}

export async function getTenantClient(person: Person, clientId: string): Promise<McpClientDto> {
  assertAdmin(person);
  return loadDto(person.tenantId, clientId);
}

async function lockedRow(tx: Tx, person: Person, clientId: string) {
  await lockAuditHead(tx, person.tenantId);
  const row = await tx.tenantClient.findUnique({
    where: { tenantId_clientId: { tenantId: person.tenantId, clientId } },
    select: {
      status: true,
      client: { select: { id: true, name: true } },
      agent: { select: { id: true, clientId: true, status: true, ceiling: true } },
    },
  });
  if (!row) throw new NotFoundError(NOT_FOUND);
  return row;
}

type Decision = { action: string; agentId: string | null; details: Record<string, unknown> };

/** Applies one decision; returns the agent client id this process must forget, if any. */
async function decide(tx: Tx, person: Person, clientId: string, body: UpdateMcpClientInput): Promise<string | null> {
  const row = await lockedRow(tx, person, clientId);
  const agent = row.agent;
  const decided = { decidedById: person.id, decidedAt: new Date() };
  const where = { tenantId_clientId: { tenantId: person.tenantId, clientId } };
  const noAgent = () => new ConflictError(`${row.client.name} has no agent yet: approve it with a ceiling first.`, "mcp_client_not_approved");
  let decision: Decision | null = null;

  switch (body.action) {
    case "approve": {
      const ceiling: Ceiling | undefined = body.ceiling;
      if (row.status === "approved" && agent && !ceiling && agent.status === "active") break;
      let agentId = agent?.id ?? null;
      if (agent) {
        await tx.agent.update({ where: { id: agent.id }, data: { status: "active", ...(ceiling ? { ceiling } : {}) } });
      } else {
        if (!ceiling)
          throw new BadRequestError(`Approving ${row.client.name} needs a ceiling: say which providers and tools it may ever use.`, "ceiling_required");
        agentId = (await createBackingAgent(tx, { tenantId: person.tenantId, oauthClientId: clientId, clientName: row.client.name, ceiling })).id;
      }
      await tx.tenantClient.update({ where, data: { status: "approved", agentId, ...decided } });
      decision = { action: CLIENT_AUDIT.approve, agentId, details: { previous: row.status, agentCreated: !agent, ...(ceiling ? { ceiling } : {}) } };
      break;
    }
    case "block": {
      if (row.status === "blocked" && (!agent || agent.status === "suspended")) break;
      if (agent) await tx.agent.update({ where: { id: agent.id }, data: { status: "suspended" } });
      await tx.tenantClient.update({ where, data: { status: "blocked", ...decided } });
      decision = { action: CLIENT_AUDIT.block, agentId: agent?.id ?? null, details: { previous: row.status, agentSuspended: !!agent } };
      break;
    }
    case "suspend":
    case "resume": {
      if (!agent || row.status !== "approved") {
        throw new ConflictError(
          `Only an approved client can be ${body.action === "suspend" ? "suspended" : "resumed"}: approve ${row.client.name} first.`,
          "mcp_client_not_approved",
        );
      }
      const status = body.action === "suspend" ? "suspended" : "active";
      if (agent.status === status) break;
      await tx.agent.update({ where: { id: agent.id }, data: { status } });
      decision = { action: body.action === "suspend" ? CLIENT_AUDIT.suspend : CLIENT_AUDIT.resume, agentId: agent.id, details: {} };
      break;
    }
    case "set_ceiling": {
      if (!agent) throw noAgent();
      await tx.agent.update({ where: { id: agent.id }, data: { ceiling: body.ceiling } });
      decision = { action: CLIENT_AUDIT.ceiling, agentId: agent.id, details: { ceiling: body.ceiling } };
      break;
    }
  }
  if (!decision) return null;
  await appendAudit(tx, {
    tenantId: person.tenantId,
    action: decision.action,
    outcome: "success",
    actorArn: person.arn,
    agentId: decision.agentId,
    target: clientId,
    details: { clientId, name: row.client.name, ...decision.details },
  });
  return agent?.clientId ?? null;
}

export async function updateTenantClient(person: Person, clientId: string, body: UpdateMcpClientInput): Promise<McpClientDto> {
  assertAdmin(person);
  if ("ceiling" in body && body.ceiling) await assertCeilingFits(person.tenantId, body.ceiling);
  const db = await getDb();
  const forget = await db.$transaction((tx) => decide(tx, person, clientId, body));
  if (forget) forgetClient(forget);
  return loadDto(person.tenantId, clientId);
}

/** Removes the client from the tenant: its agent, every delegation to it, its token families and its unused codes go too. */
export async function deleteTenantClient(person: Person, clientId: string): Promise<DeleteMcpClientAnswer> {
  assertAdmin(person);
  const db = await getDb();
  const { answer, agentClientId } = await db.$transaction(async (tx) => {
    const row = await lockedRow(tx, person, clientId);
    const agent = row.agent;
    const delegationsEnded = agent ? await tx.delegation.count({ where: { agentId: agent.id, revokedAt: null, expiresAt: { gt: new Date() } } }) : 0;
    const codes = await tx.authorizationCode.deleteMany({ where: { tenantId: person.tenantId, clientId } });
    // Deleting the agent takes its delegations, token families and refresh tokens with it (cascades).
    if (agent) await tx.agent.delete({ where: { id: agent.id } });
    await tx.tenantClient.delete({ where: { tenantId_clientId: { tenantId: person.tenantId, clientId } } });
    await appendAudit(tx, {
      tenantId: person.tenantId,
      action: CLIENT_AUDIT.delete,
      outcome: "success",
      actorArn: person.arn,
      agentId: agent?.id ?? null,
      target: clientId,
      details: { clientId, name: row.client.name, previous: row.status, agentDeleted: !!agent, delegationsEnded, codesDropped: codes.count },
    });
    return { answer: { deleted: true as const, delegationsEnded }, agentClientId: agent?.clientId ?? null };
  });
  if (agentClientId) forgetClient(agentClientId);
  return answer;
}
