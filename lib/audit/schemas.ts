// The audit log's query and DTO shapes (CONTRACT.md, `GET /api/v1/audit`). Pure: the page's filter
// form and the route share them.
import { z } from "zod";

const optionalText = z
  .string()
  .trim()
  .max(200)
  .optional()
  .transform((v) => (v ? v : undefined));

const optionalInstant = z
  .string()
  .trim()
  .optional()
  .transform((v, ctx) => {
    if (!v) return undefined;
    const d = new Date(v);
    if (Number.isNaN(d.getTime())) {
      ctx.addIssue({ code: "custom", message: "must be a date like 2026-11-24 or 2026-11-24T09:00:00Z" });
      return z.NEVER;
    }
    return d;
  });

export const auditQuery = z
  .object({
    /** Exact action, or a prefix ending in `.` (`delegation.` matches grant and revoke). */
    action: optionalText,
    outcome: z.enum(["success", "failure", "allow", "deny"]).optional(),
    agentId: optionalText,
    actor: optionalText,
    target: optionalText,
    from: optionalInstant,
    to: optionalInstant,
    /** Cursor: only events with a lower sequence number (the next, older page). */
    before: z.coerce.number().int().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    format: z.enum(["json", "jsonl", "csv"]).default("json"),
  })
  .strict();

export type AuditQuery = z.output<typeof auditQuery>;

export const auditEventDto = z
  .object({
    seq: z.number(),
    at: z.string(),
    action: z.string(),
    outcome: z.string(),
    actorArn: z.string().nullable(),
    agentId: z.string().nullable(),
    agentName: z.string().nullable(),
    target: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    prevHash: z.string(),
    hash: z.string(),
  })
  .strip();

export type AuditEventDto = z.output<typeof auditEventDto>;
