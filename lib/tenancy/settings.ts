import "server-only";
// A tenant's own settings, for its administrators. Today one switch: whether a tenant service account
// may ever stand in for a person's unusable connection (lib/orchestration/credential.ts reads it on every
// action and token exchange, so turning it off bites at once). Who is asking is checked here, and a
// change commits together with its audit event, which records the values before and after.
import { appendAudit, lockAuditHead } from "@/lib/audit/append";
import { getDb } from "@/lib/db";
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import type { Person } from "@/lib/tenancy/people";

import { tenantSettingsDto, type TenantSettingsDto, type UpdateTenantSettings } from "./schemas";

export const TENANT_SETTINGS_AUDIT_ACTION = "tenant.settings";

const columns = { id: true, name: true, allowServiceAccounts: true } as const;
const NO_TENANT = "Your organisation is not known to the vault any more: sign in again.";

function assertAdmin(person: Person): void {
  if (person.role !== "admin") throw new ForbiddenError("Only an administrator of your organisation can change its settings.");
}

export async function getTenantSettings(admin: Person): Promise<TenantSettingsDto> {
  assertAdmin(admin);
  const db = await getDb();
  const row = await db.tenant.findUnique({ where: { id: admin.tenantId }, select: columns });
  if (!row) throw new NotFoundError(NO_TENANT);
  return tenantSettingsDto.parse(row);
}

/** Applies what changed and audits it (before and after); an unchanged value writes nothing. */
export async function updateTenantSettings(admin: Person, body: UpdateTenantSettings): Promise<TenantSettingsDto> {
  assertAdmin(admin);
  const db = await getDb();
  return db.$transaction(async (tx) => {
    // The tenant's audit lock first: two administrators flipping the switch at once are recorded in
    // the order they happened, each with the value it really replaced.
    await lockAuditHead(tx, admin.tenantId);
    const before = await tx.tenant.findUnique({ where: { id: admin.tenantId }, select: columns });
    if (!before) throw new NotFoundError(NO_TENANT);
    if (before.allowServiceAccounts === body.allowServiceAccounts) return tenantSettingsDto.parse(before);
    const after = await tx.tenant.update({ where: { id: admin.tenantId }, data: { allowServiceAccounts: body.allowServiceAccounts }, select: columns });
    await appendAudit(tx, {
      tenantId: admin.tenantId,
      action: TENANT_SETTINGS_AUDIT_ACTION,
      outcome: "success",
      actorArn: admin.arn,
      target: admin.tenantId,
      details: { before: { allowServiceAccounts: before.allowServiceAccounts }, after: { allowServiceAccounts: after.allowServiceAccounts } },
    });
    return tenantSettingsDto.parse(after);
  });
}
