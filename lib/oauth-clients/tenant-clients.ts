import "server-only";
// A client's standing in one tenant, asked when a person of that tenant tries to connect it: the
// tenant's policy first (whoMayConnect: a person it does not cover is refused, and nothing is
// written), then the client's TenantClient row. On first sight the row is created, requested by that
// person: pending until an administrator approves it, or (newClients "tenant_default") approved at
// once and backed by a new agent with the tenant's default ceiling. The first sight is made under the
// tenant's audit lock, so two people connecting the same new client at once make one row and one
// agent. A blocked client stays blocked; a suspended backing agent means a suspended client; an
// approved client whose agent was deleted waits for approval again. The backing agent's ceiling is
// the only ceiling the client ever gets. Touches TenantClient and Agent rows and the audit log.
import { appendAudit, lockAuditHead } from "@/lib/audit/append";
import { getDb } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";

import { createBackingAgent, type BackingAgent } from "./backing-agent";
import { ClientError } from "./errors";
import { connectRefusal, readMcpClientPolicy } from "./policy";
import { redirectHosts } from "./redirect-uris";
import type { ResolvedClient } from "./resolve";

export type ClientStanding =
  | { status: "approved"; agent: { id: string; clientId: string; tenantId: string; status: "active" | "suspended" } }
  | { status: "pending" }
  | { status: "blocked" }
  | { status: "not_allowed"; reason: string };

export const CLIENT_AUDIT = {
  request: "mcp_client.request",
  approve: "mcp_client.approve",
  block: "mcp_client.block",
  suspend: "mcp_client.suspend",
  resume: "mcp_client.resume",
  ceiling: "mcp_client.ceiling",
  delete: "mcp_client.delete",
} as const;

const agentColumns = { id: true, clientId: true, tenantId: true, status: true } as const;

type StandingRow = { status: "pending" | "approved" | "blocked"; agent: BackingAgent | null };

function standingOf(row: StandingRow): ClientStanding {
  if (row.status === "blocked") return { status: "blocked" };
  // Approved, but its agent was deleted (on the Agents page): an administrator must approve it again.
  if (row.status === "approved" && row.agent) return { status: "approved", agent: { ...row.agent } };
  return { status: "pending" };
}

export async function clientStandingFor(input: {
  tenantId: string;
  client: ResolvedClient;
  person: { id: string; role: "admin" | "user" };
}): Promise<ClientStanding> {
  const { tenantId, client, person } = input;
  const db = await getDb();
  const [tenant, user] = await Promise.all([
    db.tenant.findUnique({ where: { id: tenantId }, select: { mcpClientPolicy: true } }),
    db.user.findFirst({ where: { id: person.id, tenantId }, select: { arn: true, role: true } }),
  ]);
  if (!tenant) throw new NotFoundError("Your organisation is not known to the vault any more: sign in again.");
  if (!user) return { status: "not_allowed", reason: "You are not a member of this organisation: sign in with your own account and try again." };
  // The role as stored now, not as the caller remembered it.
  const refusal = connectRefusal(readMcpClientPolicy(tenant.mcpClientPolicy), user.role);
  if (refusal) return { status: "not_allowed", reason: refusal };

  const where = { tenantId_clientId: { tenantId, clientId: client.id } };
  const seen = await db.tenantClient.findUnique({ where, select: { status: true, agent: { select: agentColumns } } });
  if (seen) return standingOf(seen);

  return db.$transaction(async (tx) => {
    // Serializes first sights in this tenant: whoever comes second finds the row the first made.
    await lockAuditHead(tx, tenantId);
    const again = await tx.tenantClient.findUnique({ where, select: { status: true, agent: { select: agentColumns } } });
    if (again) return standingOf(again);
    const known = await tx.oAuthClient.findUnique({ where: { id: client.id }, select: { id: true } });
    if (!known) throw new ClientError("This client is not recorded by the vault: register it again, or use its client ID metadata document URL.");
    // Read under the lock: an administrator changing the policy meanwhile is either wholly before or after.
    const policy = readMcpClientPolicy((await tx.tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { mcpClientPolicy: true } })).mcpClientPolicy);
    const automatic = policy.newClients === "tenant_default";
    const agent = automatic
      ? await createBackingAgent(tx, { tenantId, oauthClientId: client.id, clientName: client.name, ceiling: policy.defaultCeiling })
      : null;
    const now = new Date();
    await tx.tenantClient.create({
      data: {
        tenantId,
        clientId: client.id,
        status: automatic ? "approved" : "pending",
        agentId: agent?.id ?? null,
        requestedById: person.id,
        decidedAt: automatic ? now : null,
      },
    });
    const about = { clientId: client.id, name: client.name, kind: client.kind, redirectHosts: redirectHosts(client.redirectUris) };
    await appendAudit(tx, {
      tenantId,
      action: CLIENT_AUDIT.request,
      outcome: "success",
      actorArn: user.arn,
      target: client.id,
      details: { ...about, status: automatic ? "approved" : "pending" },
    });
    if (agent) {
      await appendAudit(tx, {
        tenantId,
        action: CLIENT_AUDIT.approve,
        outcome: "success",
        actorArn: null,
        agentId: agent.id,
        target: client.id,
        details: { ...about, automatic: true, agentId: agent.id, ceiling: policy.defaultCeiling },
      });
    }
    return standingOf({ status: automatic ? "approved" : "pending", agent });
  });
}
