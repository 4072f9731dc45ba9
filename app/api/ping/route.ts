// GET /api/ping - answers without touching the database or anything else: a load balancer's
// keep-alive probe, and the bench's framework floor (what a route handler of this build costs).
export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json({ ok: true }, { headers: { "cache-control": "no-store" } });
}
