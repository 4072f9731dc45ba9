import "server-only";
// The agent an approved client acts as in one tenant: created when the client is approved (by an
// administrator or by the tenant's policy), with no secret and no keys (it never authenticates at the
// token endpoint itself: its tokens come from people's consent), and the ceiling it was approved
// with, which is the only ceiling the client ever gets; the PDP enforces it on every delegation.
// Touches Agent rows, inside the caller's transaction.
import { createHash } from "node:crypto";

import type { Ceiling } from "@/lib/agents/ceiling";
import { generateClientId } from "@/lib/agents/credentials";
import type { Prisma } from "@/lib/generated/prisma/client";

type Tx = Prisma.TransactionClient;

export type BackingAgent = { id: string; clientId: string; tenantId: string; status: "active" | "suspended" };

const MAX_NAME = 80;
const SUFFIX = " (MCP client)";

/** "<client name> (MCP client)", told apart from an agent of the same name by a short mark of the client id. */
async function freeName(tx: Tx, tenantId: string, clientName: string, oauthClientId: string): Promise<string> {
  const mark = createHash("sha256").update(oauthClientId).digest("hex").slice(0, 6);
  const candidates = [
    `${clientName.slice(0, MAX_NAME - SUFFIX.length)}${SUFFIX}`,
    `${clientName.slice(0, MAX_NAME - SUFFIX.length - 7)} (MCP client ${mark})`,
    `${clientName.slice(0, MAX_NAME - SUFFIX.length - 16)} (MCP client ${mark}-${Date.now().toString(36)})`,
  ];
  for (const name of candidates) {
    const taken = await tx.agent.findFirst({ where: { tenantId, name: { equals: name, mode: "insensitive" } }, select: { id: true } });
    if (!taken) return name;
  }
  return candidates.at(-1)!;
}

export async function createBackingAgent(
  tx: Tx,
  input: { tenantId: string; oauthClientId: string; clientName: string; ceiling: Ceiling },
): Promise<BackingAgent> {
  const agent = await tx.agent.create({
    data: {
      tenantId: input.tenantId,
      clientId: generateClientId(),
      name: await freeName(tx, input.tenantId, input.clientName, input.oauthClientId),
      description: `Acts for the MCP client ${input.oauthClientId}`.slice(0, 500),
      ceiling: input.ceiling,
      createdById: null,
    },
    select: { id: true, clientId: true, tenantId: true, status: true },
  });
  return agent;
}
