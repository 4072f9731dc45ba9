import "server-only";
// Token families: everything one consent issued to one OAuth client (its delegations, its rotating
// refresh tokens). Authorization codes and refresh tokens are opaque random strings stored only as
// SHA-256 hashes; each is used once. A code or refresh token presented a second time means someone
// else holds a copy, so the whole family is revoked: its refresh tokens stop working and its
// delegations are revoked, which stops the access tokens already out (they stand on them).
import { createHash, randomBytes } from "node:crypto";

import { appendAudit } from "@/lib/audit/append";
import { getDb } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";

type Tx = Prisma.TransactionClient;

export const CODE_PREFIX = "vac_";
export const REFRESH_PREFIX = "vrt_";
/** An authorization code lives at most this long (OAuth 2.1 recommends no more than ten minutes; MCP clients redeem at once). */
export const CODE_SECONDS = 60;
/** A refresh token lives at most this long, and never past the family's last delegation. */
export const REFRESH_SECONDS = 30 * 86_400;

/** A fresh opaque secret with its storage hash. */
export function newOpaque(prefix: string): { value: string; hash: string } {
  const value = `${prefix}${randomBytes(32).toString("base64url")}`;
  return { value, hash: hashOpaque(value) };
}

export function hashOpaque(value: string): string {
  return createHash("sha256").update(value).digest("base64url");
}

/** Issues the next refresh token of a family, ending no later than `latest`. */
export async function issueRefreshToken(tx: Tx, familyId: string, latest: Date, now = new Date()): Promise<{ value: string; expiresAt: Date }> {
  const { value, hash } = newOpaque(REFRESH_PREFIX);
  const expiresAt = new Date(Math.min(now.getTime() + REFRESH_SECONDS * 1000, latest.getTime()));
  await tx.refreshToken.create({ data: { tokenHash: hash, familyId, expiresAt, createdAt: now } });
  return { value, expiresAt };
}

export type FamilyRevocation = { familyId: string; reason: string; actorArn?: string | null };

/**
 * Revokes a family and its delegations in the caller's transaction, with its audit event. Revoking
 * an already revoked family changes nothing and records nothing.
 */
export async function revokeFamilyIn(tx: Tx, input: FamilyRevocation, now = new Date()): Promise<boolean> {
  const family = await tx.tokenFamily.findUnique({ where: { id: input.familyId } });
  if (!family) return false;
  const { count } = await tx.tokenFamily.updateMany({ where: { id: family.id, revokedAt: null }, data: { revokedAt: now, revokedReason: input.reason } });
  if (count === 0) return false;
  const revoked = await tx.delegation.updateMany({ where: { id: { in: family.delegationIds }, revokedAt: null }, data: { revokedAt: now } });
  await appendAudit(tx, {
    tenantId: family.tenantId,
    action: "oauth.family_revoke",
    outcome: "success",
    actorArn: input.actorArn ?? null,
    agentId: family.agentId,
    target: family.id,
    details: { clientId: family.clientId, reason: input.reason, delegations: family.delegationIds, delegationsRevoked: revoked.count },
  });
  return true;
}

/** The same in a transaction of its own (after a refused request, whose own writes rolled back). */
export async function revokeFamily(input: FamilyRevocation): Promise<boolean> {
  const db = await getDb();
  return db.$transaction((tx) => revokeFamilyIn(tx, input));
}
