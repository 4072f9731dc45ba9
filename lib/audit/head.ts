import "server-only";
// The head row of a tenant's audit chain ("AuditHead"): the last sequence number and hash, and the
// policy version a trigger bumps whenever a row a decision reads changes (migration 0002). Every
// append moves the head under its row lock, so the chain cannot fork whoever writes it.
import type { SqlQuery } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";

import { readBuckets, type RateBuckets } from "./rate-window";

export type ChainState = { tenantId: string; seq: number; hash: string; policyVersion: number; windows: Map<string, RateBuckets> };

const LOAD = (lock: boolean) => `
SELECT h."seq", h."hash", h."policyVersion",
  COALESCE((SELECT json_agg(json_build_array(r."delegationId", r."hits")) FROM "RateWindow" r WHERE r."delegationId" = ANY($2::text[])), '[]'::json) AS "windows"
FROM "AuditHead" h WHERE h."tenantId" = $1${lock ? " FOR UPDATE OF h" : ""}`;

/** The head and the rate windows of `delegations`, read in one statement (under the row lock when `lock`). */
export async function loadChainState(
  q: SqlQuery,
  tenantId: string,
  delegations: readonly string[],
  opts: { lock: boolean },
  stats?: { statements: number },
): Promise<ChainState> {
  for (let attempt = 0; attempt < 2; attempt++) {
    if (stats) stats.statements += 1;
    const [row] = await q.query<{ seq: number; hash: string; policyVersion: number; windows: Array<[string, unknown]> }>(LOAD(opts.lock), [
      tenantId,
      delegations,
    ]);
    if (row) {
      const windows = new Map<string, RateBuckets>(delegations.map((d) => [d, []]));
      for (const [d, hits] of row.windows) windows.set(d, readBuckets(hits));
      return { tenantId, seq: Number(row.seq), hash: row.hash, policyVersion: Number(row.policyVersion), windows };
    }
    // Every tenant gets its head from a trigger when it is created; one made before that trigger existed gets it here.
    if (stats) stats.statements += 1;
    await q.query(`INSERT INTO "AuditHead" ("tenantId") VALUES ($1) ON CONFLICT DO NOTHING`, [tenantId]);
  }
  throw new Error(`The audit log of tenant ${tenantId} has no head row and one cannot be made.`);
}

type Tx = Prisma.TransactionClient;

/**
 * Takes the tenant's head row lock inside a transaction and returns the chain's tail: the first step
 * of every transactional append, and of a change that must be ordered against concurrent decisions.
 */
export async function lockAuditHead(tx: Tx, tenantId: string): Promise<{ seq: number; hash: string }> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const [row] = await tx.$queryRaw<Array<{ seq: number; hash: string }>>`SELECT "seq", "hash" FROM "AuditHead" WHERE "tenantId" = ${tenantId} FOR UPDATE`;
    if (row) return { seq: Number(row.seq), hash: row.hash };
    await tx.$executeRaw`INSERT INTO "AuditHead" ("tenantId") VALUES (${tenantId}) ON CONFLICT DO NOTHING`;
  }
  throw new Error(`The audit log of tenant ${tenantId} has no head row and one cannot be made.`);
}
