// GET /api/v1/event-schemas - the versioned JSON Schema of every event type webhooks deliver. Public,
// like the OpenAPI document: a schema names fields, never data, and a receiver validating deliveries
// should not need a vault credential to fetch it.
import { eventSchemas } from "@/lib/events/schemas";

export const dynamic = "force-static";

export function GET(): Response {
  return Response.json({ schemas: eventSchemas() }, { headers: { "cache-control": "public, max-age=300" } });
}
