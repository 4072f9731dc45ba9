// GET /api/v1/alerts - stored containment alerts, newest first, filtered by ?severity=&kind=&status=.
// A tenant administrator (session) sees the whole tenant's; an agent (agent or delegation token) only
// the alerts that name it.
import { listAlerts } from "@/lib/containment/alerts";
import { alertQuery } from "@/lib/containment/schemas";
import { BadRequestError } from "@/lib/errors";
import { bearerChallenge, withBearer } from "@/lib/http/bearer-route";
import { describeIssues, withPerson, type RouteContext } from "@/lib/http/route";

export const dynamic = "force-dynamic";

function query(req: Request) {
  const parsed = alertQuery.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) throw new BadRequestError(describeIssues(parsed.error.issues, "query"));
  return parsed.data;
}

const forAgent = withBearer({ accept: ["agent", "delegation"] }, async ({ caller, req }) => ({
  alerts: await listAlerts({ kind: "agent", tenantId: caller.tenantId, agentId: caller.agent.id }, query(req)),
}));
const forAdmin = withPerson({ admin: true }, async ({ person, req }) => ({ alerts: await listAlerts({ kind: "admin", person }, query(req)) }));

// An Authorization header means an agent is calling; the portal only ever sends its cookie.
export async function GET(req: Request, ctx: RouteContext): Promise<Response> {
  if (req.headers.has("authorization")) return forAgent(req, ctx);
  const res = await forAdmin(req, ctx);
  if (res.status === 401) res.headers.set("www-authenticate", bearerChallenge());
  return res;
}
