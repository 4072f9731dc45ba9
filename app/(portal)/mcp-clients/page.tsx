// The MCP clients of a tenant, for its administrators: the OAuth clients people asked to connect
// (Claude, ChatGPT, Cursor, VS Code...), approving each with a ceiling or blocking it, and the
// organisation's policy for them. The server loads the same DTOs the BFF answers, so React Query
// takes over from them without a second fetch.
import { McpClientsAdmin } from "@/components/mcp-clients-admin";
import { requireAdmin } from "@/lib/auth/session";
import { listTenantClients } from "@/lib/oauth-clients/admin";
import { listTenantProviders } from "@/lib/providers/registry";
import { getTenantSettings } from "@/lib/tenancy/settings";

export default async function McpClientsPage() {
  const admin = await requireAdmin("/mcp-clients");
  const [clients, catalogue, settings] = await Promise.all([listTenantClients(admin), listTenantProviders(admin.tenantId), getTenantSettings(admin)]);
  const providers = catalogue.map((p) => ({ key: p.definition.key, name: p.definition.name }));
  return (
    <>
      <h1>MCP clients</h1>
      <p className="lead">
        Apps people in {admin.tenantId} connect to the vault through its MCP endpoint. A client can do nothing until it is approved, and never more than the
        ceiling you give it; people then grant it access to their own connections within that ceiling.
      </p>
      <McpClientsAdmin initial={clients} settings={settings} providers={providers} />
    </>
  );
}
