// React Query access to the tenant's webhooks (CONVENTIONS.md, 6) for the admin's Webhooks page.
// Client-safe: types and pure schemas only. The signing secret in a creation answer is handed to
// the caller of the mutation and never put in the query cache, so it cannot reappear after "Done".
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { apiFetch } from "@/lib/api-client";
import type { CreatedWebhook, CreateWebhookBody, DeliveryDto, WebhookDto } from "@/lib/webhooks/schemas";

export type { WebhookDto, DeliveryDto };

export const webhookKeys = {
  all: ["webhooks"] as const,
  list: () => [...webhookKeys.all, "list"] as const,
};

const webhookUrl = (id: string) => `/api/v1/webhooks/${encodeURIComponent(id)}`;

export async function fetchWebhooks(signal?: AbortSignal): Promise<WebhookDto[]> {
  return (await apiFetch<{ webhooks: WebhookDto[] }>("/api/v1/webhooks", { signal })).webhooks;
}

/** Refetched every few seconds while a delivery is pending, so its last answer shows up by itself. */
export function useWebhooks(initialData?: WebhookDto[]) {
  return useQuery({
    queryKey: webhookKeys.list(),
    queryFn: ({ signal }) => fetchWebhooks(signal),
    initialData,
    refetchInterval: (q) => ((q.state.data ?? []).some((w) => w.deliveries.pending > 0) ? 2000 : false),
  });
}

function useInvalidating<A, R>(fn: (arg: A) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => client.invalidateQueries({ queryKey: webhookKeys.all }) });
}

export const useCreateWebhook = () => useInvalidating((body: CreateWebhookBody) => apiFetch<CreatedWebhook>("/api/v1/webhooks", { method: "POST", body }));
export const useDeleteWebhook = () => useInvalidating((id: string) => apiFetch<{ deleted: true }>(webhookUrl(id), { method: "DELETE" }));
export const useSendTestEvent = () => useInvalidating((id: string) => apiFetch<{ delivery: DeliveryDto }>(`${webhookUrl(id)}/test`, { method: "POST" }));
