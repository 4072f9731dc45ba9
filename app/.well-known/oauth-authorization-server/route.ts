// GET /.well-known/oauth-authorization-server - RFC 8414 metadata
// of the vault's token endpoint, so a stock OAuth client can discover it.
import { NextResponse } from "next/server";

import { authorizationServerMetadata } from "@/lib/oauth-server/metadata";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  return NextResponse.json(authorizationServerMetadata(), { headers: { "cache-control": "public, max-age=300" } });
}
