// PATCH /api/v1/policies/{id} - (admins) change a policy's action, dry run, approval, cooldown or whether it is on.
import { updatePolicy } from "@/lib/containment/policies";
import { idParams, updatePolicyBody } from "@/lib/containment/schemas";
import { withPerson } from "@/lib/http/route";

export const PATCH = withPerson({ admin: true, params: idParams, body: updatePolicyBody }, async ({ person, params, body }) => ({
  policy: await updatePolicy(person, params.id, body),
}));
