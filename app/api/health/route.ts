// GET /api/health - liveness, with the database reachable or not (CONTRACT.md, "Status").
import { NextResponse } from "next/server";
import { checkDatabase } from "@/lib/db";

export const dynamic = "force-dynamic";

export async function GET() {
  const database = await checkDatabase();
  return NextResponse.json(
    { status: database.ok ? "ok" : "degraded", database: { reachable: database.ok, ...(database.detail ? { detail: database.detail } : {}) } },
    { status: database.ok ? 200 : 503, headers: { "cache-control": "no-store" } },
  );
}
