import "server-only";
// What a refresh leaves on the connection row, each in a short transaction under the row lock: a
// new token set saved with the lease cleared, or a failure recorded (needs_reconnect on
// invalid_grant, a count and a sentence otherwise); either way an audit event. The row is re-read
// under the lock first, so a lease that ran out never overwrites another owner's newer set.
import type * as oauth from "oauth4webapi";

import { appendAudit } from "@/lib/audit/append";
import { nextStatus, reconnectByFrom } from "@/lib/connections/lifecycle";
import type { ConnectionStatus } from "@/lib/connections/schemas";
import { observeRefreshFailure } from "@/lib/containment/detectors";
import type { VaultPrismaClient } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { log } from "@/lib/log";
import { VaultCallError } from "@/lib/vault/call/errors";
import { aadForConnection } from "@/lib/vault/crypto/aad";
import { getKeyRing } from "@/lib/vault/crypto/keyring";
import { Secret } from "@/lib/vault/crypto/secret";
import { sealTokenSet } from "@/lib/vault/crypto/token-set";
import type { RefreshFailure } from "@/lib/vault/refresh/failures";

export type RefreshTrigger = "on_demand" | "provider_rejected_token" | "engine";
/** refreshed: this owner exchanged the refresh token; current: nothing (more) to do, re-read the row. */
export type RefreshOutcome = "refreshed" | "current";

export type Tx = Prisma.TransactionClient;
export type ClaimedRow = {
  id: string;
  tenantId: string;
  userId: string;
  providerKey: string;
  scopes: string[];
  encBlob: Uint8Array;
  user: { arn: string };
  /** An earlier refresh of this row never finished (its owner stopped while holding the lease). */
  interrupted?: boolean;
};

export const TX_OPTIONS = { maxWait: 15_000, timeout: 15_000 };

export function sameBytes(a: Uint8Array | null, b: Uint8Array | null): boolean {
  return a !== null && b !== null && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

export async function lockRow(tx: Tx, id: string): Promise<boolean> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "Connection" WHERE "id" = ${id} FOR UPDATE`;
  return rows.length === 1;
}

/** Stores a refreshed token set (unless the row changed under the lease) and audits it. */
export async function saveRefreshed(
  owner: string,
  db: VaultPrismaClient,
  row: ClaimedRow,
  name: string,
  tokens: oauth.TokenEndpointResponse,
  previousRefresh: string,
  trigger: RefreshTrigger,
  lifetimeDays?: number,
): Promise<RefreshOutcome> {
  // Registered with the log redactor while they are in flight.
  const live = [new Secret(tokens.access_token), ...(tokens.refresh_token ? [new Secret(tokens.refresh_token)] : [])];
  try {
    const now = new Date();
    const expiresAt = typeof tokens.expires_in === "number" ? new Date(now.getTime() + tokens.expires_in * 1000) : null;
    const granted = typeof tokens.scope === "string" ? tokens.scope.split(/[ ,]+/).filter(Boolean) : null;
    const result = await db.$transaction(async (tx) => {
      await lockRow(tx, row.id);
      const current = await tx.connection.findUnique({ where: { id: row.id }, select: { status: true, encBlob: true, refreshLeaseOwner: true } });
      if (!current || current.status === "revoked" || !current.encBlob) return "gone" as const;
      // Our lease ran out and another owner already stored a newer set: theirs stands.
      if (current.refreshLeaseOwner !== owner && !sameBytes(current.encBlob, row.encBlob)) return "superseded" as const;
      const { blob, keyVersion } = sealTokenSet(getKeyRing(), aadForConnection(row), {
        accessToken: tokens.access_token,
        // Providers that do not rotate keep answering without a refresh_token: the old one stays valid.
        refreshToken: tokens.refresh_token ?? previousRefresh,
        tokenType: tokens.token_type,
        expiresAt: expiresAt?.getTime(),
        scope: (granted ?? row.scopes).join(" "),
      });
      await tx.connection.update({
        where: { id: row.id },
        data: {
          encBlob: blob,
          keyVersion,
          status: nextStatus(current.status, { kind: "refreshed" }),
          // A rotated refresh token starts its own lifetime; a kept one keeps the old end.
          ...(tokens.refresh_token ? { reconnectBy: reconnectByFrom(tokens, lifetimeDays, now) } : {}),
          expiresAt,
          lastRefreshedAt: now,
          failureCount: 0,
          lastError: null,
          refreshLeaseOwner: null,
          refreshLeaseUntil: null,
          ...(granted ? { scopes: granted } : {}),
        },
      });
      await appendAudit(tx, {
        tenantId: row.tenantId,
        actorArn: row.user.arn,
        action: "connection.refresh",
        outcome: "success",
        target: row.id,
        details: {
          provider: row.providerKey,
          trigger,
          expiresAt: expiresAt?.toISOString() ?? null,
          rotated: Boolean(tokens.refresh_token),
          ...(row.interrupted ? { interrupted: true } : {}),
        },
      });
      return "saved" as const;
    }, TX_OPTIONS);
    if (result === "saved" && row.interrupted)
      log.info({ connection: row.id, provider: row.providerKey }, `an interrupted refresh of ${name} tokens was completed with the refresh token the row kept`);
    if (result !== "saved")
      log.warn({ connection: row.id, provider: row.providerKey, result }, `refreshed ${name} tokens were discarded: the connection changed meanwhile`);
    return result === "saved" ? "refreshed" : "current";
  } finally {
    for (const s of live) s.dispose();
  }
}

/** Records a refresh that failed (unless another owner stored a newer set meanwhile) and throws what it means. */
export async function failRefresh(
  owner: string,
  db: VaultPrismaClient,
  row: ClaimedRow,
  failure: RefreshFailure,
  trigger: RefreshTrigger,
): Promise<RefreshOutcome> {
  const result = await db.$transaction(async (tx) => {
    await lockRow(tx, row.id);
    const current = await tx.connection.findUnique({ where: { id: row.id }, select: { status: true, encBlob: true, refreshLeaseOwner: true } });
    if (!current || current.status === "revoked" || !current.encBlob) return "gone" as const;
    if (!sameBytes(current.encBlob, row.encBlob)) {
      // Someone else stored a new set meanwhile (our invalid_grant was their rotation): nothing is wrong.
      if (current.refreshLeaseOwner === owner)
        await tx.connection.update({ where: { id: row.id }, data: { refreshLeaseOwner: null, refreshLeaseUntil: null } });
      return "superseded" as const;
    }
    await recordFailure(tx, row, current.status, failure, trigger, current.refreshLeaseOwner === owner || current.refreshLeaseOwner === null);
    return "recorded" as const;
  }, TX_OPTIONS);
  log.warn({ connection: row.id, provider: row.providerKey, kind: failure.kind, detail: failure.detail, result }, "token refresh failed");
  if (result === "recorded") await observeRefreshFailure({ tenantId: row.tenantId, connectionId: row.id });
  if (result === "superseded") return "current";
  if (result === "gone") throw new VaultCallError("connection_revoked", "This connection was disconnected while the vault was refreshing it.");
  throw new VaultCallError(failure.kind === "invalid_grant" ? "connection_needs_reconnect" : "provider_unavailable", failure.sentence, {
    retryAfterSeconds: failure.retryAfterSeconds,
  });
}

/** Writes a failed refresh onto the row (inside the caller's locking transaction) and audits it. */
export async function recordFailure(
  tx: Tx,
  row: { id: string; tenantId: string; providerKey: string; user: { arn: string } },
  currentStatus: ConnectionStatus,
  failure: RefreshFailure,
  trigger: RefreshTrigger,
  releaseLease = false,
): Promise<void> {
  await tx.connection.update({
    where: { id: row.id },
    data: {
      status: nextStatus(currentStatus, { kind: "refresh_failed", final: failure.kind === "invalid_grant" }),
      lastError: failure.sentence,
      failureCount: { increment: 1 },
      ...(releaseLease ? { refreshLeaseOwner: null, refreshLeaseUntil: null } : {}),
    },
  });
  await appendAudit(tx, {
    tenantId: row.tenantId,
    actorArn: row.user.arn,
    action: "connection.refresh",
    outcome: "failure",
    target: row.id,
    details: {
      provider: row.providerKey,
      trigger,
      code: failure.kind === "invalid_grant" ? "connection_needs_reconnect" : "provider_unavailable",
      detail: failure.detail,
      reason: failure.sentence,
    },
  });
}

/** Gives the lease back after an unexpected error: no outcome, so the status goes back to what the row's failures say. */
export async function releaseLease(owner: string, db: VaultPrismaClient, id: string): Promise<void> {
  await db
    .$transaction(async (tx) => {
      const row = await tx.connection.findFirst({ where: { id, refreshLeaseOwner: owner }, select: { status: true, failureCount: true } });
      if (!row) return;
      const status = nextStatus(row.status, { kind: "refresh_abandoned", failureCount: row.failureCount });
      await tx.connection.updateMany({ where: { id, refreshLeaseOwner: owner }, data: { status, refreshLeaseOwner: null, refreshLeaseUntil: null } });
    }, TX_OPTIONS)
    .catch(() => undefined);
}

/** The refresh token's lifetime is over (inside the caller's locking transaction): needs reconnecting, told to the person, audited. */
export async function endLifetime(
  tx: Tx,
  row: { id: string; tenantId: string; providerKey: string; status: ConnectionStatus; reconnectBy: Date | null; user: { arn: string } },
  name: string,
): Promise<string> {
  const sentence = `${name} stops honouring this connection's refresh token after ${row.reconnectBy?.toISOString().slice(0, 10) ?? "its lifetime"}: connect ${name} again to keep it working.`;
  await tx.connection.update({
    where: { id: row.id },
    data: { status: nextStatus(row.status, { kind: "lifetime_ended" }), lastError: sentence, refreshLeaseOwner: null, refreshLeaseUntil: null },
  });
  await appendAudit(tx, {
    tenantId: row.tenantId,
    actorArn: row.user.arn,
    action: "connection.lifetime_ended",
    outcome: "failure",
    target: row.id,
    details: { provider: row.providerKey, reconnectBy: row.reconnectBy?.toISOString() ?? null, code: "connection_needs_reconnect", reason: sentence },
  });
  return sentence;
}
