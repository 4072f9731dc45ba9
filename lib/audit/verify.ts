// Re-walks a tenant's audit hash chain: each row must carry the previous row's hash, a sequence
// number one past it, and a hash that recomputes from its own content. The first row that fails is
// named, so an operator knows where the log stops being trustworthy. Reads in pages: a chain of
// millions of rows never sits in memory at once.
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
    if (page.length === 0) return { tenantId, rows, lastHash: state.hash, break: null };
    const checked = checkRows(page, state);
    if (checked.break) return { tenantId, rows: rows + (checked.seq - state.seq), lastHash: checked.hash, break: checked.break };
    rows += page.length;
    state = { seq: checked.seq, hash: checked.hash };
  }
}

export async function verifyAllChains(db: VaultPrismaClient): Promise<ChainReport[]> {
  const tenants = await db.auditEvent.findMany({ distinct: ["tenantId"], select: { tenantId: true }, orderBy: { tenantId: "asc" } });
  const reports: ChainReport[] = [];
  for (const { tenantId } of tenants) reports.push(await verifyTenantChain(db, tenantId));
  return reports;
}
