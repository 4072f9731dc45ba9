import "server-only";
// A tenant's own settings, for its administrators: whether a tenant service account may ever stand in
// for a person's unusable connection (lib/orchestration/credential.ts reads it on every action and
// token exchange, so turning it off bites at once), and the MCP client policy (lib/oauth-clients/
// policy.ts: who may connect MCP clients and what a new one gets; read whenever someone connects
// one). Who is asking is checked here, and a change commits together with its audit event, which
// records the values before and after of what changed.
import { assertCeilingFits } from "@/lib/agents/agent-rows";
import { appendAudit, lockAuditHead } from "@/lib/audit/append";
import { getDb } from "@/lib/db";
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import { readMcpClientPolicy, type McpClientPolicy } from "@/lib/oauth-clients/policy";
import type { Person } from "@/lib/tenancy/people";

import { tenantSettingsDto, type TenantSettingsDto, type UpdateTenantSettings } from "./schemas";

export const TENANT_SETTINGS_AUDIT_ACTION = "tenant.settings";

const columns = { id: true, name: true, allowServiceAccounts: true, mcpClientPolicy: true } as const;
const NO_TENANT = "Your organisation is not known to the vault any more: sign in again.";

type TenantRow = { id: string; name: string; allowServiceAccounts: boolean; mcpClientPolicy: unknown };

function assertAdmin(person: Person): void {
  if (person.role !== "admin") throw new ForbiddenError("Only an administrator of your organisation can change its settings.");
}

function toDto(row: TenantRow): TenantSettingsDto {
  return tenantSettingsDto.parse({ ...row, mcpClientPolicy: readMcpClientPolicy(row.mcpClientPolicy) });
}

export async function getTenantSettings(admin: Person): Promise<TenantSettingsDto> {
  assertAdmin(admin);
  const db = await getDb();
  const row = await db.tenant.findUnique({ where: { id: admin.tenantId }, select: columns });
  if (!row) throw new NotFoundError(NO_TENANT);
  return toDto(row);
}

/** The policy with the fields sent laid over it. */
function mergedPolicy(current: McpClientPolicy, patch: NonNullable<UpdateTenantSettings["mcpClientPolicy"]>): McpClientPolicy {
  const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  return { ...current, ...defined };
}

/** Applies what changed and audits it (before and after); an unchanged value writes nothing. */
export async function updateTenantSettings(admin: Person, body: UpdateTenantSettings): Promise<TenantSettingsDto> {
  assertAdmin(admin);
  // A default ceiling may name only the tenant's providers and their tools, like any agent's.
  if (body.mcpClientPolicy?.defaultCeiling) await assertCeilingFits(admin.tenantId, body.mcpClientPolicy.defaultCeiling);
  const db = await getDb();
  return db.$transaction(async (tx) => {
    // The tenant's audit lock first: two administrators changing settings at once are recorded in
    // the order they happened, each with the value it really replaced.
    await lockAuditHead(tx, admin.tenantId);
    const before = await tx.tenant.findUnique({ where: { id: admin.tenantId }, select: columns });
    if (!before) throw new NotFoundError(NO_TENANT);
    const data: Prisma.TenantUpdateInput = {};
    const was: Record<string, unknown> = {};
    const now: Record<string, unknown> = {};
    if (body.allowServiceAccounts !== undefined && before.allowServiceAccounts !== body.allowServiceAccounts) {
      data.allowServiceAccounts = body.allowServiceAccounts;
      was.allowServiceAccounts = before.allowServiceAccounts;
      now.allowServiceAccounts = body.allowServiceAccounts;
    }
    if (body.mcpClientPolicy) {
      const current = readMcpClientPolicy(before.mcpClientPolicy);
      const next = mergedPolicy(current, body.mcpClientPolicy);
      if (JSON.stringify(next) !== JSON.stringify(current)) {
        data.mcpClientPolicy = next as Prisma.InputJsonObject;
        was.mcpClientPolicy = current;
        now.mcpClientPolicy = next;
      }
    }
    if (Object.keys(data).length === 0) return toDto(before);
    const after = await tx.tenant.update({ where: { id: admin.tenantId }, data, select: columns });
    await appendAudit(tx, {
      tenantId: admin.tenantId,
      action: TENANT_SETTINGS_AUDIT_ACTION,
      outcome: "success",
      actorArn: admin.arn,
      target: admin.tenantId,
      details: { before: was, after: now },
    });
    return toDto(after);
  });
}
