import "server-only";
// The person's side of approvals, and the agent's poll. A person lists the approvals of their own
// delegations and approves or denies a pending one; only the owner (the person whose delegation it
// is) may decide, anyone else, an administrator included, is told it is not theirs. Each decision is
// conditional (pending and unexpired), so two clicks or two people racing record exactly one, with
// its audit event in the same transaction. The agent polls by id with the delegation's own token.
// Touches the Approval table and the audit log only.
import { appendAudit } from "@/lib/audit/append";
import { getDb } from "@/lib/db";
import { ConflictError, NotFoundError } from "@/lib/errors";
import type { DelegationCaller } from "@/lib/oauth-server/bearer";
import type { Person } from "@/lib/tenancy/people";

import type { AgentApprovalDto, ApprovalDto, ApprovalStatus } from "./schemas";
import { approvalDetails, expireOverdue, toAgentDto, toApprovalDto } from "./store";

const NOT_YOURS = "No approval with this id is yours to decide: only the person whose delegation it is may approve or deny it.";
const LIST_LIMIT = 100;
const include = { delegation: { select: { connection: { select: { label: true } } } } } as const;

export async function listApprovals(person: Person, q: { status?: ApprovalStatus } = {}): Promise<ApprovalDto[]> {
  const db = await getDb();
  const mine = { tenantId: person.tenantId, userId: person.id };
  await expireOverdue(db, mine);
  const rows = await db.approval.findMany({
    where: { ...mine, ...(q.status ? { status: q.status } : {}) },
    include,
    orderBy: { createdAt: "desc" },
    take: LIST_LIMIT,
  });
  const agentIds = [...new Set(rows.map((r) => r.agentId))];
  const agents = agentIds.length
    ? await db.agent.findMany({ where: { tenantId: person.tenantId, id: { in: agentIds } }, select: { id: true, name: true } })
    : [];
  const names = new Map(agents.map((a) => [a.id, a.name]));
  // Pending first (what needs the person now), then the rest newest first.
  return rows
    .map((r) => toApprovalDto(r, names.get(r.agentId) ?? "A removed agent"))
    .sort((a, b) => Number(b.status === "pending") - Number(a.status === "pending"));
}

export async function countPendingApprovals(person: Person): Promise<number> {
  const db = await getDb();
  return db.approval.count({ where: { tenantId: person.tenantId, userId: person.id, status: "pending", expiresAt: { gt: new Date() } } });
}

export async function decideApproval(person: Person, id: string, verdict: "approve" | "deny"): Promise<ApprovalDto> {
  const db = await getDb();
  const owned = { id, tenantId: person.tenantId, userId: person.id };
  await expireOverdue(db, owned);
  const row = await db.approval.findFirst({
    where: owned,
    include: { ...include, delegation: { select: { ...include.delegation.select, revokedAt: true, expiresAt: true } } },
  });
  if (!row) throw new NotFoundError(NOT_YOURS, "approval_not_found");
  const now = new Date();
  // Approving for a grant that ended would let nothing through; saying so beats a silent approval.
  if (verdict === "approve" && (row.delegation.revokedAt || row.delegation.expiresAt <= now)) {
    throw new ConflictError(
      "The grant this request was made with has been revoked or has expired, so approving it would change nothing: deny it instead.",
      "delegation_ended",
    );
  }
  const status = verdict === "approve" ? "approved" : "denied";
  const decided = await db.$transaction(async (tx) => {
    const { count } = await tx.approval.updateMany({ where: { ...owned, status: "pending", expiresAt: { gt: now } }, data: { status, decidedAt: now } });
    if (count === 0) return false;
    await appendAudit(tx, {
      tenantId: person.tenantId,
      action: `approval.${status}`,
      outcome: "success",
      actorArn: person.arn,
      agentId: row.agentId,
      target: row.id,
      details: approvalDetails(row),
    });
    return true;
  });
  const fresh = await db.approval.findUniqueOrThrow({ where: { id: row.id }, include });
  if (!decided) {
    throw new ConflictError(
      `This request is already ${fresh.status}, so it can no longer be ${status}: the agent must ask again if it still needs it.`,
      "approval_not_pending",
    );
  }
  const agent = await db.agent.findFirst({ where: { id: row.agentId, tenantId: person.tenantId }, select: { name: true } });
  return toApprovalDto(fresh, agent?.name ?? "A removed agent");
}

/** The agent's poll: only with a token on the approval's own delegation; any other gets "not found". */
export async function pollApproval(caller: DelegationCaller, id: string): Promise<AgentApprovalDto> {
  const db = await getDb();
  const where = { id, tenantId: caller.tenantId, delegationId: caller.delegationId };
  await expireOverdue(db, where);
  const row = await db.approval.findFirst({ where });
  if (!row) throw new NotFoundError("No approval with this id was asked for with this delegation.", "approval_not_found");
  return toAgentDto(row);
}
