import "server-only";
// Whose credential an action uses (ISSUE 5, "Orchestration"). The person's own connection, the one
// they delegated, always comes first. A tenant service account (a connection marked
// isServiceAccount, same tenant and provider) stands in only when the person's connection cannot be
// used AND the tenant switch, the agent's ceiling and the delegation all allow it. Never silently:
// the answer, the receipt and the audit event name the credential used.
import { readCeiling, type Ceiling } from "@/lib/agents/ceiling";
import { getDb } from "@/lib/db";
import type { ConnectionStatus } from "@/lib/generated/prisma/enums";
import type { DelegationCaller } from "@/lib/oauth-server/bearer";

import { ActionError } from "./errors";

export type CredentialKind = "user" | "service_account";

export type ActionConnection = {
  id: string;
  tenantId: string;
  providerKey: string;
  status: ConnectionStatus;
  metadata: Record<string, unknown>;
};

/** The rows an action is decided on, re-read for this call (the token only names them). */
export type ActionContext = {
  caller: DelegationCaller;
  delegation: { id: string; connectionId: string; tools: string[]; allowServiceAccount: boolean };
  ceiling: Ceiling;
  tenantAllowsServiceAccounts: boolean;
  /** The person's own connection, the one the delegation names. */
  person: ActionConnection;
};

export type Credential = { kind: CredentialKind; connection: ActionConnection };

/** Which gate kept a service account out, for tests and logs. */
export type ServiceAccountRefusal = "person_connection_usable" | "tenant_switch" | "agent_ceiling" | "delegation" | "none_connected";

const USABLE: ReadonlySet<ConnectionStatus> = new Set(["active", "refreshing", "degraded"]);
const connectionSelect = { id: true, tenantId: true, providerKey: true, status: true, metadata: true, revokedAt: true } as const;

type ConnectionRow = { id: string; tenantId: string; providerKey: string; status: ConnectionStatus; metadata: unknown; revokedAt: Date | null };

function toConnection(row: ConnectionRow): ActionConnection {
  const metadata = row.metadata && typeof row.metadata === "object" && !Array.isArray(row.metadata) ? (row.metadata as Record<string, unknown>) : {};
  return { id: row.id, tenantId: row.tenantId, providerKey: row.providerKey, status: row.revokedAt ? "revoked" : row.status, metadata };
}

export function isUsable(connection: ActionConnection): boolean {
  return USABLE.has(connection.status);
}

export async function loadActionContext(caller: DelegationCaller): Promise<ActionContext> {
  const db = await getDb();
  const row = await db.delegation.findUnique({
    where: { id: caller.delegationId },
    select: {
      id: true,
      tenantId: true,
      connectionId: true,
      tools: true,
      allowServiceAccount: true,
      agent: { select: { id: true, tenantId: true, ceiling: true } },
      connection: { select: connectionSelect },
      tenant: { select: { allowServiceAccounts: true } },
    },
  });
  // authenticateBearer checked these a moment ago; anything different now means the rows changed under the token.
  if (!row || row.tenantId !== caller.tenantId || row.agent.id !== caller.agent.id || row.agent.tenantId !== caller.tenantId || row.connectionId !== caller.connectionId || row.connection.tenantId !== caller.tenantId) {
    throw new ActionError(404, "delegation_unknown", "The delegation behind this token no longer exists: ask the person to grant access again.");
  }
  return {
    caller,
    delegation: { id: row.id, connectionId: row.connectionId, tools: row.tools, allowServiceAccount: row.allowServiceAccount },
    ceiling: readCeiling(row.agent.ceiling),
    tenantAllowsServiceAccounts: row.tenant.allowServiceAccounts,
    person: toConnection(row.connection),
  };
}

/**
 * The tenant service account this action may use instead of the person's connection, or the first
 * gate that refuses. Every gate must allow it; the PDP then decides on the service account itself.
 */
export async function serviceAccountFor(ctx: ActionContext, opts: { personUsable?: boolean } = {}): Promise<{ connection: ActionConnection } | { refused: ServiceAccountRefusal }> {
  if (opts.personUsable ?? isUsable(ctx.person)) return { refused: "person_connection_usable" };
  if (!ctx.tenantAllowsServiceAccounts) return { refused: "tenant_switch" };
  if (!ctx.ceiling.allowServiceAccount) return { refused: "agent_ceiling" };
  if (!ctx.delegation.allowServiceAccount) return { refused: "delegation" };
  const db = await getDb();
  const row = await db.connection.findFirst({
    where: {
      tenantId: ctx.caller.tenantId,
      providerKey: ctx.person.providerKey,
      isServiceAccount: true,
      status: { in: [...USABLE] },
      revokedAt: null,
      id: { not: ctx.person.id },
    },
    orderBy: { createdAt: "asc" },
    select: connectionSelect,
  });
  return row ? { connection: toConnection(row) } : { refused: "none_connected" };
}

/**
 * The credential to try first: the person's connection when it is usable; otherwise a service account
 * when every gate allows one; otherwise still the person's, so the PDP refuses and says why.
 */
export async function resolveCredential(ctx: ActionContext): Promise<Credential> {
  if (isUsable(ctx.person)) return { kind: "user", connection: ctx.person };
  const sa = await serviceAccountFor(ctx);
  return "connection" in sa ? { kind: "service_account", connection: sa.connection } : { kind: "user", connection: ctx.person };
}
