// POST /api/v1/approvals/{id}/deny - the owner denys a pending request of an agent on their delegation
// (session, Origin checked). Someone else's approval is 404; one no longer pending is 409 approval_not_pending.
import { decideApproval } from "@/lib/approvals/approvals";
import { approvalIdParams } from "@/lib/approvals/schemas";
import { withPerson } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const POST = withPerson({ params: approvalIdParams }, async ({ person, params }) => ({ approval: await decideApproval(person, params.id, "deny") }));
