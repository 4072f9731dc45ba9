"use client";
// The administrator's MCP clients page below its heading: the clients that asked to connect (kept
// fresh by React Query after every decision), waiting ones first, and the organisation's policy.
import type { ProviderOption } from "@/components/agent-ceiling-form";
import { McpClientCard } from "@/components/mcp-client-card";
import { McpClientPolicyForm } from "@/components/mcp-client-policy-form";
import { useMcpClients, type McpClientDto } from "@/lib/oauth-clients/queries";
import { useTenantSettings, type TenantSettingsDto } from "@/lib/tenancy/queries";

export function McpClientsAdmin({ initial, settings, providers }: { initial: McpClientDto[]; settings: TenantSettingsDto; providers: ProviderOption[] }) {
  const { data: clients = initial, error } = useMcpClients(initial);
  const { data: tenant = settings } = useTenantSettings(settings);
  // Waiting ones first, then the rest in the order they asked (newest first).
  const ordered = [...clients.filter((c) => c.status === "pending"), ...clients.filter((c) => c.status !== "pending")];

  return (
    <>
      <section aria-labelledby="mcp-clients">
        <h2 id="mcp-clients">Clients</h2>
        {error && (
          <p className="error" role="alert">
            {error.message}
          </p>
        )}
        {ordered.length === 0 ? (
          <div className="card empty">
            <h3>No MCP client has asked to connect yet</h3>
            <p>
              No MCP client has asked to connect yet: when someone in your organisation adds the vault&apos;s MCP endpoint to Claude, ChatGPT, Cursor, VS Code
              or another MCP client and signs in, the client appears here for you to approve with a ceiling, or block. Choose below who may connect clients and
              whether new ones wait for you.
            </p>
          </div>
        ) : (
          <ul className="agent-list">
            {ordered.map((client) => (
              <McpClientCard key={client.clientId} client={client} providers={providers} defaultCeiling={tenant.mcpClientPolicy.defaultCeiling} />
            ))}
          </ul>
        )}
      </section>
      <McpClientPolicyForm initial={settings} providers={providers} />
    </>
  );
}
