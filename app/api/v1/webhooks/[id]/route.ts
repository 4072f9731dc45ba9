// DELETE /api/v1/webhooks/{id} - (admins) delete a webhook; its pending deliveries are dropped with it.
import { withPerson } from "@/lib/http/route";
import { deleteWebhook } from "@/lib/webhooks/admin";
import { webhookIdParams } from "@/lib/webhooks/schemas";

export const DELETE = withPerson({ admin: true, params: webhookIdParams }, async ({ person, params }) => {
  await deleteWebhook(person, params.id);
  return { deleted: true };
});
