-- When a connection's refresh token stops working (its absolute lifetime), so the person is warned
-- before and the connection needs reconnecting after.
ALTER TABLE "Connection" ADD COLUMN "reconnectBy" TIMESTAMP(3);
CREATE INDEX "Connection_reconnectBy_idx" ON "Connection"("reconnectBy");

-- Statuses move among the usable ones (active, refreshing, degraded) on every refresh; that changes
-- no decision, so only a change of usability (or of what else a decision reads) bumps the tenant's
-- policy version. The credential version still moves with every status change.
DROP TRIGGER vault_policy_connection_update ON "Connection";
CREATE TRIGGER vault_policy_connection_update AFTER UPDATE ON "Connection"
  FOR EACH ROW WHEN (
    (OLD."status" IS DISTINCT FROM NEW."status"
      AND NOT (OLD."status" IN ('active', 'refreshing', 'degraded') AND NEW."status" IN ('active', 'refreshing', 'degraded')))
    OR OLD."scopes" IS DISTINCT FROM NEW."scopes"
    OR OLD."metadata" IS DISTINCT FROM NEW."metadata"
    OR OLD."revokedAt" IS DISTINCT FROM NEW."revokedAt"
    OR OLD."isServiceAccount" IS DISTINCT FROM NEW."isServiceAccount"
    OR OLD."providerKey" IS DISTINCT FROM NEW."providerKey"
    OR OLD."userId" IS DISTINCT FROM NEW."userId"
    OR OLD."tenantId" IS DISTINCT FROM NEW."tenantId"
  )
  EXECUTE FUNCTION vault_bump_policy_version();
