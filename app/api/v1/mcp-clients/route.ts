// GET /api/v1/mcp-clients - (admins) the MCP clients that asked to connect in my organisation: who they are, their standing, agent and ceiling.
import { withPerson } from "@/lib/http/route";
import { listTenantClients } from "@/lib/oauth-clients/admin";

export const GET = withPerson({ admin: true }, async ({ person }) => ({ clients: await listTenantClients(person) }));
