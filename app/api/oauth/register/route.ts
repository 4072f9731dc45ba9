// POST /api/oauth/register - RFC 7591 dynamic client registration for OAuth (MCP) clients people connect.
// JSON in, JSON out; the client_secret (secret methods only) is answered this once. The work lives in lib/http/registration-endpoint.ts.
// OPTIONS answers the CORS preflight of browser-based MCP clients (VAULT_MCP_ALLOWED_ORIGINS).
import { handleRegistration, handleRegistrationPreflight } from "@/lib/http/registration-endpoint";

export const dynamic = "force-dynamic";

export async function POST(req: Request): Promise<Response> {
  return handleRegistration(req);
}

export async function OPTIONS(req: Request): Promise<Response> {
  return handleRegistrationPreflight(req);
}
