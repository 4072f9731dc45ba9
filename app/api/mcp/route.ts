// POST /api/mcp - Model Context Protocol over Streamable HTTP (stateless, JSON answers): the tools of
// the delegation behind the bearer token. GET and DELETE answer 405: there is no session or stream.
import { handleMcpPost, mcpMethodNotAllowed } from "@/lib/http/mcp-endpoint";

export const dynamic = "force-dynamic";

export async function POST(req: Request): Promise<Response> {
  return handleMcpPost(req);
}

export async function GET(): Promise<Response> {
  return mcpMethodNotAllowed();
}

export async function DELETE(): Promise<Response> {
  return mcpMethodNotAllowed();
}
