// POST /api/oauth/consent/{id} - the person's decision on an OAuth client's request (session and
// same-origin only): `{ decision: "deny" }` or `{ decision: "approve", grants, expiresAt }`. Answers
// `{ location }`, the client's redirect URI with the code (or the error) for the browser to follow.
import { z } from "zod";

import { consentBody } from "@/lib/delegations/consent-schema";
import { withPerson } from "@/lib/http/route";
import { decideConsent } from "@/lib/oauth-server/consent";

const params = z.object({ id: z.string().trim().min(1).max(100) });

export const POST = withPerson({ body: consentBody, params }, async ({ person, body, params }) => decideConsent(person, params.id, body));
