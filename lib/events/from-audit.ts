// The one place audit actions become outgoing events: AUDIT_EVENT_MAP names, per audit action,
// which event types it produces, and buildEvents() fills each event's `data` from
// the audit row by picking named fields only (ids, names, scopes, outcomes, timestamps), never by
// copying `details`, so nothing the row carries beyond those fields can reach a webhook. Pure: the
// delivery pump (lib/webhooks/pump.ts) reads the rows and agent names and hands them in.
import { RECONNECT_WARNINGS_DAYS } from "@/lib/connections/lifecycle";

import { EVENT_SCHEMA_VERSION, type EventType } from "./schemas";

export type AuditRowForEvents = {
  id: string;
  tenantId: string;
  seq: number;
  at: Date;
  action: string;
  outcome: string;
  actorArn: string | null;
  agentId: string | null;
  target: string | null;
  details: unknown;
};

export type VaultEvent = {
  id: string;
  type: EventType;
  version: number;
  occurredAt: string;
  tenantId: string;
  auditSeq: number | null;
  data: Record<string, unknown>;
};

/** The audit actions that produce events, each with the types it produces; an action not named here produces none. */
export const AUDIT_EVENT_MAP: Readonly<Record<string, readonly EventType[]>> = {
  "token.exchange": ["token_exchange_request", "token_exchange_response", "token_exchange"],
  "connection.connect": ["connected_account_link"],
  "connection.reconnect": ["connected_account_link"],
  "connection.disconnect": ["connected_account_unlink"],
  "connection.reconnect_warning": ["connected_account_reconnect_warning"],
  "connection.lifetime_ended": ["connected_account_needs_reconnect"],
  "action.tool": ["connected_account_usage"],
  "action.proxy": ["connected_account_usage"],
  "delegation.grant": ["agent_identity_delegation"],
  "delegation.revoke": ["agent_identity_delegation"],
  // The containment audit actions (lib/containment): an alert opened or fired again, acknowledged,
  // resolved, and each enforcement (applied, in dry run, waiting for or decided by an administrator).
  "containment.alert": ["alert"],
  "containment.alert_acknowledge": ["alert"],
  "containment.alert_resolve": ["alert"],
  "containment.enforce": ["alert"],
  "approval.requested": ["approval"],
  "approval.approved": ["approval"],
  "approval.denied": ["approval"],
  "approval.expired": ["approval"],
  "approval.used": ["approval"],
};

export function eventTypesOf(action: string): readonly EventType[] {
  return Object.hasOwn(AUDIT_EVENT_MAP, action) ? AUDIT_EVENT_MAP[action]! : [];
}

type Details = Record<string, unknown>;
const MAX = 300;
const str = (d: Details, k: string): string | null => (typeof d[k] === "string" ? (d[k] as string).slice(0, MAX) : null);
const bool = (d: Details, k: string): boolean | null => (typeof d[k] === "boolean" ? (d[k] as boolean) : null);
const int = (d: Details, k: string): number | null => (Number.isInteger(d[k]) ? (d[k] as number) : null);
const instant = (d: Details, k: string): string | null => {
  const v = str(d, k);
  return v && !Number.isNaN(Date.parse(v)) ? new Date(v).toISOString() : null;
};
/** Scopes stored as an array or as a space-separated string; null when the row has none. */
function scopeList(d: Details, k: string): string[] | null {
  const v = d[k];
  if (Array.isArray(v))
    return v
      .filter((s): s is string => typeof s === "string")
      .map((s) => s.slice(0, 200))
      .slice(0, 100);
  if (typeof v === "string") return v.split(/\s+/).filter(Boolean).slice(0, 100);
  return null;
}
const OUTCOMES = new Set(["success", "failure", "allow", "deny"]);

function dataFor(type: EventType, row: AuditRowForEvents, d: Details, agentName: string | null): Record<string, unknown> {
  const outcome = OUTCOMES.has(row.outcome) ? row.outcome : "failure";
  const agent = { agentId: row.agentId, agentName };
  switch (type) {
    case "token_exchange":
      return {
        agentId: row.agentId ?? "unknown",
        agentName,
        delegationId: row.target,
        userArn: row.actorArn,
        outcome,
        scopes: scopeList(d, "scope") ?? [],
        error: str(d, "error"),
        code: str(d, "code"),
      };
    case "token_exchange_request":
      return {
        agentId: row.agentId ?? "unknown",
        agentName,
        delegationId: row.target,
        requestedScopes: outcome === "success" ? null : scopeList(d, "scope"),
        clientAuth: str(d, "clientAuth"),
      };
    case "token_exchange_response":
      return {
        agentId: row.agentId ?? "unknown",
        delegationId: row.target,
        outcome,
        grantedScopes: outcome === "success" ? (scopeList(d, "scope") ?? []) : [],
        expiresAt: outcome === "success" ? instant(d, "expiresAt") : null,
        error: str(d, "error"),
        code: str(d, "code"),
      };
    case "connected_account_link":
      return {
        connectionId: outcome === "success" ? row.target : null,
        provider: str(d, "provider") ?? (outcome === "success" ? null : row.target),
        account: str(d, "account"),
        userArn: row.actorArn,
        scopes: scopeList(d, "scopes") ?? [],
        reconnected: row.action === "connection.reconnect",
        outcome,
        code: str(d, "code"),
      };
    case "connected_account_unlink":
      return {
        connectionId: row.target ?? "unknown",
        provider: str(d, "provider"),
        account: str(d, "account"),
        userArn: row.actorArn,
        delegationsRevoked: Math.max(0, int(d, "delegationsRevoked") ?? 0),
        revokedAtProvider: bool(d, "revokedAtProvider"),
      };
    case "connected_account_reconnect_warning":
      return {
        connectionId: row.target ?? "unknown",
        provider: str(d, "provider"),
        account: str(d, "account"),
        userArn: row.actorArn,
        reconnectBy: instant(d, "reconnectBy"),
        daysLeft: RECONNECT_WARNINGS_DAYS.find((n) => n === int(d, "daysLeft")) ?? RECONNECT_WARNINGS_DAYS[0],
      };
    case "connected_account_needs_reconnect":
      return {
        connectionId: row.target ?? "unknown",
        provider: str(d, "provider"),
        userArn: row.actorArn,
        reconnectBy: instant(d, "reconnectBy"),
        reason: "lifetime_ended",
      };
    case "connected_account_usage":
      return {
        connectionId: str(d, "connectionId"),
        provider: str(d, "provider"),
        ...agent,
        delegationId: row.target,
        userArn: row.actorArn,
        kind: row.action === "action.tool" ? "tool" : "proxy",
        tool: str(d, "tool"),
        method: str(d, "method"),
        status: int(d, "status"),
        outcome,
        code: str(d, "code"),
        channel: str(d, "channel"),
      };
    case "agent_identity_delegation":
      return {
        delegationId: row.target ?? "unknown",
        operation: row.action === "delegation.revoke" ? "revoked" : "granted",
        ...agent,
        connectionId: str(d, "connectionId"),
        provider: str(d, "provider"),
        userArn: row.action === "delegation.revoke" ? (str(d, "ownerArn") ?? row.actorArn) : row.actorArn,
        scopes: scopeList(d, "scopes") ?? [],
        tools: scopeList(d, "tools") ?? [],
        expiresAt: instant(d, "expiresAt"),
      };
    case "alert":
      return {
        action: row.action.slice(0, 100),
        alertId: str(d, "alertId") ?? row.target,
        ...agent,
        kind: str(d, "kind"),
        severity: str(d, "severity"),
        status: str(d, "status"),
        // An enforcement's row names what it did (suspend, rate_limit...) in `action`.
        enforcement: row.action === "containment.enforce" ? str(d, "action") : null,
        outcome,
      };
    case "approval":
      return {
        approvalId: str(d, "approvalId") ?? row.target,
        status: row.action.slice("approval.".length),
        ...agent,
        delegationId: str(d, "delegationId"),
        userArn: row.actorArn,
        outcome,
        expiresAt: instant(d, "expiresAt"),
      };
    case "webhook_test":
      return { webhookId: row.target ?? "unknown", message: "A test event from the token vault." };
  }
}

/** The events one audit row produces, in AUDIT_EVENT_MAP's order; none for actions nobody subscribes to. */
export function buildEvents(row: AuditRowForEvents, agentName: string | null = null): VaultEvent[] {
  const details = row.details && typeof row.details === "object" && !Array.isArray(row.details) ? (row.details as Details) : {};
  return eventTypesOf(row.action).map((type) => ({
    id: `evt_${row.id}_${type}`,
    type,
    version: EVENT_SCHEMA_VERSION,
    occurredAt: row.at.toISOString(),
    tenantId: row.tenantId,
    auditSeq: row.seq,
    data: dataFor(type, row, details, agentName),
  }));
}

/** The event the "Send test event" button sends. */
export function testEvent(tenantId: string, webhookId: string, now: Date, nonce: string): VaultEvent {
  return {
    id: `evt_test_${nonce}`,
    type: "webhook_test",
    version: EVENT_SCHEMA_VERSION,
    occurredAt: now.toISOString(),
    tenantId,
    auditSeq: null,
    data: { webhookId, message: "A test event from the token vault: your endpoint received and can verify deliveries." },
  };
}
