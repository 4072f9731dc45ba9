import "server-only";
// Who is calling an agent-facing route: verifies the vault-signed access token in `Authorization:
// Bearer`, then re-reads the agent (and the delegation) on every call, so suspending an agent or
// revoking a delegation stops tokens already in an agent's hands at once, not when they expire.
import { errors as joseErrors, jwtVerify, type JWTPayload } from "jose";

import { getDb } from "@/lib/db";
import { vaultVerificationKey, VAULT_VERIFY_ALGS } from "@/lib/vault/signing-keys";

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
};
export type BearerCaller = AgentCaller | DelegationCaller;

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

export class BearerError extends Error {
  readonly status = 401;
  constructor(
    readonly code: BearerErrorCode,
    readonly detail: string,
  ) {
    super(detail);
    this.name = "BearerError";
  }
}

const CLOCK_TOLERANCE_SECONDS = 5;
const MAX_TOKEN_LENGTH = 8192;
// RFC 6750 §2.1 b64token.
const BEARER = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)$/i;
const INVALID = "The access token is not valid here: request a new one from the token endpoint.";

export async function authenticateBearer(req: Request): Promise<BearerCaller> {
  const header = req.headers.get("authorization");
  if (!header) throw new BearerError("token_missing", "This call needs an access token: send `Authorization: Bearer <token>` from the token endpoint.");
  const match = BEARER.exec(header.trim());
  if (!match || match[1]!.length > MAX_TOKEN_LENGTH) throw new BearerError("token_invalid", "The Authorization header is not a bearer token: send `Authorization: Bearer <token>`.");
  const claims = await verify(match[1]!);

  const clientId = str(claims.client_id);
  const tenantId = str(claims.tid);
  if (!clientId || !tenantId) throw new BearerError("token_invalid", INVALID);
  const delegationId = str(claims.del);
  const db = await getDb();

  if (!delegationId) {
    // An agent token names the agent itself as subject and carries no delegation claims.
    if (claims.sub !== clientId || claims.cnx !== undefined || claims.act !== undefined) throw new BearerError("token_invalid", INVALID);
    const agent = await db.agent.findUnique({ where: { clientId }, select: { id: true, clientId: true, name: true, tenantId: true, status: true } });
    return { kind: "agent", tenantId, agent: checkAgent(agent, tenantId) };
  }

  const act = claims.act as { sub?: unknown } | undefined;
  const connectionId = str(claims.cnx);
  if (!connectionId || !act || act.sub !== clientId || !str(claims.sub)) throw new BearerError("token_invalid", INVALID);
  const delegation = await db.delegation.findUnique({
    where: { id: delegationId },
    select: {
      tenantId: true,
      connectionId: true,
      scopes: true,
      expiresAt: true,
      revokedAt: true,
      user: { select: { arn: true } },
      agent: { select: { id: true, clientId: true, name: true, tenantId: true, status: true } },
    },
  });
  // A delegation that moved to another agent, tenant or connection is not the one the token was issued for.
  if (!delegation || delegation.tenantId !== tenantId || delegation.connectionId !== connectionId || delegation.user.arn !== claims.sub || delegation.agent.clientId !== clientId) {
    throw new BearerError("delegation_unknown", "The delegation behind this token no longer exists: ask the person to grant access again.");
  }
  const agent = checkAgent(delegation.agent, tenantId);
  if (delegation.revokedAt) throw new BearerError("delegation_revoked", "The person revoked this delegation: this token no longer works.");
  if (delegation.expiresAt.getTime() <= Date.now()) throw new BearerError("delegation_expired", "This delegation has expired: ask the person to grant access again.");
  const granted = new Set(delegation.scopes);
  const scopes = (str(claims.scope) ?? "").split(" ").filter((s) => s && granted.has(s));
  return {
    kind: "delegation",
    tenantId,
    agent,
    delegationId,
    connectionId,
    userArn: delegation.user.arn,
    scopes,
    tokenId: str(claims.jti)!,
    expiresAt: new Date(claims.exp! * 1000),
  };
}

async function verify(token: string): Promise<JWTPayload> {
  const issuer = vaultIssuer();
  try {
    const { payload } = await jwtVerify(token, vaultVerificationKey, {
      issuer,
      audience: issuer,
      typ: ACCESS_TOKEN_TYP,
      algorithms: [...VAULT_VERIFY_ALGS],
      requiredClaims: ["iss", "aud", "sub", "exp", "iat", "jti"],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    if (!str(payload.jti)) throw new BearerError("token_invalid", INVALID);
    return payload;
  } catch (e) {
    if (e instanceof BearerError) throw e;
    if (e instanceof joseErrors.JWTExpired) throw new BearerError("token_expired", "The access token has expired: request a new one from the token endpoint.");
    throw new BearerError("token_invalid", INVALID);
  }
}

function checkAgent(agent: { id: string; clientId: string; name: string; tenantId: string; status: string } | null, tenantId: string): CallerAgent {
  if (!agent || agent.tenantId !== tenantId) throw new BearerError("agent_unknown", "The agent this token was issued to is no longer registered.");
  if (agent.status !== "active") throw new BearerError("agent_suspended", "An administrator suspended this agent: its tokens no longer work.");
  return { id: agent.id, clientId: agent.clientId, name: agent.name };
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.length > 0 ? v : undefined;
}
