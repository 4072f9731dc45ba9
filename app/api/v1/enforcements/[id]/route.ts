// PATCH /api/v1/enforcements/{id} - (admins) confirm (the agent is suspended now) or reject a suspension waiting for an administrator.
import { decideEnforcement } from "@/lib/containment/enforce";
import { decideEnforcementBody, idParams } from "@/lib/containment/schemas";
import { withPerson } from "@/lib/http/route";

export const PATCH = withPerson({ admin: true, params: idParams, body: decideEnforcementBody }, async ({ person, params, body }) =>
  decideEnforcement(person, params.id, body.decision),
);
