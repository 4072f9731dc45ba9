// GET /.well-known/authzen-configuration - OpenID AuthZEN 1.0 PDP metadata: the vault as a policy
// decision point and its evaluation endpoints. Public: any origin may read it.
import { NextResponse } from "next/server";

import { PUBLIC_CORS_HEADERS, publicPreflight } from "@/lib/http/cors";
import { pdpMetadata } from "@/lib/pdp/pdp-metadata";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  return NextResponse.json(pdpMetadata(), { headers: { ...PUBLIC_CORS_HEADERS, "cache-control": "public, max-age=300" } });
}

export const OPTIONS = publicPreflight;
