import "server-only";
// Appends one audit event inside the caller's transaction, so the event and the change it records
// commit together or not at all: the tenant's head row is locked, the event chained after the tail
// and the head moved. Agent actions append through the group-commit writer (lib/audit/writer.ts)
// instead; both serialize on the same head row, so the chain never forks.
import type { Prisma } from "@/lib/generated/prisma/client";

import { countAudited } from "@/lib/monitor/series";

import { auditHash, chainedRow, type AuditInput } from "./chain";
import { lockAuditHead } from "./head";
import { forgetChainState } from "./writer";

export { auditHash, canonicalJson, GENESIS_HASH, type AuditInput } from "./chain";
export { lockAuditHead } from "./head";

type Tx = Prisma.TransactionClient;

export async function appendAudit(tx: Tx, input: AuditInput): Promise<{ seq: number; hash: string }> {
  const tail = await lockAuditHead(tx, input.tenantId);
  // This process's writer must not trust what it last saw of the head: it moves now.
  forgetChainState(input.tenantId);
  const row = chainedRow(input, tail.seq + 1, new Date());
  const hash = auditHash(tail.hash, row);
  await tx.auditEvent.create({ data: { ...row, details: row.details as Prisma.InputJsonObject, prevHash: tail.hash, hash } });
  await tx.$executeRaw`UPDATE "AuditHead" SET "seq" = ${row.seq}, "hash" = ${hash} WHERE "tenantId" = ${input.tenantId}`;
  // Counted when appended: a transaction that fails after its append is counted too.
  countAudited(row.action, row.outcome);
  return { seq: row.seq, hash };
}
