// GET /.well-known/jwks.json - the vault's public signing keys:
// the active key and every retiring key whose tokens may still be in use. Public: any origin may read it.
import { NextResponse } from "next/server";

import { PUBLIC_CORS_HEADERS, publicPreflight } from "@/lib/http/cors";

import { vaultPublicJwks } from "@/lib/vault/signing/signing-keys";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const jwks = await vaultPublicJwks();
  // Short enough that a verifier sees a new key soon after a rotation; an unknown kid makes verifiers refetch anyway.
  return NextResponse.json(jwks, {
    headers: { ...PUBLIC_CORS_HEADERS, "content-type": "application/jwk-set+json", "cache-control": "public, max-age=300, stale-while-revalidate=60" },
  });
}

export const OPTIONS = publicPreflight;
