// GET /api/v1/mcp-clients/{id} - (admins) one MCP client of my organisation; {id} is its client_id, URL-encoded.
// PATCH /api/v1/mcp-clients/{id} - (admins) approve it with a ceiling, block it, suspend or resume it, or change its ceiling; audited.
// DELETE /api/v1/mcp-clients/{id} - (admins) remove it: its agent, delegations and token families end; audited.
import { withPerson } from "@/lib/http/route";
import { deleteTenantClient, getTenantClient, updateTenantClient } from "@/lib/oauth-clients/admin";
import { mcpClientIdParams, updateMcpClientBody } from "@/lib/oauth-clients/schemas";

export const GET = withPerson({ admin: true, params: mcpClientIdParams }, async ({ person, params }) => getTenantClient(person, params.id));

export const PATCH = withPerson({ admin: true, params: mcpClientIdParams, body: updateMcpClientBody }, async ({ person, params, body }) =>
  updateTenantClient(person, params.id, body),
);

export const DELETE = withPerson({ admin: true, params: mcpClientIdParams }, async ({ person, params }) => deleteTenantClient(person, params.id));
