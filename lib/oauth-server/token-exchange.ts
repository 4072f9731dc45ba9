import "server-only";
// The two grants of the token endpoint, after the client has authenticated: RFC 8693 token exchange
// (a delegation id for a five-minute delegation token, decided by the PDP) and client_credentials
// (an agent token). Every outcome is written to the audit log; a token whose issuance could not be
// audited is never handed out. When the person's connection is unusable, the tenant's service account
// may stand in exactly as it would for an action (lib/orchestration/credential.ts holds the gates); the
// token still names the person's connection, and each action re-resolves the credential.
import { observeExchange } from "@/lib/containment/detectors";
import { serviceAccountForExchange } from "@/lib/orchestration/credential";
import type { AuditInput } from "@/lib/audit/chain";
import { submitAudit } from "@/lib/audit/writer";
import { log } from "@/lib/log";
import { decideNow, decideRecorded, loadSubject, type DecisionSubject } from "@/lib/pdp/evaluate";
import type { PdpDecision } from "@/lib/pdp/types";

import { CLIENT_AUTH_FAILED, type TokenClient } from "./client-auth";
import { OAuthError } from "./errors";
import { vaultIssuer } from "./issuer";
import { ACCESS_TOKEN_TYPE, AGENT_SCOPE, DELEGATION_ID_TOKEN_TYPE, issueAgentToken, issueDelegationToken, type IssuedToken } from "./tokens";

export type TokenAnswer = { access_token: string; issued_token_type?: string; token_type: "Bearer"; expires_in: number; scope: string };

// RFC 6749 §3.3 scope-token: %x21 / %x23-5B / %x5D-7E.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,200}$/;
const MAX_SCOPES = 50;
const MAX_SUBJECT_TOKEN_LENGTH = 200;

const UNKNOWN = "No delegation with this id was granted to this agent: check the id the person's grant shows.";
const CEILING = "The agent's capability ceiling no longer covers this delegation: ask an administrator to widen it, or the person to grant a narrower one.";
const DENIAL_SENTENCES: Record<string, string> = {
  delegation_unknown: UNKNOWN,
  delegation_wrong_agent: UNKNOWN,
  tenant_mismatch: UNKNOWN,
  delegation_revoked: "This delegation was revoked: ask the person to grant access again.",
  delegation_expired: "This delegation has expired: ask the person to grant access again.",
  connection_unavailable: "The connection behind this delegation is disconnected or needs reconnecting: ask the person to reconnect it.",
  constraints_unreadable: "This delegation's constraints cannot be read: ask the person to grant access again.",
  provider_not_allowed: CEILING,
  delegation_too_long: CEILING,
};

/** The facts a grant was decided on changed meanwhile: authenticate again on rows read now, and decide again. */
export class StaleGrantError extends Error {
  constructor() {
    super("The organisation's policy changed while this token was being issued.");
    this.name = "StaleGrantError";
  }
}

export type GrantOptions = {
  /** Decide on this process's copies of the rows (the first try); a stale decision is retried on rows read now. */
  cached?: boolean;
};

export async function exchangeDelegation(client: TokenClient, form: URLSearchParams, opts: GrantOptions = {}): Promise<TokenAnswer> {
  const subject = form.get("subject_token");
  const target = subject ? subject.slice(0, MAX_SUBJECT_TOKEN_LENGTH) : null;
  let requested: string[] | undefined;
  try {
    requested = readExchangeRequest(form);
  } catch (e) {
    if (e instanceof OAuthError) await auditRefusal(client, "token.exchange", target, e, requested);
    throw e;
  }
  const cached = opts.cached === true;
  const delegationId = subject!;
  const who = { tenantId: client.agent.tenantId, agentId: client.agent.id, delegationId };
  // The person's connection is unusable and every gate lets the tenant's service account stand in:
  // the PDP decides on that account instead (and says so in its audit event).
  const serviceAccountId = await serviceAccountForExchange(who, { cached });
  const s = await loadSubject({ ...who, action: { kind: "exchange", scopes: requested }, ...(serviceAccountId ? { serviceAccountId } : {}) }, { cached });

  // Decided once here to know what to sign, and again in the audit batch, which alone counts: the
  // token leaves only if the recorded decision allows exactly what it carries.
  const now = new Date();
  const before = decideNow(s, now);
  const issued =
    before.decision === "allow" && s.delegation
      ? await issueDelegationToken({
          agent: client.agent,
          delegation: delegationClaims(s.delegation),
          scopes: before.scopes ?? requested ?? s.delegation.scopes,
          now,
        })
      : null;
  const credential = serviceAccountId ? { credential: "service_account", serviceAccountId } : {};

  const refusalOf = (decision: PdpDecision): OAuthError => {
    if (decision.decision !== "allow") return denial(decision);
    if (!issued || issued.exp <= issued.iat) return new OAuthError("invalid_grant", DENIAL_SENTENCES.delegation_expired!, { pdpCode: "delegation_expired" });
    return new OAuthError("invalid_grant", "The delegation changed while the token was being issued: try again.", { pdpCode: "changed" });
  };
  const grants = (decision: PdpDecision) =>
    decision.decision === "allow" && issued !== null && issued.exp > issued.iat && sameScopes(decision.scopes, before.scopes);

  let recorded;
  try {
    recorded = await decideRecorded({
      ...s,
      policyVersion: Math.min(client.policyVersion, s.policyVersion ?? client.policyVersion),
      follow: (decision) => [
        grants(decision)
          ? {
              tenantId: client.agent.tenantId,
              action: "token.exchange",
              outcome: "success" as const,
              actorArn: s.delegation!.userArn ?? null,
              agentId: client.agent.id,
              target: delegationId,
              details: { ...issuedDetails(client, issued!), ...credential },
            }
          : refusalEvent(client, "token.exchange", target, refusalOf(decision), requested),
      ],
    });
  } catch (err) {
    log.error({ err, action: "token.exchange" }, "could not audit a token exchange; the token is withheld");
    throw new OAuthError("server_error", "The vault could not record this token in its audit log, so it was not issued: try again shortly.");
  }
  if (recorded.status === "stale") throw new StaleGrantError();
  if (!grants(recorded.decision)) throw refusalOf(recorded.decision);
  await observeExchange({
    tenantId: client.agent.tenantId,
    agentId: client.agent.id,
    connectionId: s.delegation!.connectionId,
    scopes: issued!.scope.split(" ").filter(Boolean),
  });
  return {
    access_token: issued!.token,
    issued_token_type: ACCESS_TOKEN_TYPE,
    token_type: "Bearer",
    expires_in: issued!.exp - issued!.iat,
    scope: issued!.scope,
  };
}

export async function issueClientCredentials(client: TokenClient, form: URLSearchParams): Promise<TokenAnswer> {
  let issued: IssuedToken;
  try {
    const scope = form.get("scope");
    if (scope !== null && scope.trim() !== AGENT_SCOPE)
      throw new OAuthError("invalid_scope", `An agent token has the single scope "${AGENT_SCOPE}": request that scope or none.`);
    checkTargets(form);
    issued = await issueAgentToken({ agent: client.agent });
  } catch (e) {
    if (e instanceof OAuthError) await auditRefusal(client, "token.client_credentials", client.agent.clientId, e);
    throw e;
  }
  const written = await record({
    tenantId: client.agent.tenantId,
    policyVersion: client.policyVersion,
    events: [
      {
        tenantId: client.agent.tenantId,
        action: "token.client_credentials",
        outcome: "success",
        agentId: client.agent.id,
        target: client.agent.clientId,
        details: issuedDetails(client, issued),
      },
    ],
  });
  if (!written) throw new StaleGrantError();
  return { access_token: issued.token, token_type: "Bearer", expires_in: issued.exp - issued.iat, scope: issued.scope };
}

function sameScopes(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return (a ?? []).join(" ") === (b ?? []).join(" ");
}

function delegationClaims(d: NonNullable<DecisionSubject["delegation"]>) {
  return { id: d.id, connectionId: d.connectionId, userArn: d.userArn ?? "", expiresAt: d.expiresAt };
}

/** Checks the exchange parameters; returns the requested scopes (undefined: all the delegation allows). */
function readExchangeRequest(form: URLSearchParams): string[] | undefined {
  const subject = form.get("subject_token");
  if (!subject) throw new OAuthError("invalid_request", "subject_token is missing: send the delegation id.");
  const type = form.get("subject_token_type");
  if (type !== DELEGATION_ID_TOKEN_TYPE) throw new OAuthError("invalid_request", `subject_token_type must be ${DELEGATION_ID_TOKEN_TYPE}.`);
  if (subject.length > MAX_SUBJECT_TOKEN_LENGTH) throw new OAuthError("invalid_grant", UNKNOWN, { pdpCode: "delegation_unknown" });
  const requestedType = form.get("requested_token_type");
  if (requestedType !== null && requestedType !== ACCESS_TOKEN_TYPE)
    throw new OAuthError("invalid_request", `requested_token_type can only be ${ACCESS_TOKEN_TYPE}.`);
  if (form.has("actor_token") || form.has("actor_token_type")) {
    throw new OAuthError("invalid_request", "actor_token is not accepted: the authenticated client is the actor.");
  }
  checkTargets(form);
  return readScopes(form.get("scope"));
}

function readScopes(raw: string | null): string[] | undefined {
  if (raw === null) return undefined;
  const scopes = [...new Set(raw.split(" ").filter(Boolean))];
  if (scopes.length === 0) throw new OAuthError("invalid_scope", "scope is empty: leave it out to get every delegated scope, or list some.");
  if (scopes.length > MAX_SCOPES || !scopes.every((s) => SCOPE_TOKEN.test(s)))
    throw new OAuthError("invalid_scope", "scope must be space-separated scope names.");
  return scopes;
}

/** RFC 8693 §2.1: the token is only ever for the vault itself. */
function checkTargets(form: URLSearchParams): void {
  const issuer = vaultIssuer();
  for (const value of [...form.getAll("resource"), ...form.getAll("audience")]) {
    if (value !== issuer && value !== `${issuer}/`)
      throw new OAuthError(
        "invalid_target",
        `Tokens from this vault are only for the vault itself: leave resource and audience out, or set them to ${issuer}.`,
      );
  }
}

function denial(decision: PdpDecision): OAuthError {
  if (decision.code === "agent_unknown" || decision.code === "agent_suspended") {
    return new OAuthError("invalid_client", CLIENT_AUTH_FAILED, { pdpCode: decision.code });
  }
  if (decision.code === "agent_rate_limited") {
    return new OAuthError("temporarily_unavailable", decision.reason, { pdpCode: decision.code, retryAfter: decision.retryAfter ?? 60 });
  }
  if (decision.code.startsWith("scope_")) {
    return new OAuthError("invalid_scope", `The requested scope is wider than the delegation allows: ${decision.reason}`, { pdpCode: decision.code });
  }
  const sentence = DENIAL_SENTENCES[decision.code] ?? `This delegation cannot be used now (${decision.code}): ${decision.reason}`;
  return new OAuthError("invalid_grant", sentence, { pdpCode: decision.code });
}

function issuedDetails(client: TokenClient, issued: IssuedToken): Record<string, unknown> {
  return { clientAuth: client.method, scope: issued.scope, tokenId: issued.jti, expiresAt: new Date(issued.exp * 1000).toISOString() };
}

/** Appends events on their own (no decision); false when the client's row was stale. Throws server_error when the log cannot be written. */
async function record(entry: { tenantId: string; policyVersion?: number; events: AuditInput[] }): Promise<boolean> {
  try {
    const outcome = await submitAudit({ tenantId: entry.tenantId, policyVersion: entry.policyVersion, prepare: () => ({ events: entry.events, value: null }) });
    return outcome.status === "written";
  } catch (err) {
    log.error({ err, action: entry.events[0]?.action }, "could not audit a token issuance; the token is withheld");
    throw new OAuthError("server_error", "The vault could not record this token in its audit log, so it was not issued: try again shortly.");
  }
}

function refusalEvent(client: TokenClient, action: string, target: string | null, e: OAuthError, requested?: string[]): AuditInput {
  return {
    tenantId: client.agent.tenantId,
    action,
    outcome: "failure",
    agentId: client.agent.id,
    target,
    details: {
      clientAuth: client.method,
      error: e.error,
      ...(e.internal.pdpCode ? { code: e.internal.pdpCode } : {}),
      ...(requested ? { scope: requested.join(" ") } : {}),
    },
  };
}

async function auditRefusal(client: TokenClient, action: string, target: string | null, e: OAuthError, requested?: string[]): Promise<void> {
  if (e.error === "server_error") return;
  try {
    await record({ tenantId: client.agent.tenantId, events: [refusalEvent(client, action, target, e, requested)] });
  } catch (err) {
    // The refusal stands either way; losing its audit row is logged loudly.
    log.error({ err, action }, "could not audit a refused token request");
  }
}
