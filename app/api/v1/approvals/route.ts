// GET /api/v1/approvals - my approvals (requests agents made on my delegations that wait for, or got,
// my decision), pending first; `?status=pending|approved|denied|expired|used` narrows the list.
import { BadRequestError } from "@/lib/errors";
import { listApprovals } from "@/lib/approvals/approvals";
import { listApprovalsQuery } from "@/lib/approvals/schemas";
import { describeIssues, withPerson } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = withPerson({}, async ({ person, req }) => {
  const parsed = listApprovalsQuery.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) throw new BadRequestError(describeIssues(parsed.error.issues, "query"));
  const approvals = await listApprovals(person, parsed.data);
  return { approvals, pending: approvals.filter((a) => a.status === "pending").length };
});
