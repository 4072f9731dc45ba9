// The OpenAPI description of approvals as agents meet them: the 202 of a tool call or proxy request
// held for the person's approval, the X-Approval-Id header a retry may carry, and the poll
// (GET /api/v1/approvals/{id}). Kept beside the main document so it reads as one list of paths. The
// answer's schema is generated from the zod schema the routes answer with. Pure.
import { agentApprovalDto, APPROVAL_HEADER } from "@/lib/approvals/schemas";

import { fromZod } from "./schemas";

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

export const approvalSchemas = { Approval: fromZod(agentApprovalDto, "output") };

/** The 202 an action answers while it waits for the person; nothing was sent to the provider. */
export const pendingResponse = {
  "202": {
    description:
      "Held for the person's approval (their delegation's “ask me before writes”, or the agent's ceiling): nothing was sent. Poll `Location` (the approval) and, once it is `approved`, send exactly the same request again; it passes once, before `expires_at`.",
    headers: {
      Location: { description: "The approval to poll.", schema: { type: "string", format: "uri" } },
      "Retry-After": { description: "Seconds to wait between polls.", schema: { type: "integer" } },
    },
    content: { "application/json": { schema: ref("Approval") } },
  },
};

/** The optional header of a retry: the approval it relies on must be this very request's (403 approval_request_mismatch otherwise). */
export const approvalHeader = {
  name: "X-Approval-Id",
  in: "header",
  required: false,
  description: `The approval this retry relies on (${APPROVAL_HEADER}). A different request naming it is refused with 403 approval_request_mismatch; a used one with 409 approval_used; a denied or expired one with 403 approval_denied or approval_expired.`,
  schema: { type: "string", maxLength: 100 },
};

export function approvalPath(requestId: object, errors: Record<string, unknown>) {
  return {
    get: {
      operationId: "getApproval",
      summary: "Poll an approval: pending, approved, denied, expired or used",
      description: "With a token on the approval's own delegation; any other delegation's token gets 404 approval_not_found.",
      tags: ["acting"],
      security: [{ delegationToken: [] }],
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", maxLength: 100 } }, requestId],
      responses: { "200": { description: "The approval.", content: { "application/json": { schema: ref("Approval") } } }, ...errors },
    },
  };
}
