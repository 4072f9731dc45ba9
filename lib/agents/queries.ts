// React Query access to the agent registry (CONVENTIONS.md, 6) for the admin's agents page.
// Client-safe: types and pure schemas only. A client secret in an answer is handed to the caller of
// the mutation and never put in the query cache, so it cannot reappear after the "Done" button.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import type { AgentDto, CreateAgentBody, RegisterAgentAnswer, UpdateAgentAnswer, UpdateAgentBody } from "@/lib/agents/schemas";
import { apiFetch } from "@/lib/api-client";

export type { AgentDto };

export const agentKeys = {
  all: ["agents"] as const,
  list: () => [...agentKeys.all, "list"] as const,
};

const agentUrl = (id: string) => `/api/v1/agents/${encodeURIComponent(id)}`;

export async function fetchAgents(signal?: AbortSignal): Promise<AgentDto[]> {
  return (await apiFetch<{ agents: AgentDto[] }>("/api/v1/agents", { signal })).agents;
}

export function registerAgent(body: CreateAgentBody): Promise<RegisterAgentAnswer> {
  return apiFetch<RegisterAgentAnswer>("/api/v1/agents", { method: "POST", body });
}

export function updateAgent(id: string, body: UpdateAgentBody): Promise<UpdateAgentAnswer> {
  return apiFetch<UpdateAgentAnswer>(agentUrl(id), { method: "PATCH", body });
}

export function deleteAgent(id: string): Promise<{ deleted: true; delegationsEnded: number }> {
  return apiFetch(agentUrl(id), { method: "DELETE" });
}

export function useAgents(initialData?: AgentDto[]) {
  return useQuery({ queryKey: agentKeys.list(), queryFn: ({ signal }) => fetchAgents(signal), initialData });
}

export function useRegisterAgent() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateAgentBody) => registerAgent(body),
    onSuccess: () => client.invalidateQueries({ queryKey: agentKeys.all }),
  });
}

export function useUpdateAgent() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UpdateAgentBody }) => updateAgent(id, body),
    onSuccess: () => client.invalidateQueries({ queryKey: agentKeys.all }),
  });
}

export function useDeleteAgent() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => deleteAgent(id),
    onSuccess: () => client.invalidateQueries({ queryKey: agentKeys.all }),
  });
}
