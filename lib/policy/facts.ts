import "server-only";
// The rows a decision about a delegation is made on (agent, delegation, person, connection, tenant
// switch), read in ONE statement together with the tenant's policy version, and kept in memory.
// A trigger bumps the version whenever any of those rows changes (migration 0002), so a cached entry
// is good exactly while its version is the newest this process has seen. That is not trusted alone:
// the action's write-ahead audit record is accepted only if the version is still the head's
// (lib/audit/writer.ts), and a stale decision is made again on rows read fresh from here.
import { readCeiling } from "@/lib/agents/ceiling";
import { getSql } from "@/lib/db";
import { readConstraints } from "@/lib/delegations/constraints";
import type { ConnectionStatus } from "@/lib/generated/prisma/enums";
import { USABLE_CONNECTION_STATUSES } from "@/lib/pdp/connection";
import type { PdpAgent, PdpConnection, PdpDelegation } from "@/lib/pdp/types";

export type FactsAgent = PdpAgent & { name: string };
export type FactsConnection = PdpConnection & {
  metadata: Record<string, unknown>;
  isServiceAccount: boolean;
  /** The account as the person sees it ("alice@example.com"). */ label: string;
};

/** Everything the PDP, the bearer check and the action need about one delegation, as of `policyVersion`. */
export type DelegationFacts = {
  tenantId: string;
  policyVersion: number;
  agent: FactsAgent;
  delegation: PdpDelegation & { allowServiceAccount: boolean; userArn: string };
  /** The person's own connection, the one the delegation names. */
  connection: FactsConnection;
  tenantAllowsServiceAccounts: boolean;
};

export type AgentFacts = { tenantId: string; policyVersion: number; agent: FactsAgent };

type TenantFacts = { version: number; delegations: Map<string, DelegationFacts>; agents: Map<string, AgentFacts> };

const MAX_ENTRIES = 10_000;
const g = globalThis as unknown as { __vaultFacts?: Map<string, TenantFacts> };
const tenants = (g.__vaultFacts ??= new Map());

function tenantFacts(tenantId: string): TenantFacts {
  let t = tenants.get(tenantId);
  if (!t) tenants.set(tenantId, (t = { version: -1, delegations: new Map(), agents: new Map() }));
  return t;
}

/** This process learned that the tenant's policy version is `version`: every entry made on an older one is dropped. */
export function observePolicyVersion(tenantId: string, version: number): void {
  const t = tenantFacts(tenantId);
  if (version > t.version) tenants.set(tenantId, { version, delegations: new Map(), agents: new Map() });
}

/** The newest policy version this process has seen for the tenant (-1: none yet). */
export function knownPolicyVersion(tenantId: string): number {
  return tenants.get(tenantId)?.version ?? -1;
}

const ms = (column: string) => `(extract(epoch from ${column}) * 1000)::float8`;

const DELEGATION_FACTS = `
SELECT d."id", d."tenantId", d."agentId", d."userId", d."connectionId", d."scopes", d."tools", d."constraints", d."allowServiceAccount",
  ${ms('d."createdAt"')} AS "createdAtMs", ${ms('d."expiresAt"')} AS "expiresAtMs", ${ms('d."revokedAt"')} AS "revokedAtMs",
  u."arn" AS "userArn",
  a."tenantId" AS "agentTenantId", a."clientId", a."name" AS "agentName", a."status" AS "agentStatus", a."ceiling",
  ${ms('r."rateLimitedUntil"')} AS "rateLimitedUntilMs", COALESCE(r."approvalForWrites", false) AS "approvalForWrites",
  c."tenantId" AS "connectionTenantId", c."userId" AS "connectionUserId", c."providerKey", c."status" AS "connectionStatus",
  c."scopes" AS "connectionScopes", c."metadata", c."revokedAt" IS NOT NULL AS "connectionRevoked", c."isServiceAccount",
  c."label" AS "connectionLabel", t."allowServiceAccounts", COALESCE(h."policyVersion", 0) AS "policyVersion"
FROM "Delegation" d
JOIN "User" u ON u."id" = d."userId"
JOIN "Agent" a ON a."id" = d."agentId"
LEFT JOIN "AgentRestriction" r ON r."agentId" = a."id"
JOIN "Connection" c ON c."id" = d."connectionId"
JOIN "Tenant" t ON t."id" = d."tenantId"
LEFT JOIN "AuditHead" h ON h."tenantId" = d."tenantId"
WHERE d."id" = $1`;

type DelegationRow = {
  id: string;
  tenantId: string;
  agentId: string;
  userId: string;
  connectionId: string;
  scopes: string[];
  tools: string[];
  constraints: unknown;
  allowServiceAccount: boolean;
  createdAtMs: number;
  expiresAtMs: number;
  revokedAtMs: number | null;
  userArn: string;
  agentTenantId: string;
  clientId: string;
  agentName: string;
  agentStatus: "active" | "suspended";
  ceiling: unknown;
  rateLimitedUntilMs: number | null;
  approvalForWrites: boolean;
  connectionTenantId: string;
  connectionUserId: string;
  providerKey: string;
  connectionStatus: ConnectionStatus;
  connectionScopes: string[];
  metadata: unknown;
  connectionRevoked: boolean;
  isServiceAccount: boolean;
  connectionLabel: string;
  allowServiceAccounts: boolean;
  policyVersion: number;
};

/** Containment's hold on the agent (lib/containment/enforce.ts), as the PDP reads it. */
function agentHold(r: { rateLimitedUntilMs: number | null; approvalForWrites: boolean }): PdpAgent["hold"] {
  if (r.rateLimitedUntilMs === null && !r.approvalForWrites) return undefined;
  return { rateLimitedUntil: r.rateLimitedUntilMs === null ? null : new Date(Number(r.rateLimitedUntilMs)), approvalForWrites: r.approvalForWrites };
}

export function connectionMetadata(stored: unknown): Record<string, unknown> {
  return stored && typeof stored === "object" && !Array.isArray(stored) ? (stored as Record<string, unknown>) : {};
}

function toFacts(r: DelegationRow): DelegationFacts {
  return {
    tenantId: r.tenantId,
    policyVersion: Number(r.policyVersion),
    agent: {
      id: r.agentId,
      tenantId: r.agentTenantId,
      clientId: r.clientId,
      name: r.agentName,
      status: r.agentStatus,
      ceiling: readCeiling(r.ceiling),
      hold: agentHold(r),
    },
    delegation: {
      id: r.id,
      tenantId: r.tenantId,
      agentId: r.agentId,
      userId: r.userId,
      connectionId: r.connectionId,
      scopes: r.scopes,
      tools: r.tools,
      constraints: readConstraints(r.constraints),
      createdAt: new Date(r.createdAtMs),
      expiresAt: new Date(r.expiresAtMs),
      revokedAt: r.revokedAtMs === null ? null : new Date(r.revokedAtMs),
      allowServiceAccount: r.allowServiceAccount,
      userArn: r.userArn,
    },
    connection: {
      id: r.connectionId,
      tenantId: r.connectionTenantId,
      userId: r.connectionUserId,
      provider: r.providerKey,
      status: r.connectionRevoked ? "revoked" : r.connectionStatus,
      scopes: r.connectionScopes,
      metadata: connectionMetadata(r.metadata),
      isServiceAccount: r.isServiceAccount,
      label: r.connectionLabel,
    },
    tenantAllowsServiceAccounts: r.allowServiceAccounts,
  };
}

function remember<T extends { policyVersion: number }>(tenantId: string, pick: (t: TenantFacts) => Map<string, T>, key: string, value: T): void {
  observePolicyVersion(tenantId, value.policyVersion);
  const t = tenantFacts(tenantId);
  if (value.policyVersion !== t.version) return;
  const map = pick(t);
  if (map.size >= MAX_ENTRIES) map.clear();
  map.set(key, value);
}

/**
 * The facts of a delegation. `cached`: from memory when this process holds them at the newest
 * version it knows (the caller must then have the decision confirmed by the audit writer); otherwise,
 * and always when not `cached`, read from the database now. null: no such delegation.
 */
export async function delegationFacts(tenantId: string, delegationId: string, opts: { cached: boolean }): Promise<DelegationFacts | null> {
  if (opts.cached) {
    const hit = tenants.get(tenantId)?.delegations.get(delegationId);
    if (hit && hit.policyVersion === knownPolicyVersion(tenantId)) return hit;
  }
  const sql = await getSql();
  const [row] = await sql.query<DelegationRow>(DELEGATION_FACTS, [delegationId]);
  if (!row) return null;
  const facts = toFacts(row);
  remember(facts.tenantId, (t) => t.delegations, facts.delegation.id, facts);
  return facts;
}

const AGENT_FACTS = (by: "clientId" | "id") => `
SELECT a."id", a."tenantId", a."clientId", a."name", a."status", a."ceiling", COALESCE(h."policyVersion", 0) AS "policyVersion",
  ${ms('r."rateLimitedUntil"')} AS "rateLimitedUntilMs", COALESCE(r."approvalForWrites", false) AS "approvalForWrites"
FROM "Agent" a LEFT JOIN "AuditHead" h ON h."tenantId" = a."tenantId" LEFT JOIN "AgentRestriction" r ON r."agentId" = a."id"
WHERE a."${by}" = $1`;

/** An agent by client_id (or by id), read now; or from memory when `cached`, as for delegationFacts. */
export async function agentFacts(key: { clientId: string } | { id: string }, opts: { cached: boolean; tenantId?: string }): Promise<AgentFacts | null> {
  const clientId = "clientId" in key ? key.clientId : null;
  if (opts.cached && opts.tenantId && clientId) {
    const hit = tenants.get(opts.tenantId)?.agents.get(clientId);
    if (hit && hit.policyVersion === knownPolicyVersion(opts.tenantId)) return hit;
  }
  const sql = await getSql();
  const [row] = await sql.query<{
    id: string;
    tenantId: string;
    clientId: string;
    name: string;
    status: "active" | "suspended";
    ceiling: unknown;
    policyVersion: number;
    rateLimitedUntilMs: number | null;
    approvalForWrites: boolean;
  }>(AGENT_FACTS(clientId ? "clientId" : "id"), [clientId ?? (key as { id: string }).id]);
  if (!row) return null;
  const facts: AgentFacts = {
    tenantId: row.tenantId,
    policyVersion: Number(row.policyVersion),
    agent: {
      id: row.id,
      tenantId: row.tenantId,
      clientId: row.clientId,
      name: row.name,
      status: row.status,
      ceiling: readCeiling(row.ceiling),
      hold: agentHold(row),
    },
  };
  remember(row.tenantId, (t) => t.agents, row.clientId, facts);
  return facts;
}

const CONNECTION_COLUMNS = `c."id", c."tenantId", c."userId", c."providerKey", c."status", c."scopes", c."metadata", c."revokedAt" IS NOT NULL AS "revoked", c."isServiceAccount", c."label"`;
type ConnectionRow = {
  id: string;
  tenantId: string;
  userId: string;
  providerKey: string;
  status: ConnectionStatus;
  scopes: string[];
  metadata: unknown;
  revoked: boolean;
  isServiceAccount: boolean;
  label: string;
};

function toConnection(r: ConnectionRow): FactsConnection {
  return {
    id: r.id,
    tenantId: r.tenantId,
    userId: r.userId,
    provider: r.providerKey,
    status: r.revoked ? "revoked" : r.status,
    scopes: r.scopes,
    metadata: connectionMetadata(r.metadata),
    isServiceAccount: r.isServiceAccount,
    label: r.label,
  };
}

/** A connection's decision facts by id, read now. */
export async function connectionFacts(id: string): Promise<FactsConnection | null> {
  const sql = await getSql();
  const [row] = await sql.query<ConnectionRow>(`SELECT ${CONNECTION_COLUMNS} FROM "Connection" c WHERE c."id" = $1`, [id]);
  return row ? toConnection(row) : null;
}

/** The tenant's oldest usable service-account connection for a provider, other than `notId`, read now. */
export async function serviceAccountConnection(q: { tenantId: string; providerKey: string; notId: string }): Promise<FactsConnection | null> {
  const sql = await getSql();
  const [row] = await sql.query<ConnectionRow>(
    `SELECT ${CONNECTION_COLUMNS} FROM "Connection" c
     WHERE c."tenantId" = $1 AND c."providerKey" = $2 AND c."isServiceAccount" AND c."revokedAt" IS NULL
       AND c."status" IN (${USABLE_CONNECTION_STATUSES.map((st) => `'${st}'`).join(", ")}) AND c."id" <> $3
     ORDER BY c."createdAt" ASC LIMIT 1`,
    [q.tenantId, q.providerKey, q.notId],
  );
  return row ? toConnection(row) : null;
}
