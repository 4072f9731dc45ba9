// An action that waits for the person's approval is not an error: it answers 202 with the approval
// to poll. ApprovalPending carries that answer out of the orchestration, through the route, to the
// agent (REST: 202 JSON with Location; MCP: a tool result saying so). Pure apart from the standard
// Response; it holds only the approval's id, status, expiry and what was asked, never a credential.
import type { AgentApprovalDto } from "./schemas";

export class ApprovalPending extends Error {
  constructor(readonly approval: AgentApprovalDto) {
    super(`This action waits for the person's approval (approval ${approval.approval_id}, until ${approval.expires_at}).`);
    this.name = "ApprovalPending";
  }
}

/** Seconds an agent should wait between polls. */
export const POLL_SECONDS = 5;

export function pendingResponse(e: ApprovalPending): Response {
  return Response.json(e.approval, {
    status: 202,
    headers: { "cache-control": "no-store", location: e.approval.url, "retry-after": String(POLL_SECONDS) },
  });
}

/** Runs an action; one that waits for approval answers 202 instead of a result. */
export async function orPending(run: () => Promise<object>): Promise<Response | object> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof ApprovalPending) return pendingResponse(e);
    throw e;
  }
}
