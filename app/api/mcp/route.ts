// POST /api/mcp - Model Context Protocol over Streamable HTTP (stateless, JSON answers): the tools of
// the delegation behind the bearer token. GET and DELETE answer 405: there is no session or stream.
// OPTIONS answers the CORS preflight of browser-based clients (VAULT_MCP_ALLOWED_ORIGINS).
import { handleMcpPost, mcpMethodNotAllowed, mcpPreflight } from "@/lib/http/mcp-endpoint";

export const dynamic = "force-dynamic";

export async function POST(req: Request): Promise<Response> {
  return handleMcpPost(req);
}

export async function GET(req: Request): Promise<Response> {
  return mcpMethodNotAllowed(req);
}

export async function DELETE(req: Request): Promise<Response> {
  return mcpMethodNotAllowed(req);
}

export async function OPTIONS(req: Request): Promise<Response> {
  return mcpPreflight(req);
}
