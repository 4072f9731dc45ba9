// Approval schemas (CONVENTIONS.md, 3): the statuses, the DTO the portal lists and decides on, and
// the answer an agent polls. Pure and client-safe. An approval shows what the agent would send (tool
// and input, or method, path, query and a body summary), never a credential: none exists to show.
import { z } from "zod";

export const APPROVAL_STATUSES = ["pending", "approved", "denied", "expired", "used"] as const;
export const approvalStatus = z.enum(APPROVAL_STATUSES);
export type ApprovalStatus = z.output<typeof approvalStatus>;

/** How long an agent's request waits for the person, and then how long the approval stays usable. */
export const APPROVAL_SECONDS = 15 * 60;

/** The header an agent's retry may carry to name the approval it relies on. */
export const APPROVAL_HEADER = "x-approval-id";

export const approvalDto = z
  .object({
    id: z.string(),
    status: approvalStatus,
    agentId: z.string(),
    agentName: z.string(),
    delegationId: z.string(),
    provider: z.string(),
    connectionLabel: z.string(),
    kind: z.enum(["tool", "proxy"]),
    tool: z.string().nullable(),
    input: z.unknown().nullable(),
    method: z.string(),
    path: z.string(),
    query: z.record(z.string(), z.unknown()).nullable(),
    bodySummary: z.string().nullable(),
    reason: z.string(),
    expiresAt: z.string(),
    decidedAt: z.string().nullable(),
    usedAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .strict();
export type ApprovalDto = z.output<typeof approvalDto>;

/** GET /api/v1/approvals/{id} for the agent, and the 202 of an action that waits. */
export const agentApprovalDto = z
  .object({
    approval_id: z.string(),
    status: approvalStatus,
    expires_at: z.string(),
    kind: z.enum(["tool", "proxy"]),
    tool: z.string().nullable(),
    method: z.string(),
    path: z.string(),
    /** Where to poll. */
    url: z.string(),
  })
  .strict();
export type AgentApprovalDto = z.output<typeof agentApprovalDto>;

export const approvalIdParams = z.object({ id: z.string().trim().min(1).max(100) }).strict();
export const listApprovalsQuery = z.object({ status: approvalStatus.optional() }).strict();
