// PATCH /api/v1/alerts/{id} - (admins) acknowledge or resolve an alert; resolving lifts the hold its
// enforcement put on the agent (a rate limit, approval for writes).
import { updateAlert } from "@/lib/containment/alerts";
import { idParams, updateAlertBody } from "@/lib/containment/schemas";
import { withPerson } from "@/lib/http/route";

export const PATCH = withPerson({ admin: true, params: idParams, body: updateAlertBody }, async ({ person, params, body }) => ({
  alert: await updateAlert(person, params.id, body.status),
}));
