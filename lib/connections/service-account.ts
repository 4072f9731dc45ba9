import "server-only";
// Marking a tenant service account: an administrator lets one of their OWN connections stand in when
// a person's connection of the same provider stops working (lib/orchestration/credential.ts decides when,
// behind three more gates: the tenant switch, the agent's ceiling and the delegation). At most one per
// tenant and provider: marking a second unmarks the first in the same transaction, under the tenant's
// audit lock, so two administrators marking at once cannot leave two marked. Every change is audited.
import { appendAudit, lockAuditHead } from "@/lib/audit/append";
import { getDb } from "@/lib/db";
import { ConflictError, ForbiddenError, NotFoundError } from "@/lib/errors";
import { isUsableConnection } from "@/lib/pdp/connection";
import type { Person } from "@/lib/tenancy/people";

import { connectionDtoColumns, toConnectionDto } from "./connections";
import type { ConnectionDto } from "./schemas";

export const SERVICE_ACCOUNT_AUDIT_ACTION = "connection.service_account";

/** Someone else's connection answers exactly like a missing one, so ids cannot be probed. */
export const NOT_MY_CONNECTION = "No connection with this id belongs to you: it may have been disconnected already.";

export type ServiceAccountResult = {
  connection: ConnectionDto;
  /** How many other connections of the same provider stopped being the service account. */
  unmarked: number;
};

export async function setServiceAccount(admin: Person, connectionId: string, serviceAccount: boolean): Promise<ServiceAccountResult> {
  if (admin.role !== "admin") throw new ForbiddenError("Only an administrator of your organisation can choose its service accounts.");
  const db = await getDb();
  return db.$transaction(async (tx) => {
    await lockAuditHead(tx, admin.tenantId);
    const row = await tx.connection.findFirst({
      where: { id: connectionId, tenantId: admin.tenantId, userId: admin.id },
      select: { ...connectionDtoColumns, revokedAt: true },
    });
    if (!row) throw new NotFoundError(NOT_MY_CONNECTION);
    if (row.isServiceAccount === serviceAccount) return { connection: toConnectionDto(row), unmarked: 0 };
    if (serviceAccount && (row.revokedAt || !isUsableConnection(row.status))) {
      throw new ConflictError(
        row.status === "revoked" || row.revokedAt
          ? "This connection is disconnected, so it cannot stand in for anyone: connect the account again, then mark it."
          : "This connection needs reconnecting, so it cannot stand in for anyone: reconnect it, then mark it.",
        "connection_unavailable",
      );
    }

    const others = serviceAccount
      ? await tx.connection.findMany({
          where: { tenantId: admin.tenantId, providerKey: row.providerKey, isServiceAccount: true, id: { not: row.id } },
          select: { id: true },
        })
      : [];
    if (others.length > 0) await tx.connection.updateMany({ where: { id: { in: others.map((o) => o.id) } }, data: { isServiceAccount: false } });
    const updated = await tx.connection.update({ where: { id: row.id }, data: { isServiceAccount: serviceAccount }, select: connectionDtoColumns });
    await appendAudit(tx, {
      tenantId: admin.tenantId,
      action: SERVICE_ACCOUNT_AUDIT_ACTION,
      outcome: "success",
      actorArn: admin.arn,
      target: row.id,
      details: { provider: row.providerKey, account: row.label, serviceAccount, ...(others.length ? { replaced: others.map((o) => o.id) } : {}) },
    });
    return { connection: toConnectionDto(updated), unmarked: others.length };
  });
}
