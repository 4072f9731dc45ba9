// React Query access to containment (CONTRACT.md, "Containment") for the administrator's Alerts
// page: a key factory, fetchers that forward `signal`, and mutations that refresh the lists they
// change. Client-safe: types and pure schemas only.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { apiFetch } from "@/lib/api-client";
import type { AlertDto, AlertQuery, CreatePolicyBody, DetectorSettingDto, PolicyDto, UpdateDetectorBody, UpdatePolicyBody } from "@/lib/containment/schemas";

export type { AlertDto, DetectorSettingDto, PolicyDto };
export type Policies = { policies: PolicyDto[]; detectors: DetectorSettingDto[] };

export const containmentKeys = {
  all: ["containment"] as const,
  alerts: (q: AlertQuery) => [...containmentKeys.all, "alerts", q] as const,
  policies: () => [...containmentKeys.all, "policies"] as const,
};

export async function fetchAlerts(q: AlertQuery, signal?: AbortSignal): Promise<AlertDto[]> {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(q)) if (typeof value === "string" && value) search.set(key, value);
  const url = `/api/v1/alerts${search.size ? `?${search}` : ""}`;
  return (await apiFetch<{ alerts: AlertDto[] }>(url, { signal })).alerts;
}

export function fetchPolicies(signal?: AbortSignal): Promise<Policies> {
  return apiFetch<Policies>("/api/v1/policies", { signal });
}

export function useAlerts(q: AlertQuery, initialData?: AlertDto[]) {
  return useQuery({ queryKey: containmentKeys.alerts(q), queryFn: ({ signal }) => fetchAlerts(q, signal), initialData });
}

export function usePolicies(initialData?: Policies) {
  return useQuery({ queryKey: containmentKeys.policies(), queryFn: ({ signal }) => fetchPolicies(signal), initialData });
}

function useContainmentMutation<V>(fn: (v: V) => Promise<unknown>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => client.invalidateQueries({ queryKey: containmentKeys.all }) });
}

export const useUpdateAlert = () =>
  useContainmentMutation(({ id, status }: { id: string; status: "acknowledged" | "resolved" }) =>
    apiFetch(`/api/v1/alerts/${encodeURIComponent(id)}`, { method: "PATCH", body: { status } }),
  );

export const useDecideEnforcement = () =>
  useContainmentMutation(({ id, decision }: { id: string; decision: "confirm" | "reject" }) =>
    apiFetch(`/api/v1/enforcements/${encodeURIComponent(id)}`, { method: "PATCH", body: { decision } }),
  );

export const useCreatePolicy = () => useContainmentMutation((body: Partial<CreatePolicyBody>) => apiFetch("/api/v1/policies", { method: "POST", body }));

export const useUpdatePolicy = () =>
  useContainmentMutation(({ id, body }: { id: string; body: UpdatePolicyBody }) =>
    apiFetch(`/api/v1/policies/${encodeURIComponent(id)}`, { method: "PATCH", body }),
  );

export const useUpdateDetector = () =>
  useContainmentMutation(({ kind, body }: { kind: string; body: UpdateDetectorBody }) =>
    apiFetch(`/api/v1/detectors/${encodeURIComponent(kind)}`, { method: "PATCH", body }),
  );
