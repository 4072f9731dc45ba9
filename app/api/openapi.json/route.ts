// GET /api/openapi.json - the OpenAPI 3.1 document of every agent-facing route (CONTRACT.md,
// "Discovery"), with request and response schemas generated from the zod schemas the routes use.
import { NextResponse } from "next/server";

import { openApiDocument } from "@/lib/openapi/document";

export const dynamic = "force-dynamic";

export function GET(): Response {
  return NextResponse.json(openApiDocument(), { headers: { "cache-control": "public, max-age=300", "access-control-allow-origin": "*" } });
}
