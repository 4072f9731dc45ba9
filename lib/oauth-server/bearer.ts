import "server-only";
// Who is calling an agent-facing route: verifies the vault-signed access token in `Authorization:
// Bearer`, then loads the rows behind it (lib/policy/facts.ts) and judges the token's standing with
// the PDP's own definition (lib/pdp/standing.ts): suspending an agent or revoking a delegation stops
// tokens already in an agent's hands at once, not when they expire. Routes that only read answer on
// rows read now; routes that act take the facts from memory, because their decision is confirmed
// against the tenant's current policy version when its audit record is written, and made again on
// fresh rows when it is stale (lib/orchestration/perform.ts).
import { createHash } from "node:crypto";

import { errors as joseErrors, jwtVerify, type JWTPayload } from "jose";

import { observeDecision, observeUnauthorized } from "@/lib/containment/detectors";
import { VaultError } from "@/lib/errors";
import { agentFacts, delegationFacts, type DelegationFacts } from "@/lib/policy/facts";
import { delegationStanding } from "@/lib/pdp/standing";
import type { PdpAgent } from "@/lib/pdp/types";
import { kidStillTrusted, vaultVerificationKey, VAULT_VERIFY_ALGS } from "@/lib/vault/signing/signing-keys";

import { vaultIssuer } from "./issuer";

export type CallerAgent = { id: string; clientId: string; name: string };
export type AgentCaller = { kind: "agent"; tenantId: string; agent: CallerAgent };
export type DelegationCaller = {
  kind: "delegation";
  tenantId: string;
  agent: CallerAgent;
  delegationId: string;
  connectionId: string;
  userArn: string;
  scopes: string[];
  tokenId: string;
  expiresAt: Date;
  /** The rows the token stands on, as loaded for this call. */
  facts: DelegationFacts;
  /** The verified claims, kept so the facts can be read again and matched against them. */
  claims: DelegationClaims;
};
export type BearerCaller = AgentCaller | DelegationCaller;

type DelegationClaims = {
  tenantId: string;
  clientId: string;
  delegationId: string;
  connectionId: string;
  sub: string;
  scope: string;
  jti: string;
  exp: number;
};

/** `typ` of every access token the vault issues (RFC 9068). */
export const ACCESS_TOKEN_TYP = "at+jwt";

export type BearerErrorCode =
  | "token_missing"
  | "token_invalid"
  | "token_expired"
  | "agent_unknown"
  | "agent_suspended"
  | "delegation_unknown"
  | "delegation_revoked"
  | "delegation_expired";

/** A bearer token refused (401): each wrapper adds the challenge its resource uses. */
export class BearerError extends VaultError {
  declare readonly code: BearerErrorCode;
  constructor(code: BearerErrorCode, detail: string) {
    super(401, code, detail);
    this.name = "BearerError";
  }
}

const CLOCK_TOLERANCE_SECONDS = 5;
const MAX_TOKEN_LENGTH = 8192;
// RFC 6750 §2.1 b64token.
const BEARER = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)$/i;
const INVALID = "The access token is not valid here: request a new one from the token endpoint.";
const AGENT_UNKNOWN = "The agent this token was issued to is no longer registered.";
const AGENT_SUSPENDED = "An administrator suspended this agent: its tokens no longer work.";
const DELEGATION_UNKNOWN = "The delegation behind this token no longer exists: ask the person to grant access again.";

export type BearerOptions = {
  /**
   * Take the delegation's rows from memory and leave its standing to the caller's decision, which is
   * confirmed against the current policy version when it is recorded (only for routes that act).
   */
  cached?: boolean;
};

/** The bearer token of a request, checked for shape only. */
export function bearerToken(req: Request): string {
  const header = req.headers.get("authorization");
  if (!header) throw new BearerError("token_missing", "This call needs an access token: send `Authorization: Bearer <token>` from the token endpoint.");
  const match = BEARER.exec(header.trim());
  if (!match || match[1]!.length > MAX_TOKEN_LENGTH)
    throw new BearerError("token_invalid", "The Authorization header is not a bearer token: send `Authorization: Bearer <token>`.");
  return match[1]!;
}

export async function authenticateBearer(req: Request, opts: BearerOptions = {}): Promise<BearerCaller> {
  const claims = await verifyAccessToken(bearerToken(req), vaultIssuer());

  const clientId = str(claims.client_id);
  const tenantId = str(claims.tid);
  if (!clientId || !tenantId) throw new BearerError("token_invalid", INVALID);
  const delegationId = str(claims.del);

  if (!delegationId) {
    // An agent token names the agent itself as subject and carries no delegation claims.
    if (claims.sub !== clientId || claims.cnx !== undefined || claims.act !== undefined) throw new BearerError("token_invalid", INVALID);
    const facts = await agentFacts({ clientId }, { cached: false });
    if (!facts || facts.agent.tenantId !== tenantId) throw new BearerError("agent_unknown", AGENT_UNKNOWN);
    if (facts.agent.status !== "active") throw new BearerError("agent_suspended", AGENT_SUSPENDED);
    checkHold(facts.agent);
    return { kind: "agent", tenantId, agent: callerAgent(facts.agent) };
  }

  const act = claims.act as { sub?: unknown } | undefined;
  const connectionId = str(claims.cnx);
  const sub = str(claims.sub);
  if (!connectionId || !act || act.sub !== clientId || !sub) throw new BearerError("token_invalid", INVALID);
  const tokenClaims: DelegationClaims = {
    tenantId,
    clientId,
    delegationId,
    connectionId,
    sub,
    scope: str(claims.scope) ?? "",
    jti: str(claims.jti)!,
    exp: claims.exp!,
  };
  const loaded = await delegationFacts(tenantId, delegationId, { cached: opts.cached === true });
  let facts = matching(loaded, tokenClaims);
  // Memory may hold an older copy than the token: read once more before refusing it.
  if (!facts && opts.cached) facts = matching(await delegationFacts(tenantId, delegationId, { cached: false }), tokenClaims);
  if (!facts) {
    // The delegation exists but grants another connection than the one the token names.
    if (loaded && loaded.tenantId === tenantId && loaded.agent.clientId === clientId && loaded.delegation.connectionId !== connectionId)
      await observeUnauthorized({ tenantId, agentId: loaded.agent.id, delegationId, connectionId, code: "connection_not_granted" });
    throw new BearerError("delegation_unknown", DELEGATION_UNKNOWN);
  }
  if (!opts.cached) {
    const refusal = delegationStanding(facts, new Date());
    if (refusal) {
      await observeDecision({ tenantId, agentId: facts.agent.id, delegationId, connectionId, decision: "deny", code: refusal.code });
      throw standingError(refusal.code);
    }
    checkHold(facts.agent);
  }
  return delegationCaller(tokenClaims, facts);
}

/** The same caller on the delegation's rows read now (a decision made on the cached ones was stale). */
export async function reloadCaller(caller: DelegationCaller): Promise<DelegationCaller> {
  const facts = matching(await delegationFacts(caller.tenantId, caller.delegationId, { cached: false }), caller.claims);
  if (!facts) throw new BearerError("delegation_unknown", DELEGATION_UNKNOWN);
  return delegationCaller(caller.claims, facts);
}

/** The 401 a token meets when its delegation's standing refuses it (a code of lib/pdp/standing.ts). */
export function standingError(code: string): BearerError {
  switch (code) {
    case "agent_unknown":
    case "tenant_mismatch":
      return new BearerError("agent_unknown", AGENT_UNKNOWN);
    case "agent_suspended":
      return new BearerError("agent_suspended", AGENT_SUSPENDED);
    case "delegation_revoked":
      return new BearerError("delegation_revoked", "The person revoked this delegation: this token no longer works.");
    case "delegation_expired":
      return new BearerError("delegation_expired", "This delegation has expired: ask the person to grant access again.");
    default:
      return new BearerError("delegation_unknown", DELEGATION_UNKNOWN);
  }
}

/** 429 with Retry-After: a containment policy holds the agent back for a while (lib/containment/enforce.ts). */
export function heldBackError(reason: string, retryAfter = 60): VaultError {
  return new VaultError(429, "agent_rate_limited", reason, {}, { headers: { "retry-after": String(retryAfter) } });
}

// Routes that only read answer on rows read now; routes that act meet the same hold in their decision (lib/pdp/decide.ts).
function checkHold(agent: Pick<PdpAgent, "hold">): void {
  const until = agent.hold?.rateLimitedUntil;
  const wait = until ? Math.ceil((until.getTime() - Date.now()) / 1000) : 0;
  if (wait > 0) throw heldBackError(`A containment policy holds this agent back: try again in ${wait} seconds.`, wait);
}

// A delegation that moved to another agent, tenant, connection or person is not the one the token was issued for.
function matching(facts: DelegationFacts | null, c: DelegationClaims): DelegationFacts | null {
  if (
    !facts ||
    facts.tenantId !== c.tenantId ||
    facts.delegation.connectionId !== c.connectionId ||
    facts.delegation.userArn !== c.sub ||
    facts.agent.clientId !== c.clientId
  )
    return null;
  return facts;
}

/** A caller for one delegation of a token that stands on several (an OAuth client's): its claims are the facts' own. */
export function callerFromFacts(facts: DelegationFacts, token: { jti: string; exp: number; sub: string; clientId: string }): DelegationCaller {
  const claims: DelegationClaims = {
    tenantId: facts.tenantId,
    clientId: token.clientId,
    delegationId: facts.delegation.id,
    connectionId: facts.delegation.connectionId,
    sub: token.sub,
    scope: facts.delegation.scopes.join(" "),
    jti: token.jti,
    exp: token.exp,
  };
  return delegationCaller(claims, facts);
}

function delegationCaller(c: DelegationClaims, facts: DelegationFacts): DelegationCaller {
  const granted = new Set(facts.delegation.scopes);
  return {
    kind: "delegation",
    tenantId: c.tenantId,
    agent: callerAgent(facts.agent),
    delegationId: c.delegationId,
    connectionId: c.connectionId,
    userArn: facts.delegation.userArn,
    scopes: c.scope.split(" ").filter((s) => s && granted.has(s)),
    tokenId: c.jti,
    expiresAt: new Date(c.exp * 1000),
    facts,
    claims: c,
  };
}

function callerAgent(a: { id: string; clientId: string; name: string }): CallerAgent {
  return { id: a.id, clientId: a.clientId, name: a.name };
}

// Tokens whose signature and claims were checked, until they expire: an agent sends the same token
// for every call of its five minutes. Keyed by a hash of the token, never the token. What the token
// stands on (agent, delegation) is still judged on every call, and so is its signing key (a key
// retired since is refused); this only spares the signature check.
const verified = new Map<string, { claims: JWTPayload; kid: string; untilMs: number }>();
const MAX_VERIFIED = 10_000;

/** A vault-signed access token's claims, for the one audience the caller serves. */
export async function verifyAccessToken(token: string, audience: string): Promise<JWTPayload> {
  const key = createHash("sha256").update(token).digest("base64url");
  const hit = verified.get(key);
  if (hit && hit.untilMs > Date.now() && kidStillTrusted(hit.kid) === true) {
    if (hit.claims.aud !== audience) throw new BearerError("token_invalid", INVALID);
    return hit.claims;
  }
  const { claims, kid } = await verifySignature(token, audience);
  if (verified.size >= MAX_VERIFIED) verified.clear();
  verified.set(key, { claims, kid, untilMs: claims.exp! * 1000 });
  return claims;
}

async function verifySignature(token: string, audience: string): Promise<{ claims: JWTPayload; kid: string }> {
  const issuer = vaultIssuer();
  try {
    const { payload, protectedHeader } = await jwtVerify(token, vaultVerificationKey, {
      issuer,
      audience,
      typ: ACCESS_TOKEN_TYP,
      algorithms: [...VAULT_VERIFY_ALGS],
      requiredClaims: ["iss", "aud", "sub", "exp", "iat", "jti"],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    // One audience, as a string: a token naming several is for none of them here.
    if (!str(payload.jti) || payload.aud !== audience) throw new BearerError("token_invalid", INVALID);
    return { claims: payload, kid: protectedHeader.kid! };
  } catch (e) {
    if (e instanceof BearerError) throw e;
    if (e instanceof joseErrors.JWTExpired) throw new BearerError("token_expired", "The access token has expired: request a new one from the token endpoint.");
    throw new BearerError("token_invalid", INVALID);
  }
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.length > 0 ? v : undefined;
}
