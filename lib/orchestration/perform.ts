import "server-only";
// One agent action, the part tools and the raw proxy share (ARCHITECTURE.md, "Flow of one agent
// action"): the facts the caller's token stands on (loaded once, by the bearer check), the
// credential, the upstream request under the provider's API base, the PDP's decision, the one
// provider call, then the outcome's audit event and a signed receipt.
//
// The decision's audit event is the action's write-ahead record: it names what is about to be sent
// and is durable before the provider is called, so a process that dies right after the call still
// left its trace. It is accepted only on the tenant's current policy version; a decision made on
// facts that changed meanwhile comes back stale and is made again on rows read now. The outcome's
// event is durable before the agent gets any data: when it cannot be written the agent gets 503.
// Nothing here ever holds a token; lib/vault decrypts it for the call alone.
import { submitAudit, type WrittenEvent } from "@/lib/audit/writer";
import { observeUsage } from "@/lib/containment/detectors";
import { log } from "@/lib/log";
import { heldBackError, reloadCaller, standingError, type DelegationCaller } from "@/lib/oauth-server/bearer";
import { bearerChallenge } from "@/lib/oauth-server/challenge";
import { decideRecorded } from "@/lib/pdp/evaluate";
import { STANDING_CODES } from "@/lib/pdp/standing";
import type { PdpAction } from "@/lib/pdp/types";
import { getTenantProviderAt } from "@/lib/providers/registry";
import type { ProviderDefinition } from "@/lib/providers/schemas";
import { requestSha256, responseSha256 } from "@/lib/receipts/claims";
import { signReceipt } from "@/lib/receipts/receipt";
import type { HttpMethod } from "@/lib/tools/tool";
import { callProvider, forgetConnectionRow, prefetchConnection, type ConnectionPrefetch, type ProviderCallResponse } from "@/lib/vault/call/provider-call";
import { VaultCallError } from "@/lib/vault/call/errors";

import {
  actionContext,
  resolveCredential,
  serviceAccountFor,
  type ActionConnection,
  type ActionContext,
  type Credential,
  type CredentialKind,
} from "./credential";
import { VaultError } from "@/lib/errors";
import { passApproval } from "@/lib/approvals/gate";
import type { ApprovalRequest } from "@/lib/approvals/request";

export type Channel = "api" | "mcp";
export type ActionOptions = {
  requestId: string;
  channel: Channel;
  /** The approval a retry names (X-Approval-Id, or the MCP call's _meta): it must be this very request's. */
  approvalReference?: string | null;
  /** Set here once the person's approval for this request was used up: the PDP's approval rules are met. */
  approvalId?: string;
};

/** What goes upstream: built per credential, since the API base may depend on the connection's metadata. */
export type UpstreamRequest = {
  method: HttpMethod;
  /** Relative to the provider's API base, without the query: what the PDP and the audit see. */
  path: string;
  url: URL;
  headers: Record<string, string>;
  body?: Buffer;
};

export type BuildRequest = (def: ProviderDefinition, connection: ActionConnection) => UpstreamRequest;

/** A provider call that happened: what is needed to answer, audit and sign. */
export type CompletedCall = {
  ctx: ActionContext;
  credential: Credential;
  action: Extract<PdpAction, { kind: "tool" | "proxy" }>;
  request: UpstreamRequest;
  requestSha256: string;
  response: ProviderCallResponse;
  opts: ActionOptions;
  /** The decision's event: the write-ahead record this call's outcome completes. */
  decision: WrittenEvent;
};

// The person's connection died during the call (refresh refused): the one moment a service account may take over mid-action.
const PERSON_CONNECTION_LOST = new Set(["connection_needs_reconnect", "connection_revoked"]);
// Each retry follows a policy change committed while this call was being decided; more in a row means something is wrong.
const MAX_STALE_RETRIES = 5;

async function buildFor(ctx: ActionContext, credential: Credential, build: BuildRequest): Promise<UpstreamRequest> {
  const provider = await getTenantProviderAt(ctx.caller.tenantId, credential.connection.provider, ctx.caller.facts.policyVersion);
  if (!provider) {
    throw new VaultError(
      409,
      "provider_unavailable",
      `This organisation no longer offers ${credential.connection.provider}: ask an administrator to enable it again.`,
    );
  }
  // Throws a ProxyRequestError: 400 for the request, 409 when the connection's details name no API.
  return build(provider.definition, credential.connection);
}

type Attempt = {
  ctx: ActionContext;
  credential: Credential;
  request: UpstreamRequest;
  requestSha: string;
  prefetched: ConnectionPrefetch;
  credentialVersion: number | null;
};

/** Decides and records the write-ahead event; null when the facts were stale. Throws the refusal. */
async function decide(a: Attempt, action: CompletedCall["action"], opts: ActionOptions): Promise<WrittenEvent | null> {
  const { facts } = a.ctx.caller;
  const recorded = await decideRecorded({
    tenantId: facts.tenantId,
    policyVersion: facts.policyVersion,
    agent: facts.agent,
    delegation: facts.delegation,
    delegationId: facts.delegation.id,
    connection: a.credential.connection,
    ...(a.credential.kind === "service_account" ? { serviceAccount: { id: a.credential.connection.id } } : {}),
    action,
    actorArn: a.ctx.caller.userArn,
    requestId: opts.requestId,
    standingFirst: true,
    approved: opts.approvalId !== undefined,
    // The row the call will use must still be the one read: a refresh or disconnect since sends it back.
    ...(a.credentialVersion !== null ? { credentials: [{ connectionId: a.credential.connection.id, version: a.credentialVersion }] } : {}),
    record: {
      connectionId: a.credential.connection.id,
      provider: a.credential.connection.provider,
      request_sha256: a.requestSha,
      channel: opts.channel,
      ...(opts.approvalId ? { approvalId: opts.approvalId } : {}),
    },
  }).catch((e: unknown) => {
    log.error({ err: e, requestId: opts.requestId, delegationId: facts.delegation.id }, "could not record a decision; the action is refused");
    throw auditUnavailable();
  });
  if (recorded.status === "stale") {
    for (const id of recorded.changedConnections ?? []) forgetConnectionRow(id);
    return null;
  }
  const { decision } = recorded;
  if (decision.decision === "allow") return recorded.event;
  // A token whose delegation or agent no longer stands is refused as a token (401), like the bearer check does.
  if (STANDING_CODES.has(decision.code)) throw standingError(decision.code);
  if (decision.code === "agent_rate_limited") throw heldBackError(decision.reason, decision.retryAfter);
  // `approval_required` reaches performCall, which asks the person (202) unless the caller has no request to show them.
  const detail = decision.reason;
  // A grant that lacks a tool or a scope is a token that is not enough (RFC 6750 §3.1): say what is missing.
  const headers = decision.missing
    ? { "www-authenticate": bearerChallenge({ code: "insufficient_scope", description: detail, scope: decision.missing }) }
    : undefined;
  throw new VaultError(403, decision.code, detail, { layer: decision.layer }, { headers });
}

async function prepare(caller: DelegationCaller, credential: Credential | null, build: BuildRequest): Promise<Attempt> {
  const ctx = actionContext(caller);
  const chosen = credential ?? (await resolveCredential(ctx));
  const request = await buildFor(ctx, chosen, build);
  // Read while the decision is recorded: the two are independent, and only an allowed call decrypts.
  const prefetched = prefetchConnection(ctx.caller.tenantId, chosen.connection.id);
  return {
    ctx,
    credential: chosen,
    request,
    requestSha: requestSha256(request.method, request.url, request.body),
    prefetched,
    credentialVersion: await prefetched.version,
  };
}

/** Prepares and decides until the decision rests on current facts; returns the allowed attempt. */
async function decided(
  caller: DelegationCaller,
  credential: Credential | null,
  action: CompletedCall["action"],
  build: BuildRequest,
  opts: ActionOptions,
): Promise<Attempt & { decision: WrittenEvent }> {
  let current = caller;
  for (let attempt = 0; ; attempt++) {
    const a = await prepare(current, credential, build);
    const decision = await decide(a, action, opts);
    if (decision) return { ...a, decision };
    if (attempt >= MAX_STALE_RETRIES)
      throw new VaultError(503, "policy_changing", "The organisation's policy kept changing while this call was decided: try again shortly.");
    current = await reloadCaller(current);
    // A service account chosen on stale facts is chosen again.
    credential = null;
  }
}

async function call(a: Attempt): Promise<ProviderCallResponse> {
  return callProvider({
    tenantId: a.ctx.caller.tenantId,
    connectionId: a.credential.connection.id,
    method: a.request.method,
    url: a.request.url,
    headers: a.request.headers,
    body: a.request.body ?? null,
    prefetched: a.prefetched,
  });
}

/**
 * Steps 1-4 of an action: credential, request, PDP and its write-ahead record, provider call. Throws
 * VaultError (or BearerError) for every refusal; a provider call that failed after an allow is audited as a failure first.
 */
export async function performCall(
  caller: DelegationCaller,
  action: CompletedCall["action"],
  build: BuildRequest,
  given: ActionOptions,
  approval?: ApprovalRequest,
): Promise<CompletedCall> {
  {
    let opts = given;
    // Held for approval: the person's approval of this very request is used up (once), or the agent gets one to poll (202).
    let a = await decided(caller, null, action, build, opts).catch(async (e: unknown) => {
      if (!(e instanceof VaultError && e.code === "approval_required" && approval)) throw e;
      const ask = { request: approval, reason: e.message, reference: opts.approvalReference, requestId: opts.requestId, channel: opts.channel };
      opts = { ...opts, approvalId: await passApproval(caller, ask) };
      return decided(caller, null, action, build, opts);
    });
    // The baseline of what this agent uses on the connection: a first use after it was learned is scope escalation.
    await observeUsage({
      tenantId: caller.tenantId,
      agentId: caller.agent.id,
      connectionId: caller.connectionId,
      items: [action.kind === "tool" ? `tool:${action.tool}` : `proxy:${action.method}`],
    });
    let response: ProviderCallResponse;
    try {
      response = await call(a);
    } catch (e) {
      if (!(e instanceof VaultCallError)) throw e;
      const fallback = a.credential.kind === "user" && PERSON_CONNECTION_LOST.has(e.code) ? await serviceAccountFor(a.ctx, { personUsable: false }) : null;
      if (!fallback || !("connection" in fallback)) {
        await auditFailure({ ...a, action, opts }, e.code, null);
        throw e;
      }
      // The first call never got through (the refresh was refused), so a second one repeats nothing.
      log.warn(
        { delegationId: a.ctx.delegation.id, connectionId: a.ctx.person.id, serviceAccount: fallback.connection.id, requestId: opts.requestId },
        "person's connection lost mid-action; using the tenant service account",
      );
      a = await decided(a.ctx.caller, { kind: "service_account", connection: fallback.connection }, action, build, opts);
      try {
        response = await call(a);
      } catch (again) {
        if (!(again instanceof VaultCallError)) throw again;
        await auditFailure({ ...a, action, opts }, again.code, null);
        throw again;
      }
    }
    return { ctx: a.ctx, credential: a.credential, action, request: a.request, requestSha256: a.requestSha, response, opts, decision: a.decision };
  }
}

type AuditSubject = Pick<CompletedCall, "ctx" | "credential" | "action" | "request" | "opts" | "decision">;

function auditDetails(s: AuditSubject, extra: { status: number | null; requestSha: string; responseSha?: string; code?: string }): Record<string, unknown> {
  return {
    provider: s.credential.connection.provider,
    connectionId: s.credential.connection.id,
    credential: s.credential.kind satisfies CredentialKind,
    ...(s.action.kind === "tool" ? { tool: s.action.tool } : {}),
    method: s.request.method,
    // Never the query: it may carry anything the agent put there.
    path: s.request.path.slice(0, 300),
    status: extra.status,
    request_sha256: extra.requestSha,
    ...(extra.responseSha ? { response_sha256: extra.responseSha } : {}),
    ...(extra.code ? { code: extra.code } : {}),
    channel: s.opts.channel,
    requestId: s.opts.requestId.slice(0, 200),
    // The write-ahead record (the decision) this outcome completes.
    decisionSeq: s.decision.seq,
    ...(s.opts.approvalId ? { approvalId: s.opts.approvalId } : {}),
  };
}

async function writeAudit(s: AuditSubject, outcome: "success" | "failure", details: Record<string, unknown>): Promise<WrittenEvent> {
  const written = await submitAudit({
    tenantId: s.ctx.caller.tenantId,
    prepare: () => ({
      events: [
        {
          tenantId: s.ctx.caller.tenantId,
          action: s.action.kind === "tool" ? "action.tool" : "action.proxy",
          outcome,
          actorArn: s.ctx.caller.userArn,
          agentId: s.ctx.caller.agent.id,
          target: s.ctx.delegation.id,
          details,
        },
      ],
      value: null,
    }),
  });
  if (written.status !== "written") throw new Error("an outcome record cannot be stale");
  return written.events[0]!;
}

/** Records an action that failed after the PDP allowed it. The agent gets the failure either way. */
export async function auditFailure(s: AuditSubject, code: string, status: number | null): Promise<void> {
  try {
    await writeAudit(s, "failure", auditDetails(s, { status, requestSha: requestSha256(s.request.method, s.request.url, s.request.body), code }));
  } catch (e) {
    log.error({ err: e, requestId: s.opts.requestId, delegationId: s.ctx.delegation.id }, "could not audit a failed action");
  }
}

function auditUnavailable(): VaultError {
  return new VaultError(503, "audit_unavailable", "The vault could not record this action in the audit log, so its result is withheld: try again shortly.");
}

/**
 * Steps 6-7: the outcome's audit event (durable first) and the signed receipt over exactly `value`,
 * the `output` or `data` the agent is about to receive. No audit row, no answer: 503 audit_unavailable.
 */
export async function completeAction(run: CompletedCall, value: unknown, outcome: "success" | "failure"): Promise<{ receipt: string }> {
  const responseSha = responseSha256(value);
  let audit: WrittenEvent;
  try {
    audit = await writeAudit(run, outcome, auditDetails(run, { status: run.response.status, requestSha: run.requestSha256, responseSha }));
  } catch (e) {
    log.error({ err: e, requestId: run.opts.requestId, delegationId: run.ctx.delegation.id }, "could not audit an action; its result is withheld");
    throw auditUnavailable();
  }
  const receipt = await signReceipt({
    userArn: run.ctx.caller.userArn,
    clientId: run.ctx.caller.agent.clientId,
    connectionId: run.credential.connection.id,
    delegationId: run.ctx.delegation.id,
    action: run.action.kind === "tool" ? run.action.tool : "proxy",
    credential: run.credential.kind,
    requestSha256: run.requestSha256,
    status: run.response.status,
    responseSha256: responseSha,
    auditSeq: audit.seq,
    auditHash: audit.hash,
  });
  return { receipt };
}
