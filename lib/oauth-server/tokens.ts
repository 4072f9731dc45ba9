import "server-only";
// The access tokens the vault issues (RFC 9068 `at+jwt`, signed with the vault's own key): a
// delegation token lets one agent act for one person on one connection for at most five minutes;
// an agent token only lets the agent make agent-level calls. Both are useless anywhere but here.
import { randomUUID } from "node:crypto";

import { MAX_ISSUED_TOKEN_SECONDS, signVaultJwt } from "@/lib/vault/signing/signing-keys";

import { ACCESS_TOKEN_TYP } from "./bearer";
import { vaultIssuer } from "./issuer";

export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
export const CLIENT_CREDENTIALS_GRANT = "client_credentials";
export const DELEGATION_ID_TOKEN_TYPE = "urn:tokenvault:params:oauth:token-type:delegation-id";
export const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
export const ACCESS_TOKEN_SECONDS = MAX_ISSUED_TOKEN_SECONDS;
/** The one scope of an agent token. */
export const AGENT_SCOPE = "agent";

export type IssuedToken = { token: string; jti: string; iat: number; exp: number; scope: string };

type Agent = { clientId: string; tenantId: string };

export async function issueDelegationToken(input: {
  agent: Agent;
  delegation: { id: string; connectionId: string; userArn: string; expiresAt: Date };
  scopes: readonly string[];
  now?: Date;
}): Promise<IssuedToken> {
  const iat = Math.floor((input.now ?? new Date()).getTime() / 1000);
  // Never outlives the delegation it stands for.
  const exp = Math.min(iat + ACCESS_TOKEN_SECONDS, Math.floor(input.delegation.expiresAt.getTime() / 1000));
  const scope = input.scopes.join(" ");
  const jti = randomUUID();
  const issuer = vaultIssuer();
  const token = await signVaultJwt(
    {
      iss: issuer,
      aud: issuer,
      sub: input.delegation.userArn,
      act: { sub: input.agent.clientId },
      client_id: input.agent.clientId,
      tid: input.agent.tenantId,
      cnx: input.delegation.connectionId,
      del: input.delegation.id,
      scope,
      jti,
      iat,
      exp,
    },
    { typ: ACCESS_TOKEN_TYP },
  );
  return { token, jti, iat, exp, scope };
}

export async function issueAgentToken(input: { agent: Agent; now?: Date }): Promise<IssuedToken> {
  const iat = Math.floor((input.now ?? new Date()).getTime() / 1000);
  const exp = iat + ACCESS_TOKEN_SECONDS;
  const jti = randomUUID();
  const issuer = vaultIssuer();
  const token = await signVaultJwt(
    { iss: issuer, aud: issuer, sub: input.agent.clientId, client_id: input.agent.clientId, tid: input.agent.tenantId, scope: AGENT_SCOPE, jti, iat, exp },
    { typ: ACCESS_TOKEN_TYP },
  );
  return { token, jti, iat, exp, scope: AGENT_SCOPE };
}

export const AUTHORIZATION_CODE_GRANT = "authorization_code";
export const REFRESH_TOKEN_GRANT = "refresh_token";
/** The one scope an MCP client asks for: what it may do is the person's consent, not a scope string. */
export const MCP_SCOPE = "mcp";

/**
 * The access token of an OAuth client a person connected (an MCP client): meant for the MCP endpoint
 * only (`aud` = its resource URL), for one person, standing on one token family whose delegations
 * say what it may do. Every other bearer route refuses it (their audience is the issuer).
 */
export async function issueClientAccessToken(input: {
  agent: Agent;
  userArn: string;
  familyId: string;
  resource: string;
  seconds: number;
  now?: Date;
}): Promise<IssuedToken> {
  const iat = Math.floor((input.now ?? new Date()).getTime() / 1000);
  const exp = iat + Math.min(input.seconds, ACCESS_TOKEN_SECONDS);
  const jti = randomUUID();
  const token = await signVaultJwt(
    {
      iss: vaultIssuer(),
      aud: input.resource,
      sub: input.userArn,
      act: { sub: input.agent.clientId },
      client_id: input.agent.clientId,
      tid: input.agent.tenantId,
      fam: input.familyId,
      scope: MCP_SCOPE,
      jti,
      iat,
      exp,
    },
    { typ: ACCESS_TOKEN_TYP },
  );
  return { token, jti, iat, exp, scope: MCP_SCOPE };
}
