// React Query access to my connections (CONVENTIONS.md, 6). Client-safe: types only from the server side.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { ConnectionDetail } from "@/lib/connections/connections";
import type { ServiceAccountResult } from "@/lib/connections/service-account";
import { apiFetch } from "@/lib/api-client";

export type { ConnectionDetail, ServiceAccountResult };
export type DisconnectResult = { disconnected: true; revokedAtProvider: boolean; delegationsRevoked: number };

export const connectionKeys = {
  all: ["connections"] as const,
  detail: (id: string) => [...connectionKeys.all, "detail", id] as const,
};

export function fetchConnection(id: string, signal?: AbortSignal): Promise<ConnectionDetail> {
  return apiFetch<ConnectionDetail>(`/api/v1/connections/${encodeURIComponent(id)}`, { signal });
}

export function disconnect(id: string): Promise<DisconnectResult> {
  return apiFetch<DisconnectResult>(`/api/v1/connections/${encodeURIComponent(id)}`, { method: "DELETE" });
}

export function setServiceAccount(id: string, serviceAccount: boolean): Promise<ServiceAccountResult> {
  return apiFetch<ServiceAccountResult>(`/api/v1/connections/${encodeURIComponent(id)}`, { method: "PATCH", body: { serviceAccount } });
}

export function useConnection(id: string, initialData?: ConnectionDetail) {
  return useQuery({ queryKey: connectionKeys.detail(id), queryFn: ({ signal }) => fetchConnection(id, signal), initialData });
}

export function useDisconnect() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => disconnect(id),
    // Delegation lists elsewhere in the portal change too, so every connection query goes stale.
    onSuccess: () => client.invalidateQueries({ queryKey: connectionKeys.all }),
  });
}

/** Administrators: mark or unmark one of their connections as the tenant's service account for its provider. */
export function useSetServiceAccount() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, serviceAccount }: { id: string; serviceAccount: boolean }) => setServiceAccount(id, serviceAccount),
    // Marking one may unmark another connection of the same provider: every connection query goes stale.
    onSuccess: () => client.invalidateQueries({ queryKey: connectionKeys.all }),
  });
}
