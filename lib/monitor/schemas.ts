// The status DTO (CONTRACT.md, `GET /api/v1/status`). Pure: the route, the OpenAPI document and tests
// share it. Every figure is a count or a state; no field can carry a credential or a token.
import { z } from "zod";

const count = z.number().int().min(0);

export const ALERT_KINDS = [
  "connection_needs_reconnect",
  "connection_failing",
  "agent_denials",
  "audit_chain_broken",
  "signing_keys",
  "refresh_engine_failed",
] as const;
export const ALERT_SEVERITIES = ["critical", "warning", "info"] as const;

export const alertDto = z
  .object({
    kind: z.enum(ALERT_KINDS),
    severity: z.enum(ALERT_SEVERITIES),
    /** A sentence: what is wrong and what to do next. */
    message: z.string(),
    /** When the problem started, as far as the vault knows (ISO 8601), or null when unknown. */
    since: z.string().nullable(),
    /** What the alert is about: a connection, an agent, or a part of the vault itself. */
    subject: z.object({ type: z.enum(["connection", "agent", "vault"]), id: z.string().nullable() }).strip(),
  })
  .strip();
export type AlertDto = z.output<typeof alertDto>;

const outcomeCounts = z.object({ success: count, failure: count }).strip();

export const statusDto = z
  .object({
    tenantId: z.string(),
    /** admin: everything in the tenant; agent: tenant-wide counts, and alerts about the agent's own grants and the vault. */
    view: z.enum(["admin", "agent"]),
    generatedAt: z.string(),
    /** Token exchanges (RFC 8693) since the tenant's audit log began, by the delegation's provider ("unknown" when the subject named no delegation). */
    exchanges: z.object({ total: count, success: count, failure: count, byProvider: z.record(z.string(), outcomeCounts) }).strip(),
    /** Connections not disconnected, by status. */
    connectedAccounts: z
      .object({
        total: count,
        byStatus: z.object({ active: count, refreshing: count, degraded: count, needs_reconnect: count }).strip(),
      })
      .strip(),
    /** authorized: active agents holding at least one live delegation (not revoked, not expired, connection not disconnected). */
    authorizedAgents: z.object({ authorized: count, active: count, suspended: count, total: count }).strip(),
    /** Open alerts, counted by severity too. */
    openAlerts: z.object({ count, bySeverity: z.object({ critical: count, warning: count, info: count }).strip(), alerts: z.array(alertDto) }).strip(),
    refreshEngine: z
      .object({
        running: z.boolean(),
        sweeping: z.boolean(),
        lastRunAt: z.string().nullable(),
        lastRunChecked: count,
        lastRunRefreshed: count,
        lastRunFailed: count,
        lastRunSkipped: count,
        lastRunError: z.string().nullable(),
        nextRunAt: z.string().nullable(),
      })
      .strip(),
  })
  .strip();
export type StatusDto = z.output<typeof statusDto>;
