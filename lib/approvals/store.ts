import "server-only";
// The approval rows, shared by the agent's side (gate.ts, poll) and the person's (approvals.ts):
// turning rows into DTOs, the poll URL, and expiry. Expiry is lazy: whoever reads an approval past
// its expiresAt while it is still pending or approved moves it to `expired`, conditionally, so
// exactly one reader records it, with its audit event in the same transaction. Touches only the
// Approval table and the audit log.
import { appendAudit } from "@/lib/audit/append";
import type { VaultPrismaClient } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { vaultIssuer } from "@/lib/oauth-server/issuer";

import { agentApprovalDto, approvalDto, type AgentApprovalDto, type ApprovalDto } from "./schemas";

type Db = VaultPrismaClient;
export type ApprovalRow = Prisma.ApprovalGetPayload<object>;

export const LIVE: Prisma.ApprovalWhereInput["status"] = { in: ["pending", "approved"] };

export function approvalUrl(id: string): string {
  return `${vaultIssuer()}/api/v1/approvals/${encodeURIComponent(id)}`;
}

export function toAgentDto(row: ApprovalRow): AgentApprovalDto {
  return agentApprovalDto.parse({
    approval_id: row.id,
    status: row.status,
    expires_at: row.expiresAt.toISOString(),
    kind: row.kind,
    tool: row.tool,
    method: row.method,
    path: row.path,
    url: approvalUrl(row.id),
  });
}

export function toApprovalDto(row: ApprovalRow & { delegation: { connection: { label: string } } }, agentName: string): ApprovalDto {
  return approvalDto.parse({
    id: row.id,
    status: row.status,
    agentId: row.agentId,
    agentName,
    delegationId: row.delegationId,
    provider: row.provider,
    connectionLabel: row.delegation.connection.label,
    kind: row.kind,
    tool: row.tool,
    input: row.input ?? null,
    method: row.method,
    path: row.path,
    query: row.query && typeof row.query === "object" && !Array.isArray(row.query) ? row.query : null,
    bodySummary: row.bodySummary,
    reason: row.reason,
    expiresAt: row.expiresAt.toISOString(),
    decidedAt: row.decidedAt?.toISOString() ?? null,
    usedAt: row.usedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  });
}

/** Common audit members of an approval's events. */
export function approvalDetails(row: ApprovalRow): Record<string, unknown> {
  return {
    delegationId: row.delegationId,
    provider: row.provider,
    kind: row.kind,
    ...(row.tool ? { tool: row.tool } : {}),
    method: row.method,
    path: row.path.slice(0, 300),
    request_sha256: row.requestHash,
  };
}

/** Moves every overdue live approval matching `where` to expired, one audit event each. Returns how many. */
export async function expireOverdue(db: Db, where: Prisma.ApprovalWhereInput, now = new Date()): Promise<number> {
  const overdue = await db.approval.findMany({ where: { ...where, status: LIVE, expiresAt: { lte: now } }, take: 100 });
  let expired = 0;
  for (const row of overdue) {
    const done = await db.$transaction(async (tx) => {
      const { count } = await tx.approval.updateMany({ where: { id: row.id, status: LIVE, expiresAt: { lte: now } }, data: { status: "expired" } });
      if (count === 0) return false;
      const owner = await tx.user.findUnique({ where: { id: row.userId }, select: { arn: true } });
      await appendAudit(tx, {
        tenantId: row.tenantId,
        action: "approval.expired",
        outcome: "failure",
        actorArn: owner?.arn ?? null,
        agentId: row.agentId,
        target: row.id,
        details: { ...approvalDetails(row), was: row.status },
      });
      return true;
    });
    if (done) expired++;
  }
  return expired;
}
