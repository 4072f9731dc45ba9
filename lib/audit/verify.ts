// Re-walks a tenant's audit hash chain: each row must carry the previous row's hash, a sequence
// number one past it, and a hash that recomputes from its own content. The first row that fails is
// named, so an operator knows where the log stops being trustworthy. The chain must also end where
// the tenant's head row says it does, so rows cut off its end are caught too. Reads in pages: a
// chain of millions of rows never sits in memory at once.
import type { VaultPrismaClient } from "@/lib/db";
import { auditHash, GENESIS_HASH } from "./chain";

export type ChainBreak = { tenantId: string; seq: number; id: string; reason: string };
export type ChainReport = { tenantId: string; rows: number; lastHash: string; break: ChainBreak | null };

type Row = {
  id: string;
  tenantId: string;
  seq: number;
  at: Date;
  actorArn: string | null;
  agentId: string | null;
  action: string;
  outcome: string;
  target: string | null;
  details: unknown;
  prevHash: string;
  hash: string;
};

/** Checks one page of rows against the state left by the previous page. Pure. */
export function checkRows(rows: readonly Row[], start: { seq: number; hash: string }): { seq: number; hash: string; break: ChainBreak | null } {
  let { seq, hash } = start;
  for (const row of rows) {
    const at = { tenantId: row.tenantId, seq: row.seq, id: row.id };
    if (row.seq !== seq + 1) return { seq, hash, break: { ...at, reason: `sequence jumps from ${seq} to ${row.seq}: a row is missing or was inserted` } };
    if (row.prevHash !== hash) return { seq, hash, break: { ...at, reason: "its previous-hash does not match the row before it" } };
    const expected = auditHash(row.prevHash, row);
    if (expected !== row.hash) return { seq, hash, break: { ...at, reason: "its content does not match its hash: the row was changed after it was written" } };
    seq = row.seq;
    hash = row.hash;
  }
  return { seq, hash, break: null };
}

export async function verifyTenantChain(db: VaultPrismaClient, tenantId: string, pageSize = 1000): Promise<ChainReport> {
  let state = { seq: 0, hash: GENESIS_HASH };
  let rows = 0;
  for (;;) {
    const page = await db.auditEvent.findMany({ where: { tenantId, seq: { gt: state.seq } }, orderBy: { seq: "asc" }, take: pageSize });
    if (page.length === 0) return { tenantId, rows, lastHash: state.hash, break: await headMismatch(db, tenantId, state) };
    const checked = checkRows(page, state);
    if (checked.break) return { tenantId, rows: rows + (checked.seq - state.seq), lastHash: checked.hash, break: checked.break };
    rows += page.length;
    state = { seq: checked.seq, hash: checked.hash };
  }
}

/** The head row (last seq and hash every append moves) must name the chain's last row. */
async function headMismatch(db: VaultPrismaClient, tenantId: string, last: { seq: number; hash: string }): Promise<ChainBreak | null> {
  const head = await db.auditHead.findUnique({ where: { tenantId }, select: { seq: true, hash: true } });
  if (!head || (head.seq === last.seq && head.hash === last.hash)) return null;
  const reason =
    head.seq > last.seq
      ? `the chain ends at seq ${last.seq} but its head records seq ${head.seq}: rows were cut off its end`
      : `the chain goes on to seq ${last.seq} past its head at seq ${head.seq}: rows were added behind the head`;
  return { tenantId, seq: Math.min(head.seq, last.seq) + 1, id: "(head)", reason };
}

export async function verifyAllChains(db: VaultPrismaClient): Promise<ChainReport[]> {
  // Tenants with events, and tenants whose head says they had some (every row of theirs deleted).
  const [withEvents, withHeads] = await Promise.all([
    db.auditEvent.findMany({ distinct: ["tenantId"], select: { tenantId: true } }),
    db.auditHead.findMany({ where: { seq: { gt: 0 } }, select: { tenantId: true } }),
  ]);
  const tenants = [...new Set([...withEvents, ...withHeads].map((t) => t.tenantId))].sort();
  const reports: ChainReport[] = [];
  for (const tenantId of tenants) reports.push(await verifyTenantChain(db, tenantId));
  return reports;
}
