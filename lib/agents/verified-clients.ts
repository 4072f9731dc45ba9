import "server-only";
// What the token endpoint remembers about clients between requests: their rows as last read, each
// tagged with the tenant policy version it was read at. The agent registry forgets a client here the
// moment it rotates, suspends, resumes or deletes it; other instances learn of the change through the
// policy version (lib/policy/facts.ts), which the audit writer checks before anything is issued.
import { forgetVerifiedSecrets } from "./credentials";

export type ClientRow = {
  id: string;
  tenantId: string;
  clientId: string;
  name: string;
  status: string;
  secretHash: string | null;
  previousSecretHash: string | null;
  previousSecretExpiresAt: Date | null;
  jwks: unknown;
  jwksUri: string | null;
  updatedAt: Date;
  policyVersion: number;
};

const MAX_ROWS = 10_000;
const rows = ((globalThis as unknown as { __vaultClientRows?: Map<string, ClientRow> }).__vaultClientRows ??= new Map<string, ClientRow>());

export function heldClientRow(clientId: string): ClientRow | undefined {
  return rows.get(clientId);
}

export function holdClientRow(row: ClientRow): void {
  if (rows.size >= MAX_ROWS) rows.clear();
  rows.set(row.clientId, row);
}

/** The client changed here: its row and its remembered secret verifications are dropped at once. */
export function forgetClient(clientId: string): void {
  rows.delete(clientId);
  forgetVerifiedSecrets(clientId);
}
