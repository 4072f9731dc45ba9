// GET /api/v1/approvals/{id} - the agent polls an approval it was given (202 of an action): its status
// (pending|approved|denied|expired|used) and expiry. Bearer = a token on the approval's own delegation.
import { pollApproval } from "@/lib/approvals/approvals";
import { approvalIdParams } from "@/lib/approvals/schemas";
import { withBearer } from "@/lib/http/bearer-route";

export const dynamic = "force-dynamic";

export const GET = withBearer({ accept: ["delegation"], params: approvalIdParams }, async ({ caller, params }) => pollApproval(caller, params.id));
