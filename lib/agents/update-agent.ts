import "server-only";
// Changing a registered agent: name, description, ceiling, keys, its client secret (rotated with
// an overlap, turned on or off) and its status. One conditional write on the version read, so two
// administrators editing at once cannot lose a rotation; each change commits with its audit event,
// and this process forgets what it remembered about the client (other instances learn it through
// the policy version).
import { generateClientSecret, hashSecret } from "@/lib/agents/credentials";
import type { UpdateAgentInput } from "@/lib/agents/schemas";
import { forgetClient } from "@/lib/agents/verified-clients";
import { appendAudit } from "@/lib/audit/append";
import { getDb } from "@/lib/db";
import { BadRequestError, ConflictError } from "@/lib/errors";
import { Prisma } from "@/lib/generated/prisma/client";
import type { Person } from "@/lib/tenancy/people";

import { type AgentWithSecret, assertAdmin, assertCeilingFits, assertNameFree, assertUsableKeys, findOwnRow, keyCount, loadDto } from "./agent-rows";

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
    events.push({
      action: "agent.secret_rotate",
      details: { overlapSeconds: overlap, previousSecretExpiresAt: previousSecretExpiresAt?.toISOString() ?? null },
    });
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
    events.unshift({
      action: "agent.update",
      details: { changed, ...(data.name ? { name: data.name } : {}), ...(body.ceiling ? { ceiling: body.ceiling } : {}) },
    });
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
