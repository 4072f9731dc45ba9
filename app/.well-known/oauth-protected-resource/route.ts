// GET /.well-known/oauth-protected-resource (and, re-exported, .../api/mcp) -
// RFC 9728 metadata of the MCP endpoint: the resource, and the vault as its authorization server.
// Public: any origin may read it.
import { NextResponse } from "next/server";

import { PUBLIC_CORS_HEADERS, publicPreflight } from "@/lib/http/cors";

import { protectedResourceMetadata } from "@/lib/mcp/resource";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  return NextResponse.json(protectedResourceMetadata(), { headers: { ...PUBLIC_CORS_HEADERS, "cache-control": "public, max-age=300" } });
}

export const OPTIONS = publicPreflight;
