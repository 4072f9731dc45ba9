// Approvals: the requests agents made on my delegations that wait for my decision (and the ones I
// decided), each showing exactly what would be sent. Nothing reaches the provider until I approve,
// and then only that very request, once.
import { ApprovalsList } from "@/components/approvals-list";
import { listApprovals } from "@/lib/approvals/approvals";
import { requirePerson } from "@/lib/auth/session";

export default async function ApprovalsPage() {
  const person = await requirePerson("/approvals");
  const approvals = await listApprovals(person);
  return (
    <>
      <h1>Approvals</h1>
      <p className="lead">
        Agents wait here for your decision before they change anything. Approve only what you expect: the agent may then send that exact request once, before it
        expires.
      </p>
      <ApprovalsList initial={{ approvals, pending: approvals.filter((a) => a.status === "pending").length }} />
    </>
  );
}
