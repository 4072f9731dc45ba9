// The audit log's hash chain, pure: each row stores the previous row's hash and its own hash over
// (previous hash, sequence number, content). Shared by the transactional append (lib/audit/append.ts),
// the group-commit writer (lib/audit/writer.ts) and the verifier (lib/audit/verify.ts).
import { createHash } from "node:crypto";

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

export type ChainedRow = {
  tenantId: string;
  seq: number;
  at: Date;
  actorArn: string | null;
  agentId: string | null;
  action: string;
  outcome: string;
  target: string | null;
  details: Record<string, unknown>;
};

/** Canonical JSON: keys sorted at every depth, so the hash does not depend on insertion order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object" && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value instanceof Date ? value.toISOString() : value);
}

export function auditHash(
  prevHash: string,
  row: {
    tenantId: string;
    seq: number;
    at: Date;
    actorArn: string | null;
    agentId: string | null;
    action: string;
    outcome: string;
    target: string | null;
    details: unknown;
  },
): string {
  // Exactly these fields: a caller passing a whole stored row (with id, prevHash, hash) must hash the same content.
  const { tenantId, seq, at, actorArn, agentId, action, outcome, target, details } = row;
  const content = canonicalJson({ tenantId, seq, at: at.toISOString(), actorArn, agentId, action, outcome, target, details });
  return createHash("sha256").update(prevHash).update("\n").update(content).digest("hex");
}

/** The row an input becomes at `seq`, written at `at`. */
export function chainedRow(input: AuditInput, seq: number, at: Date): ChainedRow {
  return {
    tenantId: input.tenantId,
    seq,
    at,
    actorArn: input.actorArn ?? null,
    agentId: input.agentId ?? null,
    action: input.action,
    outcome: input.outcome,
    target: input.target ?? null,
    // canonicalJson drops undefined members and writes Dates as ISO strings, exactly as the stored JSON will.
    details: input.details ?? {},
  };
}
