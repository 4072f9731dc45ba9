// GET /.well-known/oauth-authorization-server - RFC 8414 metadata
// of the vault's token endpoint, so a stock OAuth client can discover it. Public: any origin may read it.
import { NextResponse } from "next/server";

import { PUBLIC_CORS_HEADERS, publicPreflight } from "@/lib/http/cors";

import { authorizationServerMetadata } from "@/lib/oauth-server/metadata";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  return NextResponse.json(authorizationServerMetadata(), { headers: { ...PUBLIC_CORS_HEADERS, "cache-control": "public, max-age=300" } });
}

export const OPTIONS = publicPreflight;
