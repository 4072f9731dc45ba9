// React Query access to the organisation's MCP clients (CONVENTIONS.md, 6), for the admin's MCP
// clients page. Client-safe: types and pure schemas only. A decision on a client changes its agent
// too, so agent queries are marked stale with it.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { agentKeys } from "@/lib/agents/queries";
import { apiFetch } from "@/lib/api-client";
import type { DeleteMcpClientAnswer, McpClientDto, UpdateMcpClientBody } from "@/lib/oauth-clients/schemas";

export type { McpClientDto };

export const mcpClientKeys = {
  all: ["mcp-clients"] as const,
  list: () => [...mcpClientKeys.all, "list"] as const,
};

/** The client_id is a URL for metadata documents: always encoded into the path. */
const clientUrl = (clientId: string) => `/api/v1/mcp-clients/${encodeURIComponent(clientId)}`;

export async function fetchMcpClients(signal?: AbortSignal): Promise<McpClientDto[]> {
  return (await apiFetch<{ clients: McpClientDto[] }>("/api/v1/mcp-clients", { signal })).clients;
}

export function updateMcpClient(clientId: string, body: UpdateMcpClientBody): Promise<McpClientDto> {
  return apiFetch<McpClientDto>(clientUrl(clientId), { method: "PATCH", body });
}

export function deleteMcpClient(clientId: string): Promise<DeleteMcpClientAnswer> {
  return apiFetch<DeleteMcpClientAnswer>(clientUrl(clientId), { method: "DELETE" });
}

export function useMcpClients(initialData?: McpClientDto[]) {
  return useQuery({ queryKey: mcpClientKeys.list(), queryFn: ({ signal }) => fetchMcpClients(signal), initialData });
}

function useInvalidate() {
  const client = useQueryClient();
  return () => Promise.all([client.invalidateQueries({ queryKey: mcpClientKeys.all }), client.invalidateQueries({ queryKey: agentKeys.all })]);
}

export function useUpdateMcpClient() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ clientId, body }: { clientId: string; body: UpdateMcpClientBody }) => updateMcpClient(clientId, body),
    onSuccess: invalidate,
  });
}

export function useDeleteMcpClient() {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: (clientId: string) => deleteMcpClient(clientId), onSuccess: invalidate });
}
