// React Query access to the tenant's provider catalogue and its admin setup calls. Client-safe.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { apiFetch } from "@/lib/api-client";
import type { GenericProviderBody, ProviderClientBody, ProviderSummary } from "@/lib/providers/client-schemas";

export type { ProviderSummary };

export const providerKeys = {
  all: ["providers"] as const,
  list: () => [...providerKeys.all, "list"] as const,
};

export async function fetchProviders(signal?: AbortSignal): Promise<ProviderSummary[]> {
  return (await apiFetch<{ providers: ProviderSummary[] }>("/api/v1/providers", { signal })).providers;
}

export function saveProviderClient(key: string, body: ProviderClientBody): Promise<{ key: string; configured: true }> {
  return apiFetch(`/api/v1/providers/${encodeURIComponent(key)}/client`, { method: "PUT", body });
}

export function addGenericProvider(body: GenericProviderBody): Promise<{ key: string }> {
  return apiFetch("/api/v1/providers/generic", { method: "POST", body });
}

export function useProviders(initialData?: ProviderSummary[]) {
  return useQuery({ queryKey: providerKeys.list(), queryFn: ({ signal }) => fetchProviders(signal), initialData });
}

export function useSaveProviderClient() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ key, body }: { key: string; body: ProviderClientBody }) => saveProviderClient(key, body),
    onSuccess: () => client.invalidateQueries({ queryKey: providerKeys.all }),
  });
}

export function useAddGenericProvider() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: GenericProviderBody) => addGenericProvider(body),
    onSuccess: () => client.invalidateQueries({ queryKey: providerKeys.all }),
  });
}
