// The audit-to-event mapping: every mapped action (as the vault writes it today, and the alert and
// approval actions other parts add) builds events that validate against their published schemas,
// and nothing of an audit row beyond the named fields reaches an event: a token, a secret or a
// request's content planted in `details` is never in the body.
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";

import { AUDIT_EVENT_MAP, buildEvents, eventTypesOf, type AuditRowForEvents } from "./from-audit";
import { EVENT_TYPES, eventSchemas } from "./schemas";

const ajv = new Ajv2020({ strict: true, allErrors: true });
(addFormatsModule as unknown as (a: Ajv2020) => void)(ajv);
const validators = new Map(eventSchemas().map((s) => [s.type, ajv.compile(s.schema)]));

const PLANTED = {
  accessToken: "gho_planted-access-token",
  refresh_token: "planted-refresh",
  client_secret: "planted-secret",
  body: "planted body",
  query: "?q=planted",
};
const at = new Date("2026-12-03T12:00:00Z");
const row = (action: string, outcome: string, details: Record<string, unknown>, extra: Partial<AuditRowForEvents> = {}): AuditRowForEvents => ({
  id: "ae-1",
  tenantId: "acme",
  seq: 7,
  at,
  action,
  outcome,
  actorArn: "auth:account:acme:alice",
  agentId: "agent-1",
  target: "target-1",
  details: { ...details, ...PLANTED },
  ...extra,
});

// One row per mapped action, with the details the vault writes for it.
const ROWS: AuditRowForEvents[] = [
  row("token.exchange", "success", { clientAuth: "client_secret_basic", scope: "tasks.read tasks.write", tokenId: "jti-1", expiresAt: at.toISOString() }),
  row(
    "token.exchange",
    "failure",
    { clientAuth: "client_secret_post", error: "invalid_scope", code: "scope_not_delegated", scope: "admin" },
    { actorArn: null },
  ),
  row("connection.connect", "success", { provider: "demo-tasks", account: "alice@demo", scopes: ["tasks.read"] }, { agentId: null }),
  row("connection.connect", "failure", { code: "state_expired", reason: "The sign-in took too long." }, { agentId: null, target: "github" }),
  row("connection.reconnect", "success", { provider: "github", account: "alice", scopes: ["repo"] }, { agentId: null }),
  row("connection.disconnect", "success", { provider: "github", account: "alice", revokedAtProvider: true, delegationsRevoked: 2 }, { agentId: null }),
  row(
    "connection.reconnect_warning",
    "success",
    { provider: "microsoft", account: "alice@contoso", reconnectBy: at.toISOString(), daysLeft: 7 },
    { agentId: null, target: "c1" },
  ),
  row(
    "connection.reconnect_warning",
    "success",
    { provider: "microsoft", account: "alice@contoso", reconnectBy: at.toISOString(), daysLeft: 1 },
    { agentId: null, target: "c1" },
  ),
  row(
    "connection.lifetime_ended",
    "failure",
    {
      provider: "microsoft",
      reconnectBy: at.toISOString(),
      code: "connection_needs_reconnect",
      reason: "Microsoft stops honouring this connection's refresh token.",
    },
    { agentId: null, target: "c1" },
  ),
  row("action.tool", "success", {
    provider: "demo-tasks",
    connectionId: "c1",
    tool: "demo-tasks.list_tasks",
    method: "GET",
    path: "/tasks",
    status: 200,
    channel: "rest",
  }),
  row("action.proxy", "failure", {
    provider: "github",
    connectionId: "c1",
    method: "POST",
    path: "/repos/x",
    status: 502,
    code: "provider_error",
    channel: "mcp",
  }),
  row("delegation.grant", "success", {
    connectionId: "c1",
    provider: "demo-tasks",
    scopes: ["tasks.read"],
    tools: ["demo-tasks.list_tasks"],
    expiresAt: at.toISOString(),
  }),
  row("delegation.revoke", "success", { connectionId: "c1", provider: "demo-tasks", ownerArn: "auth:account:acme:alice", byAdministrator: true }),
  row("containment.alert", "success", { alertId: "alr-1", kind: "scope_escalation", severity: "high", status: "open" }),
  row("containment.alert_acknowledge", "success", { alertId: "alr-1", kind: "scope_escalation", severity: "high", status: "acknowledged" }),
  row("containment.enforce", "success", { alertId: "alr-1", kind: "exchange_velocity", severity: "high", action: "suspend", status: "applied" }),
  ...["requested", "approved", "denied", "expired", "used"].map((s) => row(`approval.${s}`, "success", { delegationId: "d1", expiresAt: at.toISOString() })),
];

describe("audit actions to events", () => {
  it("maps every action to event types that exist, and each of the eleven subscribable types has a source", () => {
    const produced = new Set(Object.values(AUDIT_EVENT_MAP).flat());
    for (const t of produced) expect(EVENT_TYPES).toContain(t);
    expect([...produced].sort()).toEqual(EVENT_TYPES.filter((t) => t !== "webhook_test").sort());
    expect(eventTypesOf("containment.enforce")).toEqual(["alert"]);
    expect(eventTypesOf("pdp.decision")).toEqual([]);
    expect(eventTypesOf("webhook.create")).toEqual([]);
  });

  it.each(ROWS.map((r) => [`${r.action} (${r.outcome})`, r] as const))("%s builds events that validate and carry nothing planted", (_, r) => {
    const events = buildEvents(r, "Planner");
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      const validate = validators.get(e.type)!;
      expect(validate(e), `${e.type}: ${JSON.stringify(validate.errors)}`).toBe(true);
      const text = JSON.stringify(e);
      for (const v of Object.values(PLANTED)) expect(text).not.toContain(v);
      expect(text).not.toContain("jti-1");
      expect(text).not.toContain("/repos/x");
      expect(e).toMatchObject({ tenantId: "acme", auditSeq: 7, occurredAt: at.toISOString(), version: 1 });
    }
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it("names outcomes, scopes and the delegation's side as they were", () => {
    const [request, response, summary] = buildEvents(ROWS[0]!, "Planner");
    expect(request!.data).toMatchObject({ agentName: "Planner", delegationId: "target-1", requestedScopes: null, clientAuth: "client_secret_basic" });
    expect(response!.data).toMatchObject({ outcome: "success", grantedScopes: ["tasks.read", "tasks.write"], expiresAt: at.toISOString() });
    expect(summary!.data).toMatchObject({ outcome: "success", userArn: "auth:account:acme:alice" });
    const [refused] = buildEvents(ROWS[1]!).filter((e) => e.type === "token_exchange_response");
    expect(refused!.data).toMatchObject({ outcome: "failure", grantedScopes: [], error: "invalid_scope", code: "scope_not_delegated" });
    const revoke = buildEvents(ROWS[12]!)[0]!;
    expect(revoke.data).toMatchObject({ operation: "revoked", userArn: "auth:account:acme:alice" });
    expect(buildEvents(ROWS[15]!)[0]!.data).toMatchObject({ action: "containment.enforce", enforcement: "suspend", alertId: "alr-1" });
    expect(buildEvents(ROWS[17]!)[0]!.data).toMatchObject({ status: "approved", approvalId: "target-1" });
    const [soon, urgent, ended] = ROWS.filter((r) => r.action === "connection.reconnect_warning" || r.action === "connection.lifetime_ended").map(
      (r) => buildEvents(r)[0]!,
    );
    expect(soon).toMatchObject({ type: "connected_account_reconnect_warning", data: { daysLeft: 7, reconnectBy: at.toISOString(), connectionId: "c1" } });
    expect(urgent!.data).toMatchObject({ daysLeft: 1, provider: "microsoft", account: "alice@contoso", userArn: "auth:account:acme:alice" });
    expect(ended).toMatchObject({ type: "connected_account_needs_reconnect", data: { reason: "lifetime_ended", connectionId: "c1", provider: "microsoft" } });
  });
});
