// GET /api/v1/status - the tenant's status: token exchanges, connected accounts, authorized agents,
// open alerts, refresh engine. A tenant administrator (session) sees everything; an agent (agent or
// delegation token) sees the tenant-wide counts and only the alerts about its own grants and the vault.
import { bearerChallenge, withBearer } from "@/lib/http/bearer-route";
import { withPerson, type RouteContext } from "@/lib/http/route";
import { tenantStatus } from "@/lib/monitor/status";

export const dynamic = "force-dynamic";

const forAgent = withBearer({ accept: ["agent", "delegation"] }, ({ caller }) => tenantStatus({ kind: "agent", caller }));
const forAdmin = withPerson({ admin: true }, ({ person }) => tenantStatus({ kind: "admin", person }));

// An Authorization header means an agent is calling; the portal only ever sends its cookie.
export async function GET(req: Request, ctx: RouteContext): Promise<Response> {
  if (req.headers.has("authorization")) return forAgent(req, ctx);
  const res = await forAdmin(req, ctx);
  // Neither a token nor a session: tell an agent how to authenticate, as RFC 6750 asks.
  if (res.status === 401) res.headers.set("www-authenticate", bearerChallenge());
  return res;
}
