import "server-only";
// Firing a detector: one statement opens the alert, or, while one of the same kind, agent and
// connection is unresolved, counts the firing on it (its `openKey`), so a storm is one row, not
// thousands. An alert that has just opened is written to the audit log (`containment.alert`) and
// handed to the tenant's enforcement policies (lib/containment/enforce.ts); a repeated firing only
// moves its count and last-seen time. Touches Alert and the audit log.
import { randomUUID } from "node:crypto";

import { submitAudit } from "@/lib/audit/writer";
import { getDb } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { log } from "@/lib/log";

import { enforceAlert } from "./enforce";
import { DETECTORS, type DetectorKind } from "./schemas";

export type AlertInput = {
  tenantId: string;
  kind: DetectorKind;
  agentId: string | null;
  connectionId: string | null;
  message: string;
  details: Record<string, unknown>;
};

export type Raised = { id: string; opened: boolean };

export function openKeyOf(kind: DetectorKind, agentId: string | null, connectionId: string | null): string {
  return `${kind}|${agentId ?? ""}|${connectionId ?? ""}`;
}

/** Opens the alert or counts the firing on the open one; an opened alert is audited and enforced. Never throws. */
export async function raiseAlert(a: AlertInput): Promise<Raised | null> {
  try {
    const db = await getDb();
    const id = randomUUID();
    const severity = DETECTORS[a.kind].severity;
    const details = JSON.stringify(a.details);
    const [row] = await db.$queryRaw<{ id: string }[]>(Prisma.sql`
      INSERT INTO "Alert" ("id", "tenantId", "kind", "severity", "status", "agentId", "connectionId", "openKey", "message", "details")
      VALUES (${id}, ${a.tenantId}, ${a.kind}, ${severity}, 'open', ${a.agentId}, ${a.connectionId}, ${openKeyOf(a.kind, a.agentId, a.connectionId)}, ${a.message}, ${details}::jsonb)
      ON CONFLICT ("tenantId", "openKey") DO UPDATE SET "count" = "Alert"."count" + 1, "lastSeenAt" = CURRENT_TIMESTAMP,
        "message" = EXCLUDED."message", "details" = EXCLUDED."details"
      RETURNING "id"`);
    const opened = row!.id === id;
    if (opened) {
      await submitAudit({
        tenantId: a.tenantId,
        prepare: () => ({
          events: [
            {
              tenantId: a.tenantId,
              action: "containment.alert",
              outcome: "success" as const,
              agentId: a.agentId,
              target: id,
              details: { alertId: id, kind: a.kind, severity, ...(a.connectionId ? { connectionId: a.connectionId } : {}), ...a.details },
            },
          ],
          value: null,
        }),
      });
      const stored = await db.alert.findUnique({ where: { id } });
      if (stored) await enforceAlert(stored);
    }
    return { id: row!.id, opened };
  } catch (err) {
    log.error({ err, tenantId: a.tenantId, kind: a.kind }, "a containment alert could not be stored");
    return null;
  }
}
