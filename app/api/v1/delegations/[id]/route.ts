// DELETE /api/v1/delegations/{id} - revoke a grant (its owner, or an administrator of its tenant); immediate.
// Revoking twice answers 200 with `alreadyRevoked: true`; a grant that is not yours to change is 404.
import { z } from "zod";

import { revokeDelegation } from "@/lib/delegations/delegations";
import { withPerson } from "@/lib/http/route";

const params = z.object({ id: z.string().trim().min(1).max(200) });

export const DELETE = withPerson({ params }, async ({ person, params }) => revokeDelegation(person, params.id));
