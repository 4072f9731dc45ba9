// GET /api/v1/delegations - my grants (`?connectionId=` for one connection; admins: `?scope=tenant` for
//   the whole tenant); with an agent token (client_credentials) instead, that agent's live grants.
// POST /api/v1/delegations - grant an agent access to one of my connections (session only).
import { z } from "zod";

import { createDelegationBody } from "@/lib/delegations/schemas";
import { grantDelegation, listAgentDelegations, listMyDelegations, listTenantDelegations } from "@/lib/delegations/delegations";
import { bearerChallenge, withBearer } from "@/lib/http/bearer-route";
import { BadRequestError } from "@/lib/errors";
import { describeIssues, json, withPerson, type RouteContext } from "@/lib/http/route";

const listQuery = z.object({ scope: z.enum(["mine", "tenant"]).default("mine"), connectionId: z.string().trim().min(1).max(200).optional() }).strict();

const forPerson = withPerson({}, async ({ person, req }) => {
  const parsed = listQuery.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) throw new BadRequestError(describeIssues(parsed.error.issues, "query"));
  const { scope, connectionId } = parsed.data;
  if (scope === "tenant") return { delegations: await listTenantDelegations(person) };
  return { delegations: await listMyDelegations(person, { connectionId }) };
});

const forAgent = withBearer({ accept: ["agent"] }, async ({ caller }) => ({ delegations: await listAgentDelegations(caller) }));

// An Authorization header means an agent is calling; the portal itself only ever sends its cookie.
export async function GET(req: Request, ctx: RouteContext): Promise<Response> {
  if (req.headers.has("authorization")) return forAgent(req, ctx);
  const res = await forPerson(req, ctx);
  // Neither a token nor a session: tell an agent how to authenticate, as RFC 6750 asks.
  if (res.status === 401) res.headers.set("www-authenticate", bearerChallenge());
  return res;
}

export const POST = withPerson({ body: createDelegationBody }, async ({ person, body }) => json({ delegation: await grantDelegation(person, body) }, 201));
