-- Human approvals: an agent's action that a delegation ("ask me before writes") or the agent's
-- ceiling holds for the owner's decision. The row keeps what would be sent and the request's hash;
-- the status only moves forward (pending -> approved|denied|expired, approved -> used|expired).

-- CreateEnum
CREATE TYPE "ApprovalStatus" AS ENUM ('pending', 'approved', 'denied', 'expired', 'used');

-- CreateTable
CREATE TABLE "Approval" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "agentId" TEXT NOT NULL,
    "delegationId" TEXT NOT NULL,
    "status" "ApprovalStatus" NOT NULL DEFAULT 'pending',
    "requestHash" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "tool" TEXT,
    "input" JSONB,
    "method" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "query" JSONB,
    "bodySummary" TEXT,
    "reason" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "decidedAt" TIMESTAMP(3),
    "usedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Approval_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Approval_tenantId_userId_status_idx" ON "Approval"("tenantId", "userId", "status");

-- CreateIndex
CREATE INDEX "Approval_delegationId_requestHash_idx" ON "Approval"("delegationId", "requestHash");

-- AddForeignKey
ALTER TABLE "Approval" ADD CONSTRAINT "Approval_delegationId_fkey" FOREIGN KEY ("delegationId") REFERENCES "Delegation"("id") ON DELETE CASCADE ON UPDATE CASCADE;
