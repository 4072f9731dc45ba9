// GET /api/v1/webhooks - (admins) the tenant's webhooks with their delivery counts and recent deliveries; never a secret.
// POST /api/v1/webhooks - (admins) subscribe a URL to event types; the answer carries the signing `secret`, this once only.
import { json, withPerson } from "@/lib/http/route";
import { createWebhook, listWebhooks } from "@/lib/webhooks/admin";
import { createWebhookBody } from "@/lib/webhooks/schemas";

export const dynamic = "force-dynamic";

export const GET = withPerson({ admin: true }, async ({ person }) => ({ webhooks: await listWebhooks(person) }));

export const POST = withPerson({ admin: true, body: createWebhookBody }, async ({ person, body }) => json(await createWebhook(person, body), 201));
