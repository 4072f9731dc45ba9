// React Query access to my approvals (CONVENTIONS.md, 6): the list (pending first) that the Approvals
// page and the navigation's count share, polled so a request an agent just made shows up on its own,
// and approving or denying one. Client-safe: only types and the pure schemas come from lib/approvals.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { apiFetch } from "@/lib/api-client";
import type { ApprovalDto } from "@/lib/approvals/schemas";

export type { ApprovalDto };
export type ApprovalList = { approvals: ApprovalDto[]; pending: number };

/** How often the portal looks for new requests while a page is open. */
export const APPROVALS_POLL_MS = 5000;

export const approvalKeys = {
  all: ["approvals"] as const,
  list: () => [...approvalKeys.all, "list"] as const,
};

export function fetchApprovals(signal?: AbortSignal): Promise<ApprovalList> {
  return apiFetch<ApprovalList>("/api/v1/approvals", { signal });
}

export async function decideApproval({ id, verdict }: { id: string; verdict: "approve" | "deny" }): Promise<ApprovalDto> {
  return (await apiFetch<{ approval: ApprovalDto }>(`/api/v1/approvals/${encodeURIComponent(id)}/${verdict}`, { method: "POST" })).approval;
}

export function useApprovals(initialData?: ApprovalList) {
  return useQuery({ queryKey: approvalKeys.list(), queryFn: ({ signal }) => fetchApprovals(signal), initialData, refetchInterval: APPROVALS_POLL_MS });
}

export function useDecideApproval() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: decideApproval,
    onSuccess: (approval) => {
      // Show the decision at once, then refetch (the agent may have asked for more meanwhile).
      client.setQueryData<ApprovalList>(approvalKeys.list(), (list) => {
        if (!list) return list;
        const approvals = list.approvals.map((a) => (a.id === approval.id ? approval : a));
        return { approvals, pending: approvals.filter((a) => a.status === "pending").length };
      });
      return client.invalidateQueries({ queryKey: approvalKeys.all });
    },
    // Already decided or expired elsewhere: the list shows what it is now.
    onError: () => client.invalidateQueries({ queryKey: approvalKeys.all }),
  });
}
