// React Query access to delegations (CONVENTIONS.md, 6): my grants, the tenant's (admins), the grant
// form's options for one connection, granting and revoking. Client-safe: only types come from the
// server side. Every change also marks connection queries stale, since they summarise grants too.
import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";

import { connectionKeys } from "@/lib/connections/queries";
import type { DelegationOptions, RevokeResult } from "@/lib/delegations/delegations";
import type { CreateDelegationBody, DelegationDto } from "@/lib/delegations/schemas";
import { apiFetch } from "@/lib/api-client";

export type { DelegationDto, DelegationOptions, RevokeResult };
export type { AgentOptions } from "@/lib/delegations/grant-rules";

/** Whose grants a list shows: mine (optionally on one connection) or the whole tenant (admins). */
export type DelegationListQuery = { scope: "mine" | "tenant"; connectionId?: string };

export const delegationKeys = {
  all: ["delegations"] as const,
  list: (q: DelegationListQuery) => [...delegationKeys.all, "list", q.scope, q.connectionId ?? null] as const,
  options: (connectionId: string) => [...delegationKeys.all, "options", connectionId] as const,
};

function listUrl(q: DelegationListQuery): string {
  const query = new URLSearchParams();
  if (q.scope === "tenant") query.set("scope", "tenant");
  if (q.connectionId) query.set("connectionId", q.connectionId);
  const search = query.toString();
  return `/api/v1/delegations${search ? `?${search}` : ""}`;
}

export async function fetchDelegations(q: DelegationListQuery, signal?: AbortSignal): Promise<DelegationDto[]> {
  return (await apiFetch<{ delegations: DelegationDto[] }>(listUrl(q), { signal })).delegations;
}

export function fetchDelegationOptions(connectionId: string, signal?: AbortSignal): Promise<DelegationOptions> {
  return apiFetch<DelegationOptions>(`/api/v1/delegations/options?connectionId=${encodeURIComponent(connectionId)}`, { signal });
}

export async function grantDelegation(body: CreateDelegationBody): Promise<DelegationDto> {
  return (await apiFetch<{ delegation: DelegationDto }>("/api/v1/delegations", { method: "POST", body })).delegation;
}

export function revokeDelegation(id: string): Promise<RevokeResult> {
  return apiFetch<RevokeResult>(`/api/v1/delegations/${encodeURIComponent(id)}`, { method: "DELETE" });
}

export function useDelegations(q: DelegationListQuery, initialData?: DelegationDto[]) {
  return useQuery({ queryKey: delegationKeys.list(q), queryFn: ({ signal }) => fetchDelegations(q, signal), initialData });
}

export function useDelegationOptions(connectionId: string, initialData?: DelegationOptions) {
  return useQuery({ queryKey: delegationKeys.options(connectionId), queryFn: ({ signal }) => fetchDelegationOptions(connectionId, signal), initialData });
}

function invalidateGrants(client: QueryClient) {
  return Promise.all([client.invalidateQueries({ queryKey: delegationKeys.all }), client.invalidateQueries({ queryKey: connectionKeys.all })]);
}

export function useGrantDelegation() {
  const client = useQueryClient();
  return useMutation({ mutationFn: grantDelegation, onSuccess: () => invalidateGrants(client) });
}

export function useRevokeDelegation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: revokeDelegation,
    onSuccess: ({ delegation }) => {
      // Show "revoked" at once in every list that holds this grant, then refetch to be sure.
      client.setQueriesData<DelegationDto[]>({ queryKey: [...delegationKeys.all, "list"] }, (list) =>
        list?.map((d) => (d.id === delegation.id ? delegation : d)),
      );
      return invalidateGrants(client);
    },
  });
}
