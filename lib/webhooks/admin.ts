import "server-only";
// The tenant administrators' webhooks (GET|POST /api/v1/webhooks, DELETE /api/v1/webhooks/{id},
// POST /api/v1/webhooks/{id}/test): create (the URL checked against SSRF, the secret generated and
// sealed by lib/vault and returned this once), list with each one's delivery counts and recent
// deliveries (never the secret), delete, and queue a test event. Every change is audited in the same
// transaction. Touches the Webhook and WebhookDelivery tables and the audit log; checks the caller
// is an administrator of the tenant in every function.
import { randomUUID } from "node:crypto";

import { appendAudit } from "@/lib/audit/append";
import { getDb } from "@/lib/db";
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import { testEvent } from "@/lib/events/from-audit";
import type { Person } from "@/lib/tenancy/people";
import { insertWebhookWithSecret } from "@/lib/vault/webhook-secrets";

import { checkWebhookUrl } from "./destination";
import { createWebhookBody, deliveryDto, webhookDto, type CreatedWebhook, type DeliveryDto, type WebhookDto } from "./schemas";
import { nudgeWebhookWorker } from "./worker";
import type { z } from "zod";

const RECENT = 10;

function adminOnly(person: Person): void {
  if (person.role !== "admin") throw new ForbiddenError("Only an administrator of your organisation can manage webhooks.");
}

type DeliveryRow = {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastAttemptAt: Date | null;
  nextAttemptAt: Date;
  createdAt: Date;
};

export function toDeliveryDto(r: DeliveryRow): DeliveryDto {
  return deliveryDto.parse({
    ...r,
    lastAttemptAt: r.lastAttemptAt?.toISOString() ?? null,
    nextAttemptAt: r.status === "pending" ? r.nextAttemptAt.toISOString() : null,
    createdAt: r.createdAt.toISOString(),
  });
}

const DELIVERY_SELECT = {
  id: true,
  eventId: true,
  eventType: true,
  status: true,
  attempts: true,
  lastStatusCode: true,
  lastError: true,
  lastAttemptAt: true,
  nextAttemptAt: true,
  createdAt: true,
} as const;

export async function listWebhooks(person: Person): Promise<WebhookDto[]> {
  adminOnly(person);
  const db = await getDb();
  const rows = await db.webhook.findMany({
    where: { tenantId: person.tenantId },
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      url: true,
      description: true,
      eventTypes: true,
      createdBy: true,
      createdAt: true,
      deliveries: { orderBy: { createdAt: "desc" }, take: RECENT, select: DELIVERY_SELECT },
    },
  });
  const counts = rows.length
    ? await db.webhookDelivery.groupBy({ by: ["webhookId", "status"], where: { webhookId: { in: rows.map((r) => r.id) } }, _count: { _all: true } })
    : [];
  return rows.map((r) => {
    const deliveries = { pending: 0, delivered: 0, failed: 0 };
    for (const c of counts) if (c.webhookId === r.id) deliveries[c.status] = c._count._all;
    return webhookDto.parse({ ...r, createdAt: r.createdAt.toISOString(), deliveries, recent: r.deliveries.map(toDeliveryDto) });
  });
}

export async function createWebhook(person: Person, body: z.output<typeof createWebhookBody>): Promise<CreatedWebhook> {
  adminOnly(person);
  const url = await checkWebhookUrl(body.url);
  const db = await getDb();
  const id = randomUUID();
  const secret = await db.$transaction(async (tx) => {
    // Only the URL's origin is recorded: some receivers put their own secret in the path.
    const written = await appendAudit(tx, {
      tenantId: person.tenantId,
      actorArn: person.arn,
      action: "webhook.create",
      outcome: "success",
      target: id,
      details: { origin: url.origin, eventTypes: body.eventTypes },
    });
    // Events from here on: the webhook is offered nothing that happened before it existed.
    return insertWebhookWithSecret(tx, {
      id,
      tenantId: person.tenantId,
      url: url.toString(),
      description: body.description,
      eventTypes: body.eventTypes,
      cursorSeq: written.seq,
      createdBy: person.arn,
    });
  });
  const webhook = (await listWebhooks(person)).find((w) => w.id === id)!;
  return { webhook, secret };
}

export async function deleteWebhook(person: Person, id: string): Promise<void> {
  adminOnly(person);
  const db = await getDb();
  await db.$transaction(async (tx) => {
    const { count } = await tx.webhook.deleteMany({ where: { id, tenantId: person.tenantId } });
    if (count === 0) throw new NotFoundError("No webhook with this id exists in your organisation: it may have been deleted already.", "webhook_not_found");
    await appendAudit(tx, { tenantId: person.tenantId, actorArn: person.arn, action: "webhook.delete", outcome: "success", target: id });
  });
}

/** Queues a webhook_test event for this webhook alone and wakes the worker; answers the queued delivery. */
export async function sendTestEvent(person: Person, id: string): Promise<DeliveryDto> {
  adminOnly(person);
  const db = await getDb();
  const hook = await db.webhook.findFirst({ where: { id, tenantId: person.tenantId }, select: { id: true } });
  if (!hook) throw new NotFoundError("No webhook with this id exists in your organisation: create it first, or reload the page.", "webhook_not_found");
  const event = testEvent(person.tenantId, id, new Date(), randomUUID());
  const row = await db.webhookDelivery.create({
    data: { id: randomUUID(), webhookId: id, eventId: event.id, eventType: event.type, body: JSON.stringify(event), nextAttemptAt: new Date() },
    select: DELIVERY_SELECT,
  });
  nudgeWebhookWorker();
  return toDeliveryDto(row);
}
