// Bodies and answers of the webhook BFF calls (CONTRACT.md, Containment). Pure (no server-only): the
// Webhooks page's form and the route handlers share them. The answer DTOs have no field for the
// signing secret: the one-time secret travels beside the DTO in the creation answer, never inside it.
import { z } from "zod";

import { EVENT_TYPES } from "@/lib/events/schemas";

/** What a person may subscribe to (the test event is sent on request, to one webhook, whatever it subscribes to). */
export const SUBSCRIBABLE_EVENT_TYPES = EVENT_TYPES.filter((t) => t !== "webhook_test");

/** POST /api/v1/webhooks */
export const createWebhookBody = z
  .object({
    url: z
      .string()
      .trim()
      .min(1, "must not be empty")
      .max(2000, "must be at most 2000 characters")
      .refine((v) => URL.canParse(v), "must be an absolute URL such as https://example.com/hooks/vault"),
    description: z.string().trim().max(200, "must be at most 200 characters").default(""),
    eventTypes: z
      .array(z.enum(SUBSCRIBABLE_EVENT_TYPES as unknown as [string, ...string[]]), {
        error: `must list event types among: ${SUBSCRIBABLE_EVENT_TYPES.join(", ")}`,
      })
      .min(1, "must name at least one event type")
      .transform((types) => [...new Set(types)]),
  })
  .strict();
export type CreateWebhookBody = z.input<typeof createWebhookBody>;

export const deliveryDto = z
  .object({
    id: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    status: z.enum(["pending", "delivered", "failed"]),
    attempts: z.number().int(),
    /** The HTTP status the receiver last answered, or null when it could not be reached. */
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    lastAttemptAt: z.string().nullable(),
    nextAttemptAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .strip();
export type DeliveryDto = z.output<typeof deliveryDto>;

export const webhookDto = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string(),
    eventTypes: z.array(z.string()),
    createdBy: z.string(),
    createdAt: z.string(),
    deliveries: z.object({ pending: z.number().int(), delivered: z.number().int(), failed: z.number().int() }).strip(),
    recent: z.array(deliveryDto),
  })
  .strip();
export type WebhookDto = z.output<typeof webhookDto>;

/** The creation answer: the DTO and, this once, the signing secret. */
export type CreatedWebhook = { webhook: WebhookDto; secret: string };

export const webhookIdParams = z.object({ id: z.string().trim().min(1).max(100) }).strict();
