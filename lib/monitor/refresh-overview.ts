import "server-only";
// What keeps a tenant's connections alive, for its administrators: this instance's refresh engine
// (last sweep and its counts, next run) and the tenant's connections by what the engine must do
// with them: due within the hour, failing (degraded), waiting for their owner (needs_reconnect),
// being refreshed now, and ending soon (reconnect-by within 7 days). Counts only, never a token.
import { getDb } from "@/lib/db";
import { USABLE_CONNECTION_STATUSES } from "@/lib/pdp/connection";
import { SWEEP_HORIZON_MS, refreshEngineState, type RefreshEngineState } from "@/lib/vault/refresh/engine";

import { connectionCounts } from "./status";

export type RefreshOverview = {
  engine: RefreshEngineState;
  due: number;
  refreshing: number;
  failing: number;
  needsReconnect: number;
  endingSoon: number;
};

const WEEK_MS = 7 * 86_400_000;

export async function refreshOverview(tenantId: string, now = new Date()): Promise<RefreshOverview> {
  const db = await getDb();
  const usable = { tenantId, status: { in: [...USABLE_CONNECTION_STATUSES] } };
  const [due, { byStatus }, endingSoon] = await Promise.all([
    db.connection.count({ where: { ...usable, expiresAt: { not: null, lt: new Date(now.getTime() + SWEEP_HORIZON_MS) } } }),
    connectionCounts(tenantId),
    db.connection.count({ where: { ...usable, reconnectBy: { not: null, lt: new Date(now.getTime() + WEEK_MS) } } }),
  ]);
  return {
    engine: refreshEngineState(),
    due,
    refreshing: byStatus.refreshing,
    failing: byStatus.degraded,
    needsReconnect: byStatus.needs_reconnect,
    endingSoon,
  };
}
