// Any method on a path under /api/ that no other route serves - 404 problem+json (not_found) naming
// the path and pointing at /api/openapi.json. Static and dynamic segments elsewhere under app/api/
// always win over this optional catch-all, so it only ever answers what would otherwise be Next's 404 page.
import { apiNotFound } from "@/lib/http/not-found";

export const dynamic = "force-dynamic";

export const GET = apiNotFound;
export const HEAD = apiNotFound;
export const POST = apiNotFound;
export const PUT = apiNotFound;
export const PATCH = apiNotFound;
export const DELETE = apiNotFound;
export const OPTIONS = apiNotFound;
