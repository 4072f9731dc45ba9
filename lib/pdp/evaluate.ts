import "server-only";
// Loads what the policy decision needs, decides, and records the decision — one transaction, so a
// decision that could not be audited is never handed out. The tenant's audit lock is taken first:
// counting recent actions for a rate limit and appending this decision then happen as one step
// (concurrent calls cannot all slip under the limit), and a revocation, which appends its own audit
// event under the same lock, is either seen by this decision or comes after it in the audit chain.
import { readCeiling } from "@/lib/agents/ceiling";
import { getDb } from "@/lib/db";
import { appendAudit } from "@/lib/audit/append";
import { readConstraints } from "@/lib/delegations/constraints";
import type { Prisma } from "@/lib/generated/prisma/client";
import { decide } from "@/lib/pdp/decide";
import type { PdpAction, PdpConnection, PdpDecision, PdpDelegation, PdpFacts } from "@/lib/pdp/types";

export type EvaluateInput = {
  tenantId: string;
  agentId: string;
  delegationId: string | null;
  action: PdpAction;
  actorArn?: string | null;
  requestId?: string;
  /**
   * Only a question (the AuthZEN API): decided and audited like any other, but nothing is done, so
   * it does not use up the delegation's rate limit.
   */
  advisory?: boolean;
  /**
   * Act with this tenant service account instead of the delegation's own connection (the person's is
   * unusable, and lib/actions/credential.ts found the tenant switch and the delegation allow it). The
   * scope layer then judges the service account; one that is not a service account of the same tenant
   * and provider counts as no connection at all.
   */
  serviceAccountId?: string;
};

export const PDP_AUDIT_ACTION = "pdp.decision";

type Tx = Prisma.TransactionClient;

export async function evaluate(input: EvaluateInput): Promise<PdpDecision> {
  const db = await getDb();
  return db.$transaction(async (tx) => {
    // The same lock appendAudit takes (advisory locks nest within a transaction): from here to commit
    // no other decision or audited change of this tenant interleaves.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${"audit:" + input.tenantId}))`;
    const now = new Date();
    const { facts, userArn } = await loadFacts(tx, input, now);
    const rate = facts.delegation?.constraints?.rateLimit;
    if (rate && input.action.kind !== "exchange" && facts.delegation) {
      facts.recentActions = await countRecentActions(tx, input.tenantId, facts.delegation.id, new Date(now.getTime() - rate.perSeconds * 1000));
    }
    const decision = decide(facts, input.action);
    await appendAudit(tx, {
      tenantId: input.tenantId,
      action: PDP_AUDIT_ACTION,
      outcome: decision.decision,
      actorArn: input.actorArn ?? userArn,
      agentId: facts.agent?.id ?? null,
      target: input.delegationId,
      details: auditDetails(input, decision),
    });
    return decision;
  });
}

/** Several questions, decided one after the other (each its own transaction and audit event). */
export async function evaluateMany(inputs: readonly EvaluateInput[]): Promise<PdpDecision[]> {
  const out: PdpDecision[] = [];
  for (const input of inputs) out.push(await evaluate(input));
  return out;
}

async function loadFacts(tx: Tx, input: EvaluateInput, now: Date): Promise<{ facts: PdpFacts; userArn: string | null }> {
  const [agentRow, delegationRow] = await Promise.all([
    tx.agent.findUnique({ where: { id: input.agentId }, select: { id: true, tenantId: true, clientId: true, status: true, ceiling: true } }),
    input.delegationId
      ? tx.delegation.findUnique({ where: { id: input.delegationId }, include: { user: { select: { arn: true } } } })
      : Promise.resolve(null),
  ]);
  // Another tenant's rows are treated as absent: the answer must not tell them apart from unknown ids.
  const agent = agentRow && agentRow.tenantId === input.tenantId ? { ...agentRow, ceiling: readCeiling(agentRow.ceiling) } : null;
  const d = delegationRow && delegationRow.tenantId === input.tenantId ? delegationRow : null;
  const delegation: PdpDelegation | null = d
    ? {
        id: d.id,
        tenantId: d.tenantId,
        agentId: d.agentId,
        userId: d.userId,
        connectionId: d.connectionId,
        scopes: d.scopes,
        tools: d.tools,
        constraints: readConstraints(d.constraints),
        createdAt: d.createdAt,
        expiresAt: d.expiresAt,
        revokedAt: d.revokedAt,
      }
    : null;
  const select = { id: true, tenantId: true, userId: true, providerKey: true, status: true, scopes: true, isServiceAccount: true } as const;
  const c = d ? await tx.connection.findUnique({ where: { id: d.connectionId }, select }) : null;
  let row = c && c.tenantId === input.tenantId ? c : null;
  const serviceAccount = input.serviceAccountId !== undefined;
  if (serviceAccount) {
    const sa = row ? await tx.connection.findUnique({ where: { id: input.serviceAccountId }, select }) : null;
    row = sa && sa.isServiceAccount && sa.tenantId === input.tenantId && sa.providerKey === row!.providerKey ? sa : null;
  }
  const connection: PdpConnection | null = row
    ? { id: row.id, tenantId: row.tenantId, userId: row.userId, provider: row.providerKey, status: row.status, scopes: row.scopes }
    : null;
  return { facts: { now, tenantId: input.tenantId, agent, delegation, connection, ...(serviceAccount ? { serviceAccount } : {}) }, userArn: d?.user.arn ?? null };
}

/** Allowed tool and proxy calls on this delegation since `since`; questions asked through AuthZEN do not count. */
async function countRecentActions(tx: Tx, tenantId: string, delegationId: string, since: Date): Promise<number> {
  const where = {
    tenantId,
    action: PDP_AUDIT_ACTION,
    outcome: "allow",
    target: delegationId,
    at: { gte: since },
    OR: [{ details: { path: ["kind"], equals: "tool" } }, { details: { path: ["kind"], equals: "proxy" } }],
  } satisfies Prisma.AuditEventWhereInput;
  // Two positive filters, subtracted: a NOT on a JSON path that is absent is NULL in SQL, which would
  // silently drop every row from the count (and let every call through).
  const [all, questions] = await Promise.all([
    tx.auditEvent.count({ where }),
    tx.auditEvent.count({ where: { ...where, AND: [{ details: { path: ["advisory"], equals: true } }] } }),
  ]);
  return all - questions;
}

function auditDetails(input: EvaluateInput, decision: PdpDecision): Record<string, unknown> {
  const { action } = input;
  const what =
    action.kind === "tool"
      ? { tool: action.tool.slice(0, 100) }
      : action.kind === "proxy"
        ? // The path only, never a query string or fragment (they may carry tokens).
          { method: action.method, path: action.path.split(/[?#]/, 1)[0]!.slice(0, 300) }
        : {};
  return {
    kind: action.kind,
    ...what,
    ...(action.scopes?.length ? { scopes: action.scopes.slice(0, 50) } : {}),
    layer: decision.layer,
    code: decision.code,
    ...(input.advisory ? { advisory: true } : {}),
    ...(input.serviceAccountId ? { credential: "service_account", serviceAccountId: input.serviceAccountId } : {}),
    ...(input.requestId ? { requestId: input.requestId.slice(0, 200) } : {}),
  };
}
