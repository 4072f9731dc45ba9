// POST /api/oauth/token - the token endpoint: RFC 8693 exchange of a delegation id, or client_credentials.
// Form-encoded only (a JSON body is invalid_request); the work lives in lib/http/token-endpoint.ts.
// OPTIONS answers the CORS preflight of browser-based MCP clients (VAULT_MCP_ALLOWED_ORIGINS).
import { handleTokenPreflight, handleTokenRequest } from "@/lib/http/token-endpoint";

export const dynamic = "force-dynamic";

export async function POST(req: Request): Promise<Response> {
  return handleTokenRequest(req);
}

export async function OPTIONS(req: Request): Promise<Response> {
  return handleTokenPreflight(req);
}
