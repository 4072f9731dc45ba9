// The one rule for "this connection can be used for an action": the PDP's scope layer, credential
// resolution and the portal's pages all ask it. Pure and client-safe.
import type { PdpConnection } from "./types";

const USABLE: ReadonlySet<PdpConnection["status"]> = new Set(["active", "refreshing", "degraded"]);

export function isUsableConnection(status: PdpConnection["status"]): boolean {
  return USABLE.has(status);
}
