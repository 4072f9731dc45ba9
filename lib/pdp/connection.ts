// The one rule for "this connection can be used for an action": the PDP's scope layer, credential
// resolution and the portal's pages all ask it. Pure and client-safe.
import type { PdpConnection } from "./types";

/** Statuses under which the vault still holds a working credential (also the list SQL queries use). */
export const USABLE_CONNECTION_STATUSES = ["active", "refreshing", "degraded"] as const satisfies readonly PdpConnection["status"][];
const USABLE: ReadonlySet<string> = new Set(USABLE_CONNECTION_STATUSES);

export function isUsableConnection(status: string): boolean {
  return USABLE.has(status);
}
