-- The tail of each tenant's audit chain in one row, and the tenant's policy version beside it.
-- Every audit append (the group-commit writer and the transactional appends of changes) moves the
-- tail under this row's lock; every change that can alter a policy decision (agents, delegations,
-- connections' status, scopes and metadata, provider registrations, tenant settings) bumps the
-- version from a trigger, in the same transaction as the change. An action's write-ahead audit
-- record is accepted only when the version its decision was made on is still current, so a change
-- committed on one instance refuses the very next call on every other instance.

-- CreateTable
CREATE TABLE "AuditHead" (
    "tenantId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL DEFAULT 0,
    "hash" TEXT NOT NULL DEFAULT '0000000000000000000000000000000000000000000000000000000000000000',
    "policyVersion" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "AuditHead_pkey" PRIMARY KEY ("tenantId")
);

-- CreateTable
CREATE TABLE "RateWindow" (
    "delegationId" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "hits" JSONB NOT NULL DEFAULT '[]',

    CONSTRAINT "RateWindow_pkey" PRIMARY KEY ("delegationId")
);

-- AlterTable
ALTER TABLE "Connection" ADD COLUMN "credentialVersion" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "RateWindow_tenantId_idx" ON "RateWindow"("tenantId");

-- AddForeignKey
ALTER TABLE "AuditHead" ADD CONSTRAINT "AuditHead_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RateWindow" ADD CONSTRAINT "RateWindow_delegationId_fkey" FOREIGN KEY ("delegationId") REFERENCES "Delegation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Existing chains: the head is the last row of each tenant's chain.
INSERT INTO "AuditHead" ("tenantId", "seq", "hash")
SELECT t."id", COALESCE(last."seq", 0), COALESCE(last."hash", '0000000000000000000000000000000000000000000000000000000000000000')
FROM "Tenant" t
LEFT JOIN LATERAL (SELECT e."seq", e."hash" FROM "AuditEvent" e WHERE e."tenantId" = t."id" ORDER BY e."seq" DESC LIMIT 1) last ON true;

-- Every tenant has its head from the moment it exists.
CREATE FUNCTION vault_audit_head_for_tenant() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "AuditHead" ("tenantId") VALUES (NEW."id") ON CONFLICT DO NOTHING;
  RETURN NEW;
END $$;
CREATE TRIGGER vault_audit_head_for_tenant AFTER INSERT ON "Tenant" FOR EACH ROW EXECUTE FUNCTION vault_audit_head_for_tenant();

-- One bump per changed row. UPDATE, not an upsert: a tenant being deleted has no head left to bump.
CREATE FUNCTION vault_bump_policy_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'Tenant' THEN
    UPDATE "AuditHead" SET "policyVersion" = "policyVersion" + 1 WHERE "tenantId" = NEW."id";
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    UPDATE "AuditHead" SET "policyVersion" = "policyVersion" + 1 WHERE "tenantId" = OLD."tenantId";
  END IF;
  IF TG_OP = 'INSERT' THEN
    UPDATE "AuditHead" SET "policyVersion" = "policyVersion" + 1 WHERE "tenantId" = NEW."tenantId";
  ELSIF TG_OP = 'UPDATE' THEN
    IF OLD."tenantId" IS DISTINCT FROM NEW."tenantId" THEN
      UPDATE "AuditHead" SET "policyVersion" = "policyVersion" + 1 WHERE "tenantId" = NEW."tenantId";
    END IF;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER vault_policy_agent AFTER INSERT OR UPDATE OR DELETE ON "Agent"
  FOR EACH ROW EXECUTE FUNCTION vault_bump_policy_version();
CREATE TRIGGER vault_policy_delegation AFTER INSERT OR UPDATE OR DELETE ON "Delegation"
  FOR EACH ROW EXECUTE FUNCTION vault_bump_policy_version();
CREATE TRIGGER vault_policy_provider AFTER INSERT OR UPDATE OR DELETE ON "ProviderRegistration"
  FOR EACH ROW EXECUTE FUNCTION vault_bump_policy_version();
CREATE TRIGGER vault_policy_tenant AFTER UPDATE ON "Tenant"
  FOR EACH ROW WHEN (OLD."allowServiceAccounts" IS DISTINCT FROM NEW."allowServiceAccounts")
  EXECUTE FUNCTION vault_bump_policy_version();
-- A connection's tokens change on every refresh; only what a decision reads bumps the version.
CREATE TRIGGER vault_policy_connection_write AFTER INSERT OR DELETE ON "Connection"
  FOR EACH ROW EXECUTE FUNCTION vault_bump_policy_version();
CREATE TRIGGER vault_policy_connection_update AFTER UPDATE ON "Connection"
  FOR EACH ROW WHEN (
    OLD."status" IS DISTINCT FROM NEW."status"
    OR OLD."scopes" IS DISTINCT FROM NEW."scopes"
    OR OLD."metadata" IS DISTINCT FROM NEW."metadata"
    OR OLD."revokedAt" IS DISTINCT FROM NEW."revokedAt"
    OR OLD."isServiceAccount" IS DISTINCT FROM NEW."isServiceAccount"
    OR OLD."providerKey" IS DISTINCT FROM NEW."providerKey"
    OR OLD."userId" IS DISTINCT FROM NEW."userId"
    OR OLD."tenantId" IS DISTINCT FROM NEW."tenantId"
  )
  EXECUTE FUNCTION vault_bump_policy_version();

-- The credential version moves with the ciphertext, its expiry and the status, in the writing
-- transaction itself: a process holding an older copy of the row learns it when it records its
-- next decision (vault_append_audit checks the versions its batch relies on).
CREATE FUNCTION vault_bump_credential_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."credentialVersion" := OLD."credentialVersion" + 1;
  RETURN NEW;
END $$;
CREATE TRIGGER vault_credential_version BEFORE UPDATE ON "Connection"
  FOR EACH ROW WHEN (
    OLD."encBlob" IS DISTINCT FROM NEW."encBlob"
    OR OLD."expiresAt" IS DISTINCT FROM NEW."expiresAt"
    OR OLD."status" IS DISTINCT FROM NEW."status"
    OR OLD."revokedAt" IS DISTINCT FROM NEW."revokedAt"
  )
  EXECUTE FUNCTION vault_bump_credential_version();

-- One batch of the group-commit writer (lib/audit/writer.ts) in one call. First the credentials the
-- batch's calls will use must still be the versions they were read at; if any is not, nothing is
-- written and their ids come back ({"ok": -1, "changed": [...]}). Then the head moves only if it
-- still holds the sequence number and policy version the writer saw, and only then are the batch's
-- events and rate windows written ({"ok": 1}); a head that had moved writes nothing ({"ok": 0}).
-- A function rather than a statement: its plans are prepared once.
CREATE FUNCTION vault_append_audit(tenant TEXT, expected_seq INTEGER, expected_version INTEGER, new_seq INTEGER, new_hash TEXT, events JSONB, windows JSONB, credentials JSONB)
RETURNS JSONB LANGUAGE plpgsql AS $$
DECLARE
  changed JSONB;
BEGIN
  IF jsonb_array_length(credentials) > 0 THEN
    SELECT COALESCE(jsonb_agg(DISTINCT c."id"), '[]'::jsonb) INTO changed
    FROM jsonb_to_recordset(credentials) AS c("id" TEXT, "version" INTEGER)
    LEFT JOIN "Connection" x ON x."id" = c."id"
    WHERE x."id" IS NULL OR x."credentialVersion" <> c."version";
    IF jsonb_array_length(changed) > 0 THEN
      RETURN jsonb_build_object('ok', -1, 'changed', changed);
    END IF;
  END IF;
  UPDATE "AuditHead" SET "seq" = new_seq, "hash" = new_hash
  WHERE "tenantId" = tenant AND "seq" = expected_seq AND "policyVersion" = expected_version;
  IF NOT FOUND THEN
    RETURN jsonb_build_object('ok', 0);
  END IF;
  INSERT INTO "AuditEvent" ("id", "tenantId", "seq", "at", "actorArn", "agentId", "action", "outcome", "target", "details", "prevHash", "hash")
  SELECT x."id", tenant, x."seq", x."at", x."actorArn", x."agentId", x."action", x."outcome", x."target", x."details", x."prevHash", x."hash"
  FROM jsonb_to_recordset(events) AS x("id" TEXT, "seq" INTEGER, "at" TIMESTAMP(3), "actorArn" TEXT, "agentId" TEXT, "action" TEXT, "outcome" TEXT, "target" TEXT, "details" JSONB, "prevHash" TEXT, "hash" TEXT);
  IF jsonb_array_length(windows) > 0 THEN
    INSERT INTO "RateWindow" ("delegationId", "tenantId", "hits")
    SELECT y."delegationId", tenant, y."hits" FROM jsonb_to_recordset(windows) AS y("delegationId" TEXT, "hits" JSONB)
    ON CONFLICT ("delegationId") DO UPDATE SET "hits" = EXCLUDED."hits";
  END IF;
  RETURN jsonb_build_object('ok', 1);
END $$;
