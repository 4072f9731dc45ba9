// React Query access to my organisation's settings (CONVENTIONS.md, 6), for the admin's Agents page.
// Client-safe: types and pure schemas only. Changing the settings also marks connection and
// delegation queries stale, since the service-account notes there depend on the tenant switch.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { connectionKeys } from "@/lib/connections/queries";
import { delegationKeys } from "@/lib/delegations/queries";
import { apiFetch } from "@/lib/api-client";
import type { TenantSettingsDto, UpdateTenantSettings } from "@/lib/tenancy/schemas";

export type { TenantSettingsDto };

export const tenantKeys = {
  all: ["tenant"] as const,
  settings: () => [...tenantKeys.all, "settings"] as const,
};

export function fetchTenantSettings(signal?: AbortSignal): Promise<TenantSettingsDto> {
  return apiFetch<TenantSettingsDto>("/api/v1/tenant", { signal });
}

export function updateTenantSettings(body: UpdateTenantSettings): Promise<TenantSettingsDto> {
  return apiFetch<TenantSettingsDto>("/api/v1/tenant", { method: "PATCH", body });
}

export function useTenantSettings(initialData?: TenantSettingsDto) {
  return useQuery({ queryKey: tenantKeys.settings(), queryFn: ({ signal }) => fetchTenantSettings(signal), initialData });
}

export function useUpdateTenantSettings() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: updateTenantSettings,
    onSuccess: (settings) => {
      client.setQueryData(tenantKeys.settings(), settings);
      return Promise.all([client.invalidateQueries({ queryKey: connectionKeys.all }), client.invalidateQueries({ queryKey: delegationKeys.all })]);
    },
  });
}
