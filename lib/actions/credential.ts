import "server-only";
// Whose credential an action uses (ISSUE 5, "Orchestration"). The person's own connection, the one
// they delegated, always comes first. A tenant service account (a connection marked
// isServiceAccount, same tenant and provider) stands in only when the person's connection cannot be
// used AND the tenant switch, the agent's ceiling and the delegation all allow it. Never silently:
// the answer, the receipt and the audit event name the credential used. The token endpoint asks the
// same gates (serviceAccountForExchange), so these rules live here and nowhere else.
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

/**
 * What the four service-account gates are decided on: the tenant switch, the agent's ceiling, the
 * delegation and the person's own connection (whose tenant and provider the stand-in must share).
 */
export type ServiceAccountGates = {
  delegation: { allowServiceAccount: boolean };
  ceiling: Ceiling;
  tenantAllowsServiceAccounts: boolean;
  /** The person's own connection, the one the delegation names. */
  person: ActionConnection;
};

/** The rows an action is decided on, re-read for this call (the token only names them). */
export type ActionContext = ServiceAccountGates & {
  caller: DelegationCaller;
  delegation: { id: string; connectionId: string; tools: string[]; allowServiceAccount: boolean };
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

const delegationSelect = {
  id: true,
  tenantId: true,
  agentId: true,
  connectionId: true,
  tools: true,
  allowServiceAccount: true,
  agent: { select: { id: true, tenantId: true, ceiling: true } },
  connection: { select: connectionSelect },
  tenant: { select: { allowServiceAccounts: true } },
} as const;

async function readDelegation(id: string) {
  const db = await getDb();
  return db.delegation.findUnique({ where: { id }, select: delegationSelect });
}

export async function loadActionContext(caller: DelegationCaller): Promise<ActionContext> {
  const row = await readDelegation(caller.delegationId);
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
 * The gates for a delegation named by an agent at the token endpoint, or null when it is not this
 * agent's delegation in this tenant (the PDP then refuses it and says why; nothing is told here).
 */
export async function loadServiceAccountGates(q: { tenantId: string; agentId: string; delegationId: string }): Promise<ServiceAccountGates | null> {
  const row = await readDelegation(q.delegationId);
  if (!row || row.tenantId !== q.tenantId || row.agentId !== q.agentId || row.agent.tenantId !== q.tenantId || row.connection.tenantId !== q.tenantId) return null;
  return {
    delegation: { allowServiceAccount: row.allowServiceAccount },
    ceiling: readCeiling(row.agent.ceiling),
    tenantAllowsServiceAccounts: row.tenant.allowServiceAccounts,
    person: toConnection(row.connection),
  };
}

/**
 * The tenant service account this action may use instead of the person's connection, or the first
 * gate that refuses. Every gate must allow it; the PDP then decides on the service account itself.
 */
export async function serviceAccountFor(ctx: ServiceAccountGates, opts: { personUsable?: boolean } = {}): Promise<{ connection: ActionConnection } | { refused: ServiceAccountRefusal }> {
  if (opts.personUsable ?? isUsable(ctx.person)) return { refused: "person_connection_usable" };
  if (!ctx.tenantAllowsServiceAccounts) return { refused: "tenant_switch" };
  if (!ctx.ceiling.allowServiceAccount) return { refused: "agent_ceiling" };
  if (!ctx.delegation.allowServiceAccount) return { refused: "delegation" };
  const db = await getDb();
  const row = await db.connection.findFirst({
    where: {
      // The person's connection was checked to be in the caller's tenant when the gates were loaded.
      tenantId: ctx.person.tenantId,
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
 * The service account a token exchange may stand on when the person's connection is unusable: its
 * id for the PDP (which re-checks it is a service account of the same tenant and provider, and the
 * ceiling), or undefined when any gate refuses, so the exchange is decided exactly as before.
 */
export async function serviceAccountForExchange(q: { tenantId: string; agentId: string; delegationId: string }): Promise<string | undefined> {
  const gates = await loadServiceAccountGates(q);
  if (!gates || isUsable(gates.person)) return undefined;
  const sa = await serviceAccountFor(gates, { personUsable: false });
  return "connection" in sa ? sa.connection.id : undefined;
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
