import "server-only";
// Turns the audit log into webhook deliveries. The audit log is the source of every outgoing event
// (lib/events/from-audit.ts maps actions to event types), and each webhook keeps a cursor: the
// tenant's last audit sequence number already offered to it. One pass reads, per webhook behind the
// tenant's head, the audit rows after its cursor, writes a delivery per subscribed event into the
// outbox and moves the cursor, in one transaction under the webhook row's lock, so a crash loses
// nothing (the cursor did not move) and two portal instances never fan out the same row twice (the
// second finds the cursor moved; (webhookId, eventId) is unique besides). Agent actions pay nothing:
// this runs in the delivery worker, not in the audit writer. Touches AuditEvent, AuditHead, Agent
// (names), Webhook and WebhookDelivery.
import { randomUUID } from "node:crypto";

import { getDb } from "@/lib/db";
import { buildEvents, type AuditRowForEvents } from "@/lib/events/from-audit";
import { Prisma } from "@/lib/generated/prisma/client";

/** Audit rows read per webhook per pass; a longer backlog is worked off over the next passes. */
export const PUMP_BATCH = 200;

type Behind = { id: string; tenantId: string; cursorSeq: number };

/** One pass over every webhook whose tenant's log moved past its cursor; answers how many deliveries it queued. */
export async function pumpAuditEvents(batch = PUMP_BATCH): Promise<number> {
  const db = await getDb();
  // Idle cost: this one indexed join.
  const behind = await db.$queryRaw<Behind[]>(Prisma.sql`
    SELECT w."id", w."tenantId", w."cursorSeq" FROM "Webhook" w JOIN "AuditHead" h ON h."tenantId" = w."tenantId" WHERE h."seq" > w."cursorSeq"`);
  let queued = 0;
  for (const hook of behind) queued += await pumpOne(hook.id, batch);
  return queued;
}

async function pumpOne(webhookId: string, batch: number): Promise<number> {
  const db = await getDb();
  return db.$transaction(async (tx) => {
    const [hook] = await tx.$queryRaw<Array<{ tenantId: string; cursorSeq: number; eventTypes: string[] }>>(
      Prisma.sql`SELECT "tenantId", "cursorSeq", "eventTypes" FROM "Webhook" WHERE "id" = ${webhookId} FOR UPDATE`,
    );
    if (!hook) return 0; // deleted meanwhile
    const rows: AuditRowForEvents[] = await tx.auditEvent.findMany({
      where: { tenantId: hook.tenantId, seq: { gt: hook.cursorSeq } },
      orderBy: { seq: "asc" },
      take: batch,
      select: { id: true, tenantId: true, seq: true, at: true, action: true, outcome: true, actorArn: true, agentId: true, target: true, details: true },
    });
    if (rows.length === 0) return 0;
    const subscribed = new Set(hook.eventTypes);
    const agentIds = [...new Set(rows.map((r) => r.agentId).filter((a): a is string => !!a))];
    const agents = agentIds.length
      ? await tx.agent.findMany({ where: { tenantId: hook.tenantId, id: { in: agentIds } }, select: { id: true, name: true } })
      : [];
    const names = new Map(agents.map((a) => [a.id, a.name]));
    const events = rows.flatMap((r) => buildEvents(r, r.agentId ? (names.get(r.agentId) ?? null) : null)).filter((e) => subscribed.has(e.type));
    if (events.length > 0) {
      await tx.webhookDelivery.createMany({
        // Due now, by this process's clock (the one the claim compares with), not the database session's.
        data: events.map((e) => ({ id: randomUUID(), webhookId, eventId: e.id, eventType: e.type, body: JSON.stringify(e), nextAttemptAt: new Date() })),
        skipDuplicates: true,
      });
    }
    await tx.webhook.update({ where: { id: webhookId }, data: { cursorSeq: rows[rows.length - 1]!.seq } });
    return events.length;
  });
}
