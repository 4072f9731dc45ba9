-- Containment (lib/containment): stored alerts with their lifecycle, per-tenant detector settings,
-- enforcement policies and their enforcements, the hold an enforcement puts on an agent, and the
-- scopes and tools each agent has used per connection. The hold is read with the agent by every
-- decision, so changing it bumps the tenant's policy version like the agent row itself does.

-- CreateTable
CREATE TABLE "Alert" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "agentId" TEXT,
    "connectionId" TEXT,
    "openKey" TEXT,
    "message" TEXT NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "count" INTEGER NOT NULL DEFAULT 1,
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acknowledgedAt" TIMESTAMP(3),
    "acknowledgedBy" TEXT,
    "resolvedAt" TIMESTAMP(3),
    "resolvedBy" TEXT,

    CONSTRAINT "Alert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DetectorSetting" (
    "tenantId" TEXT NOT NULL,
    "detector" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "threshold" INTEGER,
    "windowSeconds" INTEGER,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DetectorSetting_pkey" PRIMARY KEY ("tenantId", "detector")
);

-- CreateTable
CREATE TABLE "ContainmentPolicy" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "detector" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "dryRun" BOOLEAN NOT NULL DEFAULT false,
    "requireAdminApproval" BOOLEAN NOT NULL DEFAULT false,
    "cooldownSeconds" INTEGER NOT NULL DEFAULT 300,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ContainmentPolicy_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Enforcement" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "alertId" TEXT NOT NULL,
    "policyId" TEXT NOT NULL,
    "agentId" TEXT,
    "action" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "dryRun" BOOLEAN NOT NULL DEFAULT false,
    "decidedBy" TEXT,
    "decidedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Enforcement_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AgentRestriction" (
    "agentId" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "rateLimitedUntil" TIMESTAMP(3),
    "approvalForWrites" BOOLEAN NOT NULL DEFAULT false,
    "alertId" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AgentRestriction_pkey" PRIMARY KEY ("agentId")
);

-- CreateTable
CREATE TABLE "UsageBaseline" (
    "tenantId" TEXT NOT NULL,
    "agentId" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "item" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UsageBaseline_pkey" PRIMARY KEY ("agentId", "connectionId", "item")
);

-- CreateIndex
CREATE UNIQUE INDEX "Alert_tenantId_openKey_key" ON "Alert"("tenantId", "openKey");

-- CreateIndex
CREATE INDEX "Alert_tenantId_status_idx" ON "Alert"("tenantId", "status");

-- CreateIndex
CREATE INDEX "Alert_tenantId_agentId_idx" ON "Alert"("tenantId", "agentId");

-- CreateIndex
CREATE UNIQUE INDEX "ContainmentPolicy_tenantId_detector_severity_key" ON "ContainmentPolicy"("tenantId", "detector", "severity");

-- CreateIndex
CREATE INDEX "Enforcement_tenantId_status_idx" ON "Enforcement"("tenantId", "status");

-- CreateIndex
CREATE INDEX "Enforcement_alertId_idx" ON "Enforcement"("alertId");

-- CreateIndex
CREATE INDEX "AgentRestriction_tenantId_idx" ON "AgentRestriction"("tenantId");

-- CreateIndex
CREATE INDEX "UsageBaseline_tenantId_idx" ON "UsageBaseline"("tenantId");

-- An agent's hold is part of what every decision about it reads (lib/policy/facts.ts).
CREATE TRIGGER vault_policy_agent_restriction AFTER INSERT OR UPDATE OR DELETE ON "AgentRestriction"
  FOR EACH ROW EXECUTE FUNCTION vault_bump_policy_version();
