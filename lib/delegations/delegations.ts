import "server-only";
// Delegations: a person lets an agent act on one of *their* connections, inside the agent's ceiling
// and the connection's granted scopes, until an expiry (ARCHITECTURE.md, layer 3). Who is asking is
// checked here, in every function, and each change commits together with its audit event. Revoking
// only sets revokedAt: the token endpoint and bearer checks re-read it on every call, so it bites at once.
import { readCeiling } from "@/lib/agents/ceiling";
import { appendAudit } from "@/lib/audit/append";
import { observeGrant } from "@/lib/containment/detectors";
import { getDb } from "@/lib/db";
import { BadRequestError, ForbiddenError, NotFoundError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { AgentCaller } from "@/lib/oauth-server/bearer";
import { getTenantProvider } from "@/lib/providers/registry";
import type { Person } from "@/lib/tenancy/people";
import { readConstraints } from "./constraints";
import { agentOptions, checkGrant, type AgentOptions, type Refusal, type RuleConnection } from "./grant-rules";
import { delegationDto, type CreateDelegation, type DelegationDto } from "./schemas";

export type DelegationOptions = {
  connection: { id: string; provider: string; providerName: string; label: string; status: RuleConnection["status"]; scopes: string[] };
  agents: AgentOptions[];
  /** The tenant switch: a grant's service-account option only takes effect while it is on. */
  tenantAllowsServiceAccounts: boolean;
  /** The server's clock, so the form can compute an expiry the ceiling check agrees with. */
  serverTime: string;
};

export type RevokeResult = { delegation: DelegationDto; alreadyRevoked: boolean };

/** A refusal with its own stable code (the base classes fix theirs). */
function refuse(r: Refusal): never {
  throw r.status === 400 ? new BadRequestError(r.reason, r.code) : new ForbiddenError(r.reason, r.code);
}

const NO_CONNECTION = "No connection with this id belongs to you: it may have been disconnected.";
const NO_AGENT = "No agent with this id is registered in your organisation.";
const NO_DELEGATION = "No grant with this id is yours to change: it may belong to someone else.";

const dtoInclude = {
  agent: { select: { name: true, clientId: true } },
  connection: { select: { providerKey: true, label: true } },
  user: { select: { arn: true, name: true } },
} satisfies Prisma.DelegationInclude;

type DelegationRow = Prisma.DelegationGetPayload<{ include: typeof dtoInclude }>;

export function toDelegationDto(row: DelegationRow, now = new Date()): DelegationDto {
  return delegationDto.parse({
    id: row.id,
    agentId: row.agentId,
    agentName: row.agent.name,
    agentClientId: row.agent.clientId,
    connectionId: row.connectionId,
    provider: row.connection.providerKey,
    connectionLabel: row.connection.label,
    userArn: row.user.arn,
    userName: row.user.name,
    scopes: row.scopes,
    tools: row.tools,
    constraints: readConstraints(row.constraints),
    expiresAt: row.expiresAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    status: row.revokedAt ? "revoked" : row.expiresAt <= now ? "expired" : "active",
    allowServiceAccount: row.allowServiceAccount,
  });
}

async function providerFacts(tenantId: string, key: string) {
  const provider = await getTenantProvider(tenantId, key);
  return {
    providerName: provider?.definition.name ?? key,
    catalogueScopes: (provider?.definition.scopes ?? []).map((s) => ({ scope: s.name, description: s.description })),
  };
}

export async function grantDelegation(person: Person, body: CreateDelegation): Promise<DelegationDto> {
  const checked = await checkDelegation(person, body);
  const db = await getDb();
  const row = await db.$transaction((tx) => writeDelegation(tx, person, checked, body));
  await observeGrant({
    tenantId: person.tenantId,
    what: "delegation",
    id: row.id,
    agentId: checked.agent.id,
    connectionId: checked.connection.id,
    scopes: body.scopes,
  });
  return toDelegationDto(row, checked.now);
}

/** A grant that passed every rule, ready to be written (with the instant its length was checked at). */
export type CheckedGrant = { connection: { id: string; providerKey: string }; agent: { id: string }; now: Date };

/** Checks a grant against its connection (the person's own), its agent's ceiling and the rules; throws the refusal. */
export async function checkDelegation(person: Person, body: CreateDelegation, now = new Date()): Promise<CheckedGrant> {
  const db = await getDb();
  const connection = await db.connection.findFirst({
    where: { id: body.connectionId, tenantId: person.tenantId, userId: person.id },
    select: { id: true, providerKey: true, status: true, scopes: true, label: true },
  });
  if (!connection) throw new NotFoundError(NO_CONNECTION, "connection_not_found");
  const agent = await db.agent.findFirst({
    where: { id: body.agentId, tenantId: person.tenantId },
    select: { id: true, name: true, status: true, ceiling: true },
  });
  if (!agent) throw new NotFoundError(NO_AGENT, "agent_not_found");
  const { providerName } = await providerFacts(person.tenantId, connection.providerKey);

  // createdAt is the same instant the length was checked against, so the PDP's later
  // (expiresAt - createdAt) <= ceiling check agrees with this one.
  const ruleAgent = { ...agent, ceiling: readCeiling(agent.ceiling) };
  const refusal = checkGrant(ruleAgent, { provider: connection.providerKey, providerName, status: connection.status, scopes: connection.scopes }, body, now);
  if (refusal) refuse(refusal);
  return { connection, agent, now };
}

/** Writes a checked grant and its audit event in the caller's transaction. */
export async function writeDelegation(
  tx: Prisma.TransactionClient,
  person: Person,
  checked: CheckedGrant,
  body: CreateDelegation,
  details: Record<string, unknown> = {},
) {
  const { connection, agent, now } = checked;
  const created = await tx.delegation.create({
    data: {
      tenantId: person.tenantId,
      userId: person.id,
      agentId: agent.id,
      connectionId: connection.id,
      scopes: body.scopes,
      tools: body.tools,
      constraints: body.constraints as Prisma.InputJsonObject,
      expiresAt: new Date(body.expiresAt),
      allowServiceAccount: body.allowServiceAccount,
      createdAt: now,
    },
    include: dtoInclude,
  });
  await appendAudit(tx, {
    tenantId: person.tenantId,
    action: "delegation.grant",
    outcome: "success",
    actorArn: person.arn,
    agentId: agent.id,
    target: created.id,
    details: {
      connectionId: connection.id,
      provider: connection.providerKey,
      scopes: body.scopes,
      tools: body.tools,
      expiresAt: created.expiresAt.toISOString(),
      constraints: body.constraints,
      allowServiceAccount: body.allowServiceAccount,
      ...details,
    },
  });
  return created;
}

/** The person's own grants, newest first; optionally those on one of their connections. */
export async function listMyDelegations(person: Person, filter: { connectionId?: string } = {}): Promise<DelegationDto[]> {
  const db = await getDb();
  const rows = await db.delegation.findMany({
    where: { tenantId: person.tenantId, userId: person.id, ...(filter.connectionId ? { connectionId: filter.connectionId } : {}) },
    include: dtoInclude,
    orderBy: { createdAt: "desc" },
    take: 500,
  });
  const now = new Date();
  return rows.map((r) => toDelegationDto(r, now));
}

/** Every grant in the administrator's tenant, newest first. */
export async function listTenantDelegations(admin: Person): Promise<DelegationDto[]> {
  if (admin.role !== "admin") throw new ForbiddenError("Only an administrator can see every grant in the organisation.");
  const db = await getDb();
  const rows = await db.delegation.findMany({ where: { tenantId: admin.tenantId }, include: dtoInclude, orderBy: { createdAt: "desc" }, take: 1000 });
  const now = new Date();
  return rows.map((r) => toDelegationDto(r, now));
}

/** The grants an agent may use right now: its own, in its tenant, neither revoked nor expired, on a live connection. */
export async function listAgentDelegations(caller: AgentCaller): Promise<DelegationDto[]> {
  const db = await getDb();
  const now = new Date();
  const rows = await db.delegation.findMany({
    where: { tenantId: caller.tenantId, agentId: caller.agent.id, revokedAt: null, expiresAt: { gt: now }, connection: { status: { not: "revoked" } } },
    include: dtoInclude,
    orderBy: { createdAt: "desc" },
  });
  return rows.map((r) => toDelegationDto(r, now));
}

/** Owner or tenant admin; anyone else (another person, another tenant) gets "not found". Twice is fine. */
export async function revokeDelegation(person: Person, id: string): Promise<RevokeResult> {
  const db = await getDb();
  return db.$transaction(async (tx) => {
    const row = await tx.delegation.findFirst({ where: { id, tenantId: person.tenantId }, include: dtoInclude });
    if (!row || (row.userId !== person.id && person.role !== "admin")) throw new NotFoundError(NO_DELEGATION, "delegation_not_found");
    if (row.revokedAt) return { delegation: toDelegationDto(row), alreadyRevoked: true };
    const now = new Date();
    // Conditional: of two concurrent revocations exactly one records the change and its audit event.
    const { count } = await tx.delegation.updateMany({ where: { id: row.id, revokedAt: null }, data: { revokedAt: now, revokedById: person.id } });
    const fresh = await tx.delegation.findUniqueOrThrow({ where: { id: row.id }, include: dtoInclude });
    if (count === 0) return { delegation: toDelegationDto(fresh, now), alreadyRevoked: true };
    await appendAudit(tx, {
      tenantId: person.tenantId,
      action: "delegation.revoke",
      outcome: "success",
      actorArn: person.arn,
      agentId: row.agentId,
      target: row.id,
      details: { connectionId: row.connectionId, provider: row.connection.providerKey, ownerArn: row.user.arn, byAdministrator: row.userId !== person.id },
    });
    return { delegation: toDelegationDto(fresh, now), alreadyRevoked: false };
  });
}

/** What the grant form may offer on one of the person's connections, agent by agent, and why not the rest. */
export async function delegationOptions(person: Person, connectionId: string): Promise<DelegationOptions> {
  const db = await getDb();
  const connection = await db.connection.findFirst({
    where: { id: connectionId, tenantId: person.tenantId, userId: person.id },
    select: { id: true, providerKey: true, status: true, scopes: true, label: true },
  });
  if (!connection) throw new NotFoundError(NO_CONNECTION, "connection_not_found");
  const [{ providerName, catalogueScopes }, agents, tenant] = await Promise.all([
    providerFacts(person.tenantId, connection.providerKey),
    db.agent.findMany({ where: { tenantId: person.tenantId }, select: { id: true, name: true, status: true, ceiling: true }, orderBy: { name: "asc" } }),
    db.tenant.findUnique({ where: { id: person.tenantId }, select: { allowServiceAccounts: true } }),
  ]);
  const rule: RuleConnection = { provider: connection.providerKey, providerName, status: connection.status, scopes: connection.scopes };
  return {
    connection: {
      id: connection.id,
      provider: connection.providerKey,
      providerName,
      label: connection.label,
      status: connection.status,
      scopes: connection.scopes,
    },
    agents: agents.map((a) => agentOptions({ ...a, ceiling: readCeiling(a.ceiling) }, rule, catalogueScopes)),
    tenantAllowsServiceAccounts: tenant?.allowServiceAccounts ?? false,
    serverTime: new Date().toISOString(),
  };
}
