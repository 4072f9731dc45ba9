import "server-only";
// The agent's side of an approval: an action the PDP holds for approval (`approval_required`) comes
// here. An approved approval for this very request (same delegation, same request hash) is used up,
// once, and the action goes on; otherwise the agent gets the pending approval to poll (the same one
// while it waits, a new one otherwise), thrown as ApprovalPending and answered 202. A retry that names
// its approval (X-Approval-Id) must be that approval's request: another body, query or input is
// refused. Touches the Approval table and the audit log; never the provider or a credential.
import { appendAudit } from "@/lib/audit/append";
import { getDb } from "@/lib/db";
import { VaultError } from "@/lib/errors";
import type { DelegationCaller } from "@/lib/oauth-server/bearer";

import { ApprovalPending } from "./pending";
import type { ApprovalRequest } from "./request";
import { APPROVAL_SECONDS } from "./schemas";
import { approvalDetails, expireOverdue, LIVE, toAgentDto, type ApprovalRow } from "./store";

/** Pending approvals one delegation may have open at once: an agent cannot flood its person. */
export const MAX_PENDING_PER_DELEGATION = 20;

export type ApprovalAsk = { request: ApprovalRequest; reason: string; reference?: string | null; requestId: string; channel: string };

/** Uses the approval for this request and returns its id, or throws ApprovalPending (202) or a refusal. */
export async function passApproval(caller: DelegationCaller, ask: ApprovalAsk): Promise<string> {
  const db = await getDb();
  const now = new Date();
  await expireOverdue(db, { tenantId: caller.tenantId, delegationId: caller.delegationId }, now);
  if (ask.reference) return useNamed(caller, ask, now);
  const live = await db.approval.findMany({
    where: { tenantId: caller.tenantId, delegationId: caller.delegationId, requestHash: ask.request.hash, status: LIVE, expiresAt: { gt: now } },
    orderBy: { createdAt: "asc" },
  });
  for (const row of live.filter((r) => r.status === "approved")) if (await consume(caller, row, ask, now)) return row.id;
  const waiting = live.find((r) => r.status === "pending");
  if (waiting) throw new ApprovalPending(toAgentDto(waiting));
  throw new ApprovalPending(toAgentDto(await create(caller, ask, now)));
}

async function useNamed(caller: DelegationCaller, ask: ApprovalAsk, now: Date): Promise<string> {
  const db = await getDb();
  const row = await db.approval.findFirst({ where: { id: ask.reference!, tenantId: caller.tenantId, delegationId: caller.delegationId } });
  if (!row)
    throw new VaultError(
      404,
      "approval_not_found",
      "No approval with this id was asked for with this delegation: send the request without X-Approval-Id to ask for one.",
    );
  if (row.requestHash !== ask.request.hash) {
    throw new VaultError(
      403,
      "approval_request_mismatch",
      "This approval was given for a different request: send exactly the approved request (same tool and input, or method, path, query and body), or send this one without X-Approval-Id to ask the person again.",
    );
  }
  if (row.status === "pending" && row.expiresAt > now) throw new ApprovalPending(toAgentDto(row));
  if (row.status === "approved" && (await consume(caller, row, ask, now))) return row.id;
  const fresh = await db.approval.findUniqueOrThrow({ where: { id: row.id } });
  throw refusalFor(fresh.status);
}

function refusalFor(status: ApprovalRow["status"]): VaultError {
  if (status === "denied") return new VaultError(403, "approval_denied", "The person denied this request: do not send it again unless they ask you to.");
  if (status === "used")
    return new VaultError(409, "approval_used", "This approval was already used for one request: an approval lets the same request through once.");
  if (status === "pending")
    return new VaultError(409, "approval_pending", "This request still waits for the person's approval: poll the approval and retry once it is approved.");
  return new VaultError(403, "approval_expired", "This approval expired before it was used: send the request again to ask the person anew.");
}

/** approved -> used, conditionally: of two retries racing, exactly one goes on. */
async function consume(caller: DelegationCaller, row: ApprovalRow, ask: ApprovalAsk, now: Date): Promise<boolean> {
  const db = await getDb();
  return db.$transaction(async (tx) => {
    const { count } = await tx.approval.updateMany({
      where: { id: row.id, status: "approved", expiresAt: { gt: now } },
      data: { status: "used", usedAt: now },
    });
    if (count === 0) return false;
    await appendAudit(tx, {
      tenantId: caller.tenantId,
      action: "approval.used",
      outcome: "success",
      actorArn: caller.userArn,
      agentId: caller.agent.id,
      target: row.id,
      details: { ...approvalDetails(row), channel: ask.channel, requestId: ask.requestId.slice(0, 200) },
    });
    return true;
  });
}

async function create(caller: DelegationCaller, ask: ApprovalAsk, now: Date): Promise<ApprovalRow> {
  const db = await getDb();
  const open = await db.approval.count({ where: { tenantId: caller.tenantId, delegationId: caller.delegationId, status: "pending", expiresAt: { gt: now } } });
  if (open >= MAX_PENDING_PER_DELEGATION) {
    throw new VaultError(
      429,
      "too_many_pending_approvals",
      `${open} requests already wait for the person's approval on this delegation: wait for them to be decided or to expire.`,
    );
  }
  const r = ask.request;
  return db.$transaction(async (tx) => {
    const row = await tx.approval.create({
      data: {
        tenantId: caller.tenantId,
        userId: caller.facts.delegation.userId,
        agentId: caller.agent.id,
        delegationId: caller.delegationId,
        requestHash: r.hash,
        kind: r.kind,
        provider: caller.facts.connection.provider,
        tool: r.tool,
        input: r.input === null || r.input === undefined ? undefined : (r.input as object),
        method: r.method,
        path: r.path,
        query: r.query ? (r.query as object) : undefined,
        bodySummary: r.bodySummary,
        reason: ask.reason.slice(0, 500),
        expiresAt: new Date(now.getTime() + APPROVAL_SECONDS * 1000),
      },
    });
    await appendAudit(tx, {
      tenantId: caller.tenantId,
      action: "approval.requested",
      outcome: "success",
      actorArn: caller.userArn,
      agentId: caller.agent.id,
      target: row.id,
      details: {
        ...approvalDetails(row),
        reason: row.reason,
        expiresAt: row.expiresAt.toISOString(),
        channel: ask.channel,
        requestId: ask.requestId.slice(0, 200),
      },
    });
    return row;
  });
}
