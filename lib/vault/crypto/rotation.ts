import "server-only";
// Re-encrypts every stored ciphertext under the ring's current master key version while the portal
// keeps serving: old versions still decrypt until they are retired, and each row is swapped with an
// optimistic check (same key version AND same ciphertext bytes), so a row a live instance rewrote in
// the meantime is skipped and counted, never overwritten with stale plaintext.
import type { VaultPrismaClient } from "@/lib/db";

import { aadForConnection, aadForPendingAuthorization, aadForProviderRegistration, aadForSigningKey, aadForWebhook } from "@/lib/vault/crypto/aad";
import { type AadContext, decrypt, encrypt } from "@/lib/vault/crypto/encryption";
import type { KeyRing } from "@/lib/vault/crypto/keyring";

export const ROTATED_TABLES = ["Connection", "ProviderRegistration", "PendingAuthorization", "SigningKey", "Webhook"] as const;
export type RotatedTable = (typeof ROTATED_TABLES)[number];

export type TableCounts = { scanned: number; reencrypted: number; skippedConcurrent: number; failed: number };
export type RotationFailure = { table: RotatedTable; rowId: string; reason: string };
export type RotationResult = TableCounts & {
  byTable: Record<RotatedTable, TableCounts>;
  /** The first failures (a row that could not be decrypted), for the operator to look at. */
  failures: RotationFailure[];
};

export type RotationOptions = {
  batchSize?: number;
  /** Called after each batch, so a long sweep shows progress. */
  onProgress?: (table: RotatedTable, counts: TableCounts) => void;
};

type Candidate = { rowId: string; blob: Uint8Array<ArrayBuffer>; keyVersion: number | null; ctx: AadContext; updatedAt?: Date };

type TableOps = {
  /** Rows after `after` (by key) holding a blob under a version below `below`, oldest key first. */
  page(after: string | null, take: number, below: number): Promise<Candidate[]>;
  /** Swaps the blob only if the row still holds exactly the one read; returns rows changed (0 or 1). */
  swap(c: Candidate, blob: Uint8Array<ArrayBuffer>, keyVersion: number): Promise<number>;
};

const MAX_FAILURES_LISTED = 50;

// A null keyVersion next to a blob is inconsistent; such rows are rotated too (the blob header is the truth).
const stale = (below: number) => ({ OR: [{ keyVersion: { lt: below } }, { keyVersion: null }] });
const after = <K extends string>(key: K, value: string | null) => (value === null ? {} : { [key]: { gt: value } });

function tables(prisma: VaultPrismaClient): Record<RotatedTable, TableOps> {
  return {
    Connection: {
      page: async (cursor, take, below) =>
        (
          await prisma.connection.findMany({
            where: { encBlob: { not: null }, ...stale(below), ...after("id", cursor) },
            orderBy: { id: "asc" },
            take,
            select: { id: true, tenantId: true, userId: true, encBlob: true, keyVersion: true, updatedAt: true },
          })
        ).map((r) => ({ rowId: r.id, blob: r.encBlob!, keyVersion: r.keyVersion, ctx: aadForConnection(r), updatedAt: r.updatedAt })),
      // updatedAt is written back unchanged: a key rotation is not a change a person made to the connection.
      swap: async (c, blob, keyVersion) =>
        (
          await prisma.connection.updateMany({
            where: { id: c.rowId, keyVersion: c.keyVersion, encBlob: { equals: c.blob } },
            data: { encBlob: blob, keyVersion, updatedAt: c.updatedAt },
          })
        ).count,
    },
    ProviderRegistration: {
      page: async (cursor, take, below) =>
        (
          await prisma.providerRegistration.findMany({
            where: { encBlob: { not: null }, ...stale(below), ...after("id", cursor) },
            orderBy: { id: "asc" },
            take,
            select: { id: true, tenantId: true, encBlob: true, keyVersion: true, updatedAt: true },
          })
        ).map((r) => ({ rowId: r.id, blob: r.encBlob!, keyVersion: r.keyVersion, ctx: aadForProviderRegistration(r), updatedAt: r.updatedAt })),
      swap: async (c, blob, keyVersion) =>
        (
          await prisma.providerRegistration.updateMany({
            where: { id: c.rowId, keyVersion: c.keyVersion, encBlob: { equals: c.blob } },
            data: { encBlob: blob, keyVersion, updatedAt: c.updatedAt },
          })
        ).count,
    },
    PendingAuthorization: {
      page: async (cursor, take, below) =>
        (
          await prisma.pendingAuthorization.findMany({
            where: { keyVersion: { lt: below }, ...after("id", cursor) },
            orderBy: { id: "asc" },
            take,
            select: { id: true, tenantId: true, userId: true, encBlob: true, keyVersion: true },
          })
        ).map((r) => ({ rowId: r.id, blob: r.encBlob, keyVersion: r.keyVersion, ctx: aadForPendingAuthorization(r) })),
      swap: async (c, blob, keyVersion) =>
        (
          await prisma.pendingAuthorization.updateMany({
            where: { id: c.rowId, keyVersion: c.keyVersion ?? -1, encBlob: { equals: c.blob } },
            data: { encBlob: blob, keyVersion },
          })
        ).count,
    },
    SigningKey: {
      page: async (cursor, take, below) =>
        (
          await prisma.signingKey.findMany({
            where: { keyVersion: { lt: below }, ...after("kid", cursor) },
            orderBy: { kid: "asc" },
            take,
            select: { kid: true, encBlob: true, keyVersion: true },
          })
        ).map((r) => ({ rowId: r.kid, blob: r.encBlob, keyVersion: r.keyVersion, ctx: aadForSigningKey(r) })),
      swap: async (c, blob, keyVersion) =>
        (
          await prisma.signingKey.updateMany({
            where: { kid: c.rowId, keyVersion: c.keyVersion ?? -1, encBlob: { equals: c.blob } },
            data: { encBlob: blob, keyVersion },
          })
        ).count,
    },
    Webhook: {
      page: async (cursor, take, below) =>
        (
          await prisma.webhook.findMany({
            where: { keyVersion: { lt: below }, ...after("id", cursor) },
            orderBy: { id: "asc" },
            take,
            select: { id: true, tenantId: true, encBlob: true, keyVersion: true },
          })
        ).map((r) => ({ rowId: r.id, blob: r.encBlob, keyVersion: r.keyVersion, ctx: aadForWebhook(r) })),
      swap: async (c, blob, keyVersion) =>
        (
          await prisma.webhook.updateMany({
            where: { id: c.rowId, keyVersion: c.keyVersion ?? -1, encBlob: { equals: c.blob } },
            data: { encBlob: blob, keyVersion },
          })
        ).count,
    },
  };
}

const zero = (): TableCounts => ({ scanned: 0, reencrypted: 0, skippedConcurrent: 0, failed: 0 });

/** Re-encrypts, table by table in batches, every blob under a version older than `ring.current`. */
export async function rotateAllCredentials(prisma: VaultPrismaClient, ring: KeyRing, options: RotationOptions = {}): Promise<RotationResult> {
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 100, 1000));
  const ops = tables(prisma);
  const result: RotationResult = {
    ...zero(),
    byTable: { Connection: zero(), ProviderRegistration: zero(), PendingAuthorization: zero(), SigningKey: zero(), Webhook: zero() },
    failures: [],
  };

  for (const table of ROTATED_TABLES) {
    const counts = result.byTable[table];
    let cursor: string | null = null;
    for (;;) {
      const batch = await ops[table].page(cursor, batchSize, ring.current);
      if (batch.length === 0) break;
      for (const row of batch) {
        counts.scanned++;
        let plaintext: Buffer | null = null;
        try {
          plaintext = decrypt(ring, row.ctx, row.blob);
          const { blob, keyVersion } = encrypt(ring, row.ctx, plaintext);
          if ((await ops[table].swap(row, blob, keyVersion)) === 1) counts.reencrypted++;
          else counts.skippedConcurrent++;
        } catch (e) {
          counts.failed++;
          if (result.failures.length < MAX_FAILURES_LISTED) result.failures.push({ table, rowId: row.rowId, reason: (e as Error).message });
        } finally {
          plaintext?.fill(0);
        }
      }
      cursor = batch[batch.length - 1]!.rowId;
      options.onProgress?.(table, { ...counts });
      if (batch.length < batchSize) break;
    }
    result.scanned += counts.scanned;
    result.reencrypted += counts.reencrypted;
    result.skippedConcurrent += counts.skippedConcurrent;
    result.failed += counts.failed;
  }
  return result;
}

/** How many stored blobs each key version holds, per table ("none" = a blob with no recorded version). */
export async function countByKeyVersion(prisma: VaultPrismaClient): Promise<Record<RotatedTable, Record<string, number>>> {
  const tally = (groups: { keyVersion: number | null; _count: { _all: number } }[]) =>
    Object.fromEntries(groups.map((g) => [g.keyVersion === null ? "none" : String(g.keyVersion), g._count._all]));
  const [connection, registration, pending, signing, webhook] = await Promise.all([
    prisma.connection.groupBy({ by: ["keyVersion"], where: { encBlob: { not: null } }, _count: { _all: true }, orderBy: { keyVersion: "asc" } }),
    prisma.providerRegistration.groupBy({ by: ["keyVersion"], where: { encBlob: { not: null } }, _count: { _all: true }, orderBy: { keyVersion: "asc" } }),
    prisma.pendingAuthorization.groupBy({ by: ["keyVersion"], _count: { _all: true }, orderBy: { keyVersion: "asc" } }),
    prisma.signingKey.groupBy({ by: ["keyVersion"], _count: { _all: true }, orderBy: { keyVersion: "asc" } }),
    prisma.webhook.groupBy({ by: ["keyVersion"], _count: { _all: true }, orderBy: { keyVersion: "asc" } }),
  ]);
  return {
    Connection: tally(connection),
    ProviderRegistration: tally(registration),
    PendingAuthorization: tally(pending),
    SigningKey: tally(signing),
    Webhook: tally(webhook),
  };
}
