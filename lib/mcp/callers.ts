import "server-only";
// Who an MCP request acts for. Two kinds of bearer reach the MCP endpoint: a delegation token (an
// agent exchanged one delegation; aud = the issuer) and an OAuth client's access token (a person
// connected an MCP client; aud = the MCP resource), which stands on the delegations of one token
// family. Either way the request gets one caller per delegation that holds now; the MCP server
// offers the tools of all of them. A client token is re-judged on every request: a revoked family,
// a suspended client or delegations that no longer hold refuse it at once.
import { decodeJwt } from "jose";

import { getDb } from "@/lib/db";
import { authenticateBearer, BearerError, bearerToken, callerFromFacts, verifyAccessToken, type DelegationCaller } from "@/lib/oauth-server/bearer";
import { familyStanding } from "@/lib/oauth-server/family-standing";

import { mcpResourceUrl } from "./resource";

export type McpCallers = { kind: "delegation" | "client"; callers: DelegationCaller[] };

const NOT_FOR_MCP = "MCP tools act for a person: use a delegation access token (token exchange with a delegation id), not an agent token.";

export async function authenticateMcp(req: Request): Promise<McpCallers> {
  const token = bearerToken(req);
  let aud: unknown;
  try {
    // Only to choose how to verify: both paths check the signature and every claim themselves.
    aud = decodeJwt(token).aud;
  } catch {
    throw new BearerError("token_invalid", "The access token is not valid here: connect again to get a new one.");
  }
  if (aud === mcpResourceUrl()) return { kind: "client", callers: await clientCallers(token) };
  const caller = await authenticateBearer(req);
  if (caller.kind !== "delegation") throw new WrongTokenKind(NOT_FOR_MCP);
  return { kind: "delegation", callers: [caller] };
}

/** An agent token at the MCP endpoint: authenticated, but not something tools can act with (403). */
export class WrongTokenKind extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = "WrongTokenKind";
  }
}

async function clientCallers(token: string): Promise<DelegationCaller[]> {
  const claims = await verifyAccessToken(token, mcpResourceUrl());
  const familyId = typeof claims.fam === "string" ? claims.fam : null;
  const clientId = typeof claims.client_id === "string" ? claims.client_id : null;
  const tenantId = typeof claims.tid === "string" ? claims.tid : null;
  if (!familyId || !clientId || !tenantId || typeof claims.sub !== "string") throw new BearerError("token_invalid", "The access token is not valid here.");
  const db = await getDb();
  const family = await db.tokenFamily.findUnique({ where: { id: familyId } });
  if (!family || family.tenantId !== tenantId)
    throw new BearerError("delegation_unknown", "This connection of the application no longer exists: connect it again.");
  const standing = await familyStanding(family);
  if (!standing.ok) {
    if (standing.code === "agent_suspended") throw new BearerError("agent_suspended", standing.reason);
    throw new BearerError("delegation_revoked", standing.reason);
  }
  const live = standing.delegations.filter((f) => f.agent.clientId === clientId && f.delegation.userArn === claims.sub);
  if (live.length === 0) throw new BearerError("delegation_unknown", "This token does not match the connection it was issued for.");
  return live.map((facts) => callerFromFacts(facts, { jti: claims.jti!, exp: claims.exp!, sub: claims.sub!, clientId }));
}
