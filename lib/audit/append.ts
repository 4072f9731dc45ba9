import "server-only";
// Appends an audit event to the tenant's hash chain: each row stores the previous row's hash and its
// own hash over (previous hash, sequence number, content). The tenant's chain is serialized with a
// transaction-scoped advisory lock so concurrent writers cannot fork it. Callers pass their
// transaction, so the event and the change it records commit together or not at all.
import { createHash } from "node:crypto";
import type { Prisma } from "@/lib/generated/prisma/client";

export const GENESIS_HASH = "0".repeat(64);

export type AuditInput = {
  tenantId: string;
  action: string;
  outcome: "success" | "failure" | "allow" | "deny";
  actorArn?: string | null;
  agentId?: string | null;
  target?: string | null;
  details?: Record<string, unknown>;
};

type Tx = Prisma.TransactionClient;

/** Canonical JSON: keys sorted at every depth, so the hash does not depend on insertion order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object" && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value instanceof Date ? value.toISOString() : value);
}

export function auditHash(prevHash: string, row: { tenantId: string; seq: number; at: Date; actorArn: string | null; agentId: string | null; action: string; outcome: string; target: string | null; details: unknown }): string {
  // Exactly these fields: a caller passing a whole stored row (with id, prevHash, hash) must hash the same content.
  const { tenantId, seq, at, actorArn, agentId, action, outcome, target, details } = row;
  const content = canonicalJson({ tenantId, seq, at: at.toISOString(), actorArn, agentId, action, outcome, target, details });
  return createHash("sha256").update(prevHash).update("\n").update(content).digest("hex");
}

export async function appendAudit(tx: Tx, input: AuditInput): Promise<{ seq: number; hash: string }> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${"audit:" + input.tenantId}))`;
  const last = await tx.auditEvent.findFirst({ where: { tenantId: input.tenantId }, orderBy: { seq: "desc" }, select: { seq: true, hash: true } });
  const row = {
    tenantId: input.tenantId,
    seq: (last?.seq ?? 0) + 1,
    at: new Date(),
    actorArn: input.actorArn ?? null,
    agentId: input.agentId ?? null,
    action: input.action,
    outcome: input.outcome,
    target: input.target ?? null,
    details: (input.details ?? {}) as Prisma.InputJsonObject,
  };
  const prevHash = last?.hash ?? GENESIS_HASH;
  const hash = auditHash(prevHash, row);
  await tx.auditEvent.create({ data: { ...row, prevHash, hash } });
  return { seq: row.seq, hash };
}
