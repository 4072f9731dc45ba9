import "server-only";
// One agent action, the part tools and the raw proxy share (ARCHITECTURE.md, "Flow of one agent
// action"): re-read the delegation, choose the credential, build the upstream request under the
// provider's API base, ask the PDP, make the one provider call, then audit and sign a receipt.
// Writing the audit event is part of the action: when it cannot be written the agent gets 503 and
// never the data. Nothing here ever holds a token; lib/vault decrypts it for the call alone.
import { appendAudit } from "@/lib/audit/append";
import { getDb } from "@/lib/db";
import { log } from "@/lib/log";
import type { DelegationCaller } from "@/lib/oauth-server/bearer";
import { evaluate } from "@/lib/pdp/evaluate";
import type { PdpAction } from "@/lib/pdp/types";
import { getTenantProvider } from "@/lib/providers/registry";
import type { ProviderDefinition } from "@/lib/providers/schemas";
import { ProxyRequestError } from "@/lib/proxy/request";
import { requestSha256, responseSha256 } from "@/lib/receipts/claims";
import { signReceipt } from "@/lib/receipts/receipt";
import type { HttpMethod } from "@/lib/tools/catalogue";
import { callProvider, type ProviderCallResponse } from "@/lib/vault/provider-call";
import { VaultCallError } from "@/lib/vault/errors";

import { loadActionContext, resolveCredential, serviceAccountFor, type ActionConnection, type ActionContext, type Credential, type CredentialKind } from "./credential";
import { ActionError } from "./errors";

export type Channel = "api" | "mcp";
export type ActionOptions = { requestId: string; channel: Channel };

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
};

// The person's connection died during the call (refresh refused): the one moment a service account may take over mid-action.
const PERSON_CONNECTION_LOST = new Set(["connection_needs_reconnect", "connection_revoked"]);

export function fromVaultError(e: VaultCallError): ActionError {
  return new ActionError(e.httpStatus, e.code, e.message);
}

async function buildFor(ctx: ActionContext, credential: Credential, build: BuildRequest): Promise<UpstreamRequest> {
  const provider = await getTenantProvider(ctx.caller.tenantId, credential.connection.providerKey);
  if (!provider) {
    throw new ActionError(409, "provider_unavailable", `This organisation no longer offers ${credential.connection.providerKey}: ask an administrator to enable it again.`);
  }
  try {
    return build(provider.definition, credential.connection);
  } catch (e) {
    // A connection whose details cannot name its API is the connection's problem, not the request's.
    if (e instanceof ProxyRequestError) throw new ActionError(e.code === "api_base_unavailable" ? 409 : 400, e.code, e.message);
    throw e;
  }
}

async function decide(ctx: ActionContext, credential: Credential, action: CompletedCall["action"], opts: ActionOptions): Promise<void> {
  const decision = await evaluate({
    tenantId: ctx.caller.tenantId,
    agentId: ctx.caller.agent.id,
    delegationId: ctx.delegation.id,
    action,
    actorArn: ctx.caller.userArn,
    requestId: opts.requestId,
    ...(credential.kind === "service_account" ? { serviceAccountId: credential.connection.id } : {}),
  });
  if (decision.decision === "allow") return;
  // CONTRACT.md answers an action needing approval with 202 and an approval to poll. There is no
  // approval flow yet, so `approval_required` is a refusal like any other (403 with its code).
  const detail = decision.code === "approval_required" ? `${decision.reason} Approvals cannot be requested through the vault yet, so this action is refused.` : decision.reason;
  throw new ActionError(403, decision.code, detail, { layer: decision.layer });
}

async function call(ctx: ActionContext, credential: Credential, request: UpstreamRequest): Promise<ProviderCallResponse> {
  return callProvider({
    tenantId: ctx.caller.tenantId,
    connectionId: credential.connection.id,
    method: request.method,
    url: request.url,
    headers: request.headers,
    body: request.body ?? null,
  });
}

/**
 * Steps 1-4 of an action: context, credential, request, PDP, provider call. Throws ActionError for
 * every refusal; a provider call that failed after an allow is audited as a failure first.
 */
export async function performCall(caller: DelegationCaller, action: CompletedCall["action"], build: BuildRequest, opts: ActionOptions): Promise<CompletedCall> {
  const ctx = await loadActionContext(caller);
  let credential = await resolveCredential(ctx);
  let request = await buildFor(ctx, credential, build);
  await decide(ctx, credential, action, opts);
  let response: ProviderCallResponse;
  try {
    response = await call(ctx, credential, request);
  } catch (e) {
    if (!(e instanceof VaultCallError)) throw e;
    const fallback = credential.kind === "user" && PERSON_CONNECTION_LOST.has(e.code) ? await serviceAccountFor(ctx, { personUsable: false }) : null;
    if (!fallback || !("connection" in fallback)) {
      await auditFailure({ ctx, credential, action, request, opts }, e.code, null);
      throw fromVaultError(e);
    }
    // The first call never got through (the refresh was refused), so a second one repeats nothing.
    log.warn({ delegationId: ctx.delegation.id, connectionId: ctx.person.id, serviceAccount: fallback.connection.id, requestId: opts.requestId }, "person's connection lost mid-action; using the tenant service account");
    credential = { kind: "service_account", connection: fallback.connection };
    request = await buildFor(ctx, credential, build);
    await decide(ctx, credential, action, opts);
    try {
      response = await call(ctx, credential, request);
    } catch (again) {
      if (!(again instanceof VaultCallError)) throw again;
      await auditFailure({ ctx, credential, action, request, opts }, again.code, null);
      throw fromVaultError(again);
    }
  }
  return { ctx, credential, action, request, requestSha256: requestSha256(request.method, request.url, request.body), response, opts };
}

type AuditSubject = Pick<CompletedCall, "ctx" | "credential" | "action" | "request" | "opts">;

function auditDetails(s: AuditSubject, extra: { status: number | null; requestSha: string; responseSha?: string; code?: string }): Record<string, unknown> {
  return {
    provider: s.credential.connection.providerKey,
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
  };
}

async function writeAudit(s: AuditSubject, outcome: "success" | "failure", details: Record<string, unknown>): Promise<{ seq: number; hash: string }> {
  const db = await getDb();
  return db.$transaction((tx) =>
    appendAudit(tx, {
      tenantId: s.ctx.caller.tenantId,
      action: s.action.kind === "tool" ? "action.tool" : "action.proxy",
      outcome,
      actorArn: s.ctx.caller.userArn,
      agentId: s.ctx.caller.agent.id,
      target: s.ctx.delegation.id,
      details,
    }),
  );
}

/** Records an action that failed after the PDP allowed it. The agent gets the failure either way. */
export async function auditFailure(s: AuditSubject, code: string, status: number | null): Promise<void> {
  try {
    await writeAudit(s, "failure", auditDetails(s, { status, requestSha: requestSha256(s.request.method, s.request.url, s.request.body), code }));
  } catch (e) {
    log.error({ err: e, requestId: s.opts.requestId, delegationId: s.ctx.delegation.id }, "could not audit a failed action");
  }
}

/**
 * Step 6-7: the audit event (its own transaction) and the signed receipt over exactly `value`, the
 * `output` or `data` the agent is about to receive. No audit row, no answer: 503 audit_unavailable.
 */
export async function completeAction(run: CompletedCall, value: unknown, outcome: "success" | "failure"): Promise<{ receipt: string }> {
  const responseSha = responseSha256(value);
  let audit: { seq: number; hash: string };
  try {
    audit = await writeAudit(run, outcome, auditDetails(run, { status: run.response.status, requestSha: run.requestSha256, responseSha }));
  } catch (e) {
    log.error({ err: e, requestId: run.opts.requestId, delegationId: run.ctx.delegation.id }, "could not audit an action; its result is withheld");
    throw new ActionError(503, "audit_unavailable", "The vault could not record this action in the audit log, so its result is withheld: try again shortly.");
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
