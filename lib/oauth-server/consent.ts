import "server-only";
// The person's consent to an OAuth client (an MCP client), between GET /api/oauth/authorize and the
// client's redirect URI. The page shows the client as it describes itself ("unverified" unless the
// tenant verified it) and offers, per connection of the person's, exactly what the client's agent
// ceiling allows (the same rules as the grant form). Approving writes, in one transaction: one
// ordinary delegation per chosen connection, the token family they form, the single-use code, and
// the request marked used, each grant with its audit event. A request is decided once.
import { randomUUID } from "node:crypto";

import { readCeiling } from "@/lib/agents/ceiling";
import { appendAudit } from "@/lib/audit/append";
import { observeGrant } from "@/lib/containment/detectors";
import { getDb } from "@/lib/db";
import { checkDelegation, writeDelegation, type CheckedGrant } from "@/lib/delegations/delegations";
import { agentOptions, type AgentOptions } from "@/lib/delegations/grant-rules";
import type { ConsentBody } from "@/lib/delegations/consent-schema";
import type { CreateDelegation } from "@/lib/delegations/schemas";
import { ConflictError, ForbiddenError, NotFoundError } from "@/lib/errors";
import { resolveClient, type ResolvedClient } from "@/lib/oauth-clients/resolve";
import { clientStandingFor } from "@/lib/oauth-clients/tenant-clients";
import { getTenantProvider } from "@/lib/providers/registry";
import type { Person } from "@/lib/tenancy/people";

import { AuthorizeError, codeRedirect, errorRedirect } from "./authorize";
import { CODE_PREFIX, CODE_SECONDS, newOpaque } from "./families";

export type ConsentClient = { id: string; name: string; logoUri: string | null; clientUri: string | null; redirectHost: string; verified: boolean };
export type ConsentConnection = { connectionId: string; provider: string; providerName: string; label: string; options: AgentOptions };

export type ConsentView =
  | { kind: "gone"; detail: string }
  | { kind: "refused"; client: ConsentClient; detail: string; cancelUrl: string }
  | { kind: "pending"; client: ConsentClient; cancelUrl: string }
  | { kind: "ask"; requestId: string; client: ConsentClient; agentName: string; connections: ConsentConnection[]; serverTime: string };

const GONE = "This request has expired or was already answered: go back to the application and connect again.";

type RequestRow = { id: string; clientId: string; redirectUri: string; state: string | null; codeChallenge: string; resource: string; expiresAt: Date };

async function openRequest(id: string, now: Date): Promise<RequestRow | null> {
  if (typeof id !== "string" || id.length > 100) return null;
  const db = await getDb();
  const row = await db.authorizationRequest.findUnique({ where: { id } });
  if (!row || row.consumedAt || row.expiresAt <= now) return null;
  return row;
}

function clientView(client: ResolvedClient, redirectUri: string): ConsentClient {
  return {
    id: client.id,
    name: client.name,
    logoUri: client.logoUri,
    clientUri: client.clientUri,
    redirectHost: new URL(redirectUri).host || new URL(redirectUri).protocol,
    verified: client.verified,
  };
}

const cancelUrl = (r: RequestRow) => errorRedirect(r.redirectUri, new AuthorizeError("access_denied", "The person did not give access."), r.state);

export async function loadConsent(person: Person, requestId: string, now = new Date()): Promise<ConsentView> {
  const request = await openRequest(requestId, now);
  if (!request) return { kind: "gone", detail: GONE };
  const client = await resolveClient(request.clientId);
  const view = clientView(client, request.redirectUri);
  const standing = await clientStandingFor({ tenantId: person.tenantId, client, person });
  if (standing.status === "pending") return { kind: "pending", client: view, cancelUrl: cancelUrl(request) };
  if (standing.status === "blocked") {
    return { kind: "refused", client: view, detail: `An administrator of your organisation blocked ${client.name}.`, cancelUrl: cancelUrl(request) };
  }
  if (standing.status === "not_allowed") return { kind: "refused", client: view, detail: standing.reason, cancelUrl: cancelUrl(request) };
  if (standing.agent.status !== "active") {
    return { kind: "refused", client: view, detail: `An administrator suspended ${client.name} in your organisation.`, cancelUrl: cancelUrl(request) };
  }

  const db = await getDb();
  const [agent, connections] = await Promise.all([
    db.agent.findUniqueOrThrow({ where: { id: standing.agent.id }, select: { id: true, name: true, status: true, ceiling: true } }),
    db.connection.findMany({
      where: { tenantId: person.tenantId, userId: person.id, status: { not: "revoked" } },
      select: { id: true, providerKey: true, status: true, scopes: true, label: true },
      orderBy: { createdAt: "asc" },
    }),
  ]);
  const ruleAgent = { ...agent, ceiling: readCeiling(agent.ceiling) };
  const offered: ConsentConnection[] = [];
  for (const c of connections) {
    const provider = await getTenantProvider(person.tenantId, c.providerKey);
    const providerName = provider?.definition.name ?? c.providerKey;
    const scopes = (provider?.definition.scopes ?? []).map((s) => ({ scope: s.name, description: s.description }));
    const options = agentOptions(ruleAgent, { provider: c.providerKey, providerName, status: c.status, scopes: c.scopes }, scopes);
    offered.push({ connectionId: c.id, provider: c.providerKey, providerName, label: c.label, options: { ...options, agentName: client.name } });
  }
  return { kind: "ask", requestId: request.id, client: view, agentName: client.name, connections: offered, serverTime: now.toISOString() };
}

/** The person's decision; answers where to send the browser (the client's redirect URI). */
export async function decideConsent(person: Person, requestId: string, body: ConsentBody, now = new Date()): Promise<{ location: string }> {
  const request = await openRequest(requestId, now);
  if (!request) throw new NotFoundError(GONE, "authorization_request_gone");
  const db = await getDb();
  if (body.decision === "deny") {
    const { count } = await db.authorizationRequest.updateMany({ where: { id: request.id, consumedAt: null }, data: { consumedAt: now } });
    if (count === 0) throw new NotFoundError(GONE, "authorization_request_gone");
    return { location: cancelUrl(request) };
  }

  const client = await resolveClient(request.clientId);
  const standing = await clientStandingFor({ tenantId: person.tenantId, client, person });
  if (standing.status !== "approved" || standing.agent.status !== "active") {
    throw new ForbiddenError(`${client.name} may not be connected in your organisation at the moment.`, "client_not_approved");
  }
  const agentId = standing.agent.id;
  const checked: Array<{ body: CreateDelegation; ok: CheckedGrant }> = [];
  for (const grant of body.grants) {
    const full: CreateDelegation = { ...grant, agentId, expiresAt: body.expiresAt, allowServiceAccount: false };
    const ok = await checkDelegation(person, full, now);
    checked.push({ body: full, ok });
  }

  const code = newOpaque(CODE_PREFIX);
  const familyId = randomUUID();
  const granted: Array<{ id: string; agentId: string; connectionId: string; scopes: string[] }> = [];
  await db.$transaction(async (tx) => {
    // Decided once: of two tabs approving the same request, one wins and the other writes nothing.
    const { count } = await tx.authorizationRequest.updateMany({
      where: { id: request.id, consumedAt: null, expiresAt: { gt: now } },
      data: { consumedAt: now },
    });
    if (count === 0) throw new ConflictError(GONE, "authorization_request_gone");
    const delegationIds: string[] = [];
    for (const { body: grant, ok } of checked) {
      const row = await writeDelegation(tx, person, ok, grant, { oauthClient: client.id, tokenFamily: familyId });
      delegationIds.push(row.id);
      granted.push({ id: row.id, agentId: ok.agent.id, connectionId: ok.connection.id, scopes: grant.scopes });
    }
    await tx.tokenFamily.create({
      data: {
        id: familyId,
        tenantId: person.tenantId,
        clientId: client.id,
        agentId,
        userId: person.id,
        resource: request.resource,
        delegationIds,
        createdAt: now,
      },
    });
    await tx.authorizationCode.create({
      data: {
        codeHash: code.hash,
        clientId: client.id,
        tenantId: person.tenantId,
        userId: person.id,
        agentId,
        redirectUri: request.redirectUri,
        codeChallenge: request.codeChallenge,
        resource: request.resource,
        familyId,
        expiresAt: new Date(now.getTime() + CODE_SECONDS * 1000),
        createdAt: now,
      },
    });
    await appendAudit(tx, {
      tenantId: person.tenantId,
      action: "oauth.consent",
      outcome: "success",
      actorArn: person.arn,
      agentId,
      target: client.id,
      details: { tokenFamily: familyId, delegations: delegationIds, redirectHost: new URL(request.redirectUri).host, verified: client.verified },
    });
  });
  for (const g of granted) await observeGrant({ tenantId: person.tenantId, what: "delegation", ...g });
  return { location: codeRedirect(request.redirectUri, code.value, request.state) };
}
