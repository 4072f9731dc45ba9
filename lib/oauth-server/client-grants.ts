import "server-only";
// The token endpoint's grants for OAuth clients a person connected (MCP clients): the authorization
// code with its PKCE verifier (RFC 6749 §4.1.3, RFC 7636 §4.6, OAuth 2.1) and the rotating refresh
// token. Each answer carries a short access token for the MCP endpoint and the family's next
// refresh token. A code or refresh token used twice revokes its family; a code whose verifier is
// wrong is burnt with what its consent created. Nothing is issued unless its audit event committed.
import { createHash, timingSafeEqual } from "node:crypto";

import { appendAudit } from "@/lib/audit/append";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { authenticateClient, resolveClient, type ResolvedClient } from "@/lib/oauth-clients/resolve";
import { VaultError } from "@/lib/errors";

import { AuthorizeError, readResource } from "./authorize";
import { OAuthError } from "./errors";
import { hashOpaque, issueRefreshToken, revokeFamily } from "./families";
import { familyStanding, type FamilyRow } from "./family-standing";
import { AUTHORIZATION_CODE_GRANT, issueClientAccessToken } from "./tokens";

export type ClientTokenAnswer = { access_token: string; token_type: "Bearer"; expires_in: number; scope: string; refresh_token: string };

// RFC 7636 §4.1: 43 to 128 unreserved characters.
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
const MAX_OPAQUE = 200;
const BAD_CODE = "The authorization code is not valid: it may have expired or been used. Start the sign-in again.";
const BAD_REFRESH = "The refresh token is not valid: it may have been used or revoked. Sign in again.";

export async function clientGrant(req: Request, form: URLSearchParams): Promise<ClientTokenAnswer> {
  const client = await authenticatedClient(req, form);
  checkResource(form);
  return form.get("grant_type") === AUTHORIZATION_CODE_GRANT ? redeemCode(client, form) : rotateRefreshToken(client, form);
}

async function authenticatedClient(req: Request, form: URLSearchParams): Promise<ResolvedClient> {
  const authorization = req.headers.get("authorization");
  const clientId = form.get("client_id") ?? basicUser(authorization);
  if (!clientId) throw new OAuthError("invalid_client", "client_id is missing: send the client_id you registered or your metadata document's URL.");
  try {
    const client = await resolveClient(clientId);
    await authenticateClient(client, { authorization, form });
    return client;
  } catch (e) {
    if (e instanceof VaultError && e.status < 500) throw new OAuthError("invalid_client", e.message);
    throw e;
  }
}

function basicUser(authorization: string | null): string | null {
  const m = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(authorization?.trim() ?? "");
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon > 0 ? decodeURIComponent(decoded.slice(0, colon)) : null;
}

function checkResource(form: URLSearchParams): void {
  const resources = form.getAll("resource");
  if (resources.length > 1) throw new OAuthError("invalid_target", "Send one resource: this vault issues tokens for its MCP server only.");
  try {
    readResource(resources[0] ?? null);
  } catch (e) {
    if (e instanceof AuthorizeError) throw new OAuthError("invalid_target", e.message);
    throw e;
  }
}

async function redeemCode(client: ResolvedClient, form: URLSearchParams): Promise<ClientTokenAnswer> {
  const code = form.get("code");
  const verifier = form.get("code_verifier");
  const redirectUri = form.get("redirect_uri");
  if (!code) throw new OAuthError("invalid_request", "code is missing.");
  if (!verifier) throw new OAuthError("invalid_request", "code_verifier is missing: PKCE is required.");
  if (!redirectUri) throw new OAuthError("invalid_request", "redirect_uri is missing: send the one the authorization request used.");
  if (code.length > MAX_OPAQUE) throw new OAuthError("invalid_grant", BAD_CODE);
  const db = await getDb();
  const now = new Date();
  const row = await db.authorizationCode.findUnique({ where: { codeHash: hashOpaque(code) } });
  // Another client's code is refused and left alone: its owner may still redeem it.
  if (!row || row.clientId !== client.id) throw new OAuthError("invalid_grant", BAD_CODE);
  const burn = async (reason: string) => {
    await revokeFamily({ familyId: row.familyId, reason });
    return new OAuthError("invalid_grant", BAD_CODE, { reason });
  };
  if (row.consumedAt) throw await burn("code_replayed");
  if (row.expiresAt <= now) throw await burn("code_expired");
  if (row.redirectUri !== redirectUri) throw await burn("redirect_uri_mismatch");
  if (!VERIFIER.test(verifier) || !sameChallenge(verifier, row.codeChallenge)) throw await burn("pkce_failed");
  if (readResource(form.get("resource")) !== row.resource) throw new OAuthError("invalid_target", "resource differs from the authorization request's.");

  const family = await db.tokenFamily.findUniqueOrThrow({ where: { id: row.familyId } });
  const standing = await familyStanding(family, now);
  if (!standing.ok) throw new OAuthError("invalid_grant", standing.reason, { reason: standing.code });
  // Signed first (the signing key may be created on first use); it leaves only if the transaction commits.
  const access = await issueAccess(family, standing.delegations[0]!.agent, standing.delegations[0]!.delegation.userArn, now);
  const issued = await db.$transaction(async (tx) => {
    const { count } = await tx.authorizationCode.updateMany({ where: { codeHash: row.codeHash, consumedAt: null }, data: { consumedAt: now } });
    if (count === 0) return null;
    const refresh = await issueRefreshToken(tx, family.id, latestExpiry(standing.delegations), now);
    await appendAudit(tx, grantEvent(family, "token.authorization_code", access, standing.delegations[0]!.delegation.userArn));
    return { refresh, access };
  });
  // Redeemed by a concurrent request a moment ago: the same as a replay.
  if (!issued) throw await burn("code_replayed");
  return answer(issued.access, issued.refresh.value);
}

async function rotateRefreshToken(client: ResolvedClient, form: URLSearchParams): Promise<ClientTokenAnswer> {
  const value = form.get("refresh_token");
  if (!value) throw new OAuthError("invalid_request", "refresh_token is missing.");
  if (value.length > MAX_OPAQUE) throw new OAuthError("invalid_grant", BAD_REFRESH);
  const db = await getDb();
  const now = new Date();
  const row = await db.refreshToken.findUnique({ where: { tokenHash: hashOpaque(value) }, include: { family: true } });
  if (!row || row.family.clientId !== client.id) throw new OAuthError("invalid_grant", BAD_REFRESH);
  const family = row.family;
  const replayed = async () => {
    await revokeFamily({ familyId: family.id, reason: "refresh_token_replayed" });
    return new OAuthError("invalid_grant", BAD_REFRESH, { reason: "refresh_token_replayed" });
  };
  if (row.usedAt) throw await replayed();
  if (row.expiresAt <= now) throw new OAuthError("invalid_grant", BAD_REFRESH, { reason: "refresh_token_expired" });
  if (readResource(form.get("resource")) !== family.resource) throw new OAuthError("invalid_target", "resource differs from the one this token is for.");
  const standing = await familyStanding(family, now);
  if (!standing.ok) throw new OAuthError("invalid_grant", standing.reason, { reason: standing.code });

  const access = await issueAccess(family, standing.delegations[0]!.agent, standing.delegations[0]!.delegation.userArn, now);
  const issued = await db.$transaction(async (tx) => {
    const { count } = await tx.refreshToken.updateMany({ where: { tokenHash: row.tokenHash, usedAt: null }, data: { usedAt: now } });
    if (count === 0) return null;
    const refresh = await issueRefreshToken(tx, family.id, latestExpiry(standing.delegations), now);
    await appendAudit(tx, grantEvent(family, "token.refresh", access, standing.delegations[0]!.delegation.userArn));
    return { refresh, access };
  });
  if (!issued) throw await replayed();
  return answer(issued.access, issued.refresh.value);
}

function sameChallenge(verifier: string, challenge: string): boolean {
  const computed = Buffer.from(createHash("sha256").update(verifier, "ascii").digest("base64url"));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}

function latestExpiry(delegations: ReadonlyArray<{ delegation: { expiresAt: Date } }>): Date {
  return new Date(Math.max(...delegations.map((d) => d.delegation.expiresAt.getTime())));
}

type Access = Awaited<ReturnType<typeof issueClientAccessToken>>;

function issueAccess(family: FamilyRow, agent: { clientId: string; tenantId: string }, userArn: string, now: Date): Promise<Access> {
  return issueClientAccessToken({ agent, userArn, familyId: family.id, resource: family.resource, seconds: env().mcpAccessTokenSeconds, now });
}

function grantEvent(family: FamilyRow, action: string, access: Access, userArn: string) {
  return {
    tenantId: family.tenantId,
    action,
    outcome: "success" as const,
    actorArn: userArn,
    agentId: family.agentId,
    target: family.clientId,
    details: { tokenFamily: family.id, tokenId: access.jti, expiresAt: new Date(access.exp * 1000).toISOString(), resource: family.resource },
  };
}

function answer(access: Access, refreshToken: string): ClientTokenAnswer {
  return { access_token: access.token, token_type: "Bearer", expires_in: access.exp - access.iat, scope: access.scope, refresh_token: refreshToken };
}
