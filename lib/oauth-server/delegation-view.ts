import "server-only";
// What an agent may know about the delegation behind its token (GET /api/v1/delegation): who granted
// it, on which connection (provider, label, granted scopes, status), what was delegated, the rules and
// the expiry. The DTO is a zod schema with no field that could carry a credential.
import { z } from "zod";

import { getDb } from "@/lib/db";
import { constraintsSchema, readConstraints } from "@/lib/delegations/constraints";
import { NotFoundError } from "@/lib/errors";

import type { DelegationCaller } from "./bearer";

export const delegationViewDto = z
  .object({
    id: z.string(),
    agent: z.object({ clientId: z.string(), name: z.string() }).strip(),
    user: z.object({ arn: z.string(), name: z.string() }).strip(),
    connection: z
      .object({
        id: z.string(),
        provider: z.string(),
        label: z.string(),
        /** Scopes the person granted the connection at the provider. */
        scopes: z.array(z.string()),
        status: z.enum(["active", "refreshing", "degraded", "needs_reconnect", "revoked"]),
      })
      .strip(),
    /** Scopes and tools the person delegated to this agent. */
    scopes: z.array(z.string()),
    tools: z.array(z.string()),
    /** null when the stored rules cannot be read: every action is then refused. */
    constraints: constraintsSchema.nullable(),
    expiresAt: z.string(),
    createdAt: z.string(),
    /** The token this call was made with: its scopes and when it stops working. */
    token: z.object({ scopes: z.array(z.string()), expiresAt: z.string() }).strip(),
  })
  .strip();

export type DelegationView = z.infer<typeof delegationViewDto>;

export async function describeDelegation(caller: DelegationCaller): Promise<DelegationView> {
  const db = await getDb();
  const row = await db.delegation.findUnique({
    where: { id: caller.delegationId },
    select: {
      id: true,
      tenantId: true,
      scopes: true,
      tools: true,
      constraints: true,
      expiresAt: true,
      createdAt: true,
      user: { select: { arn: true, name: true } },
      connection: { select: { id: true, providerKey: true, label: true, scopes: true, status: true } },
    },
  });
  // authenticateBearer has just checked it; gone in between means it was deleted this instant.
  if (!row || row.tenantId !== caller.tenantId) throw new NotFoundError("The delegation behind this token no longer exists.");
  return delegationViewDto.parse({
    id: row.id,
    agent: { clientId: caller.agent.clientId, name: caller.agent.name },
    user: { arn: row.user.arn, name: row.user.name },
    connection: {
      id: row.connection.id,
      provider: row.connection.providerKey,
      label: row.connection.label,
      scopes: row.connection.scopes,
      status: row.connection.status,
    },
    scopes: row.scopes,
    tools: row.tools,
    constraints: readConstraints(row.constraints),
    expiresAt: row.expiresAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
    token: { scopes: caller.scopes, expiresAt: caller.expiresAt.toISOString() },
  });
}
