// The outgoing event types and their versioned JSON Schemas (draft 2020-12), served at
// GET /api/v1/event-schemas and met by every webhook delivery (lib/events/from-audit.ts builds the
// bodies, lib/events/schemas.test.ts proves they validate). Pure data: nothing here reads or writes.
// Every event is one envelope (id, type, version, time, tenant, audit sequence number) around a
// `data` object whose fields are named ids, names, scopes, outcomes and timestamps and nothing else:
// each `data` schema forbids additional properties, so a token or a request's content has no place.
// A change to a type's fields is a new version number, never an edit of a published one.
import { RECONNECT_WARNINGS_DAYS } from "@/lib/connections/lifecycle";

export const EVENT_TYPES = [
  "token_exchange",
  "token_exchange_request",
  "token_exchange_response",
  "connected_account_link",
  "connected_account_unlink",
  "connected_account_usage",
  "connected_account_reconnect_warning",
  "connected_account_needs_reconnect",
  "agent_identity_delegation",
  "alert",
  "approval",
  "webhook_test",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const EVENT_SCHEMA_VERSION = 1;

type JsonSchema = Record<string, unknown>;

const id = { type: "string", minLength: 1, maxLength: 200 };
const text = { type: ["string", "null"], maxLength: 300 };
const nullableId = { type: ["string", "null"], maxLength: 200 };
const instant = { type: ["string", "null"], format: "date-time" };
const scopes = { type: "array", items: { type: "string", maxLength: 200 }, maxItems: 100 };
const outcome = { enum: ["success", "failure", "allow", "deny"] };

const DATA: Record<EventType, { description: string; properties: Record<string, JsonSchema> }> = {
  token_exchange: {
    description: "An agent exchanged a delegation for a vault access token (RFC 8693), or was refused.",
    properties: { agentId: id, agentName: text, delegationId: nullableId, userArn: nullableId, outcome, scopes, error: text, code: text },
  },
  token_exchange_request: {
    description: "What an agent asked for in a token exchange: the delegation and the scopes.",
    properties: { agentId: id, agentName: text, delegationId: nullableId, requestedScopes: { ...scopes, type: ["array", "null"] }, clientAuth: text },
  },
  token_exchange_response: {
    description: "What the vault answered a token exchange: granted scopes and expiry, or the refusal's code. Never the token.",
    properties: { agentId: id, delegationId: nullableId, outcome, grantedScopes: scopes, expiresAt: instant, error: text, code: text },
  },
  connected_account_link: {
    description: "A person connected (or reconnected) a third-party account, or the attempt failed.",
    properties: { connectionId: nullableId, provider: text, account: text, userArn: nullableId, scopes, reconnected: { type: "boolean" }, outcome, code: text },
  },
  connected_account_unlink: {
    description: "A person disconnected a third-party account; its delegations were revoked with it.",
    properties: {
      connectionId: id,
      provider: text,
      account: text,
      userArn: nullableId,
      delegationsRevoked: { type: "integer", minimum: 0 },
      revokedAtProvider: { type: ["boolean", "null"] },
    },
  },
  connected_account_usage: {
    description: "An agent acted on a connected account through the vault (a tool or a proxied call). Never the request or the answer.",
    properties: {
      connectionId: nullableId,
      provider: text,
      agentId: nullableId,
      agentName: text,
      delegationId: nullableId,
      userArn: nullableId,
      kind: { enum: ["tool", "proxy"] },
      tool: text,
      method: text,
      status: { type: ["integer", "null"] },
      outcome,
      code: text,
      channel: text,
    },
  },
  connected_account_reconnect_warning: {
    description:
      "A connection's refresh token stops working at reconnectBy: its owner should connect the account again. Sent once 7 days and once 1 day before (daysLeft), again after a reconnect moves reconnectBy.",
    properties: {
      connectionId: id,
      provider: text,
      account: text,
      userArn: nullableId,
      reconnectBy: instant,
      daysLeft: { enum: [...RECONNECT_WARNINGS_DAYS] },
    },
  },
  connected_account_needs_reconnect: {
    description: "A connection's refresh token reached the end of its lifetime: it needs reconnecting before agents can use it again.",
    properties: {
      connectionId: id,
      provider: text,
      userArn: nullableId,
      reconnectBy: instant,
      reason: { enum: ["lifetime_ended"] },
    },
  },
  agent_identity_delegation: {
    description: "A person granted an agent a delegation on one of their connections, or it was revoked.",
    properties: {
      delegationId: id,
      operation: { enum: ["granted", "revoked"] },
      agentId: nullableId,
      agentName: text,
      connectionId: nullableId,
      provider: text,
      userArn: nullableId,
      scopes,
      tools: scopes,
      expiresAt: instant,
    },
  },
  alert: {
    description: "A detector opened or updated an alert, or an enforcement acted on one.",
    properties: {
      action: { type: "string", pattern: "^containment\\.[a-z_]+$" },
      alertId: nullableId,
      agentId: nullableId,
      agentName: text,
      kind: text,
      severity: text,
      status: text,
      enforcement: text,
      outcome,
    },
  },
  approval: {
    description: "An action waiting for a person's approval was requested, decided, expired or used.",
    properties: {
      approvalId: nullableId,
      status: { enum: ["requested", "approved", "denied", "expired", "used"] },
      agentId: nullableId,
      agentName: text,
      delegationId: nullableId,
      userArn: nullableId,
      outcome,
      expiresAt: instant,
    },
  },
  webhook_test: {
    description: "Sent by the portal's 'Send test event' button: proves the URL receives and verifies deliveries.",
    properties: { webhookId: id, message: { type: "string", maxLength: 300 } },
  },
};

/** The published JSON Schema of one event type at the current version. */
export function eventSchema(type: EventType): JsonSchema {
  const { description, properties } = DATA[type];
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: `urn:token-vault:event:${type}:v${EVENT_SCHEMA_VERSION}`,
    title: type,
    description,
    type: "object",
    additionalProperties: false,
    required: ["id", "type", "version", "occurredAt", "tenantId", "auditSeq", "data"],
    properties: {
      id: {
        type: "string",
        minLength: 1,
        maxLength: 300,
        description: "Unique per event; the same on every retry of a delivery, so receivers can drop duplicates.",
      },
      type: { const: type },
      version: { const: EVENT_SCHEMA_VERSION },
      occurredAt: { type: "string", format: "date-time" },
      tenantId: id,
      auditSeq: { type: ["integer", "null"], minimum: 1, description: "The audit event this was made from (GET /api/v1/audit), or null." },
      data: { type: "object", additionalProperties: false, required: Object.keys(properties), properties },
    },
  };
}

export function eventSchemas(): Array<{ type: EventType; version: number; schema: JsonSchema }> {
  return EVENT_TYPES.map((type) => ({ type, version: EVENT_SCHEMA_VERSION, schema: eventSchema(type) }));
}
