// GET /api/v1/delegations/options?connectionId= - what the grant form may offer on one of my
// connections, agent by agent (scopes, tools, longest expiry), and why everything else is not offered.
import { z } from "zod";

import { delegationOptions } from "@/lib/delegations/delegations";
import { BadRequestError } from "@/lib/errors";
import { describeIssues, withPerson } from "@/lib/http/route";

const query = z.object({ connectionId: z.string().trim().min(1).max(200) }).strict();

export const GET = withPerson({}, async ({ person, req }) => {
  const parsed = query.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) throw new BadRequestError(describeIssues(parsed.error.issues, "query"));
  return delegationOptions(person, parsed.data.connectionId);
});
