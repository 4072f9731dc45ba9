// POST /api/v1/webhooks/{id}/test - (admins) queue a signed webhook_test event for this webhook; answers the queued delivery (202).
import { json, withPerson } from "@/lib/http/route";
import { sendTestEvent } from "@/lib/webhooks/admin";
import { webhookIdParams } from "@/lib/webhooks/schemas";

export const POST = withPerson({ admin: true, params: webhookIdParams }, async ({ person, params }) =>
  json({ delivery: await sendTestEvent(person, params.id) }, 202),
);
