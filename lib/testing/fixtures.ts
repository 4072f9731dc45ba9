// Rows for tests that need agents, connections and delegations without running the connect flow.
// Connections made here hold no token set: enough for anything that decides or issues, not for
// anything that calls a provider (use lib/testing/connect-harness.ts for that).
import { randomBytes, randomUUID } from "node:crypto";
import type { Ceiling } from "@/lib/agents/ceiling";
import { ceilingSchema } from "@/lib/agents/ceiling";
import type { Constraints } from "@/lib/delegations/constraints";
import type { VaultPrismaClient } from "@/lib/db";

type Owner = { id: string; tenantId: string };

export async function insertConnection(
  db: VaultPrismaClient,
  owner: Owner,
  opts: { provider?: string; scopes?: string[]; status?: "active" | "refreshing" | "degraded" | "needs_reconnect" | "revoked"; label?: string } = {},
) {
  return db.connection.create({
    data: {
      tenantId: owner.tenantId,
      userId: owner.id,
      providerKey: opts.provider ?? "demo-tasks",
      accountId: `acct-${randomBytes(4).toString("hex")}`,
      label: opts.label ?? `${owner.id}@demo`,
      status: opts.status ?? "active",
      scopes: opts.scopes ?? ["tasks.read", "tasks.write"],
    },
  });
}

export async function insertAgent(
  db: VaultPrismaClient,
  tenantId: string,
  opts: { name?: string; ceiling?: Partial<Ceiling>; status?: "active" | "suspended"; secretHash?: string; jwks?: object; jwksUri?: string } = {},
) {
  return db.agent.create({
    data: {
      tenantId,
      clientId: `agt_${randomBytes(8).toString("hex")}`,
      name: opts.name ?? `Agent ${randomUUID().slice(0, 6)}`,
      status: opts.status ?? "active",
      ceiling: ceilingSchema.parse(opts.ceiling ?? {}),
      secretHash: opts.secretHash ?? null,
      jwks: opts.jwks ?? undefined,
      jwksUri: opts.jwksUri ?? null,
    },
  });
}

export async function insertDelegation(
  db: VaultPrismaClient,
  input: {
    agentId: string;
    connection: { id: string; tenantId: string; userId: string };
    scopes?: string[];
    tools?: string[];
    constraints?: Partial<Constraints>;
    expiresAt?: Date;
    revokedAt?: Date | null;
    allowServiceAccount?: boolean;
  },
) {
  return db.delegation.create({
    data: {
      tenantId: input.connection.tenantId,
      userId: input.connection.userId,
      agentId: input.agentId,
      connectionId: input.connection.id,
      scopes: input.scopes ?? ["tasks.read"],
      tools: input.tools ?? [],
      constraints: input.constraints ?? {},
      expiresAt: input.expiresAt ?? new Date(Date.now() + 3_600_000),
      revokedAt: input.revokedAt ?? null,
      allowServiceAccount: input.allowServiceAccount ?? false,
    },
  });
}

/** A ceiling that allows everything Demo Tasks offers, for tests about other layers. */
export const DEMO_TASKS_CEILING: Partial<Ceiling> = {
  providers: ["demo-tasks"],
  tools: ["demo-tasks.list_tasks", "demo-tasks.create_task", "demo-tasks.delete_task", "demo-tasks.whoami"],
  methods: ["GET", "POST", "DELETE"],
  pathPatterns: ["/**"],
  maxDelegationSeconds: 30 * 86_400,
};
