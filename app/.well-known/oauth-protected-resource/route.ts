// GET /.well-known/oauth-protected-resource (and, re-exported, .../api/mcp) -
// RFC 9728 metadata of the MCP endpoint: the resource, and the vault as its authorization server.
import { NextResponse } from "next/server";

import { protectedResourceMetadata } from "@/lib/mcp/resource";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  return NextResponse.json(protectedResourceMetadata(), { headers: { "cache-control": "public, max-age=300" } });
}
