"use client";
// The navigation's link to the Approvals page, with the number of requests that wait for me, kept
// current by the same polled query the page uses.
import { NavLink } from "@/components/nav-link";
import { useApprovals, type ApprovalList } from "@/lib/approvals/queries";

export function ApprovalsNavLink({ initial }: { initial: ApprovalList }) {
  const { data = initial } = useApprovals(initial);
  return (
    <NavLink href="/approvals">
      Approvals
      {data.pending > 0 && (
        <span className="badge count" aria-label={`${data.pending} waiting`} data-testid="approvals-count">
          {data.pending}
        </span>
      )}
    </NavLink>
  );
}
