import "server-only";
// What an opened alert makes the vault do: every enabled policy for its detector and severity is
// applied once, each as an Enforcement row and a `containment.enforce` audit event naming the alert,
// in one transaction with the hold it sets. log records only; notify records an intent and hands it
// to the subscribers of lib/containment/notify.ts; rate_limit refuses the agent's calls with 429 until
// the policy's cooldown ends, and require_approval sends its writes to approval (both through the
// AgentRestriction row every decision reads, lib/pdp/decide.ts); suspend sets the agent's status as
// the Agents page does (its tokens stop at once on every instance), or waits as `pending` for an
// administrator when the policy asks for one. Dry run records what would have happened and does
// nothing. Touches Enforcement, AgentRestriction, the Agent's status and the audit log.
import { forgetClient } from "@/lib/agents/verified-clients";
import { appendAudit } from "@/lib/audit/append";
import { getDb } from "@/lib/db";
import { ConflictError, NotFoundError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import { log } from "@/lib/log";
import type { Person } from "@/lib/tenancy/people";

import { alertById } from "./alerts";
import { emitContainmentNotification } from "./notify";
import type { EnforcementAction } from "./schemas";
import { assertContainmentAdmin } from "./settings";

type Tx = Prisma.TransactionClient;
type AlertRow = Prisma.AlertGetPayload<object>;
type PolicyRow = Prisma.ContainmentPolicyGetPayload<object>;

const ON_AGENT: ReadonlySet<EnforcementAction> = new Set(["rate_limit", "require_approval", "suspend"]);

const WOULD: Record<EnforcementAction, (p: PolicyRow) => string> = {
  log: () => "record the alert in the audit log",
  notify: () => "send a notification about the alert",
  rate_limit: (p) => `refuse the agent's calls with 429 for ${p.cooldownSeconds} seconds`,
  require_approval: () => "send the agent's writes for approval until the alert is resolved",
  suspend: (p) => (p.requireAdminApproval ? "ask an administrator to confirm suspending the agent" : "suspend the agent"),
};

/** Applies the tenant's policies to an alert that has just opened. Never throws: a failed enforcement is logged. */
export async function enforceAlert(alert: AlertRow): Promise<void> {
  const db = await getDb();
  const policies = await db.containmentPolicy.findMany({ where: { tenantId: alert.tenantId, detector: alert.kind, severity: alert.severity, enabled: true } });
  for (const policy of policies) {
    try {
      await applyPolicy(alert, policy);
    } catch (err) {
      log.error({ err, alertId: alert.id, policyId: policy.id }, "a containment policy could not be applied");
    }
  }
}

async function applyPolicy(alert: AlertRow, p: PolicyRow): Promise<void> {
  const db = await getDb();
  const action = p.action as EnforcementAction;
  const status =
    ON_AGENT.has(action) && !alert.agentId ? "skipped" : p.dryRun ? "dry_run" : action === "suspend" && p.requireAdminApproval ? "pending" : "applied";
  const enforcement = await db.$transaction(async (tx) => {
    const e = await tx.enforcement.create({
      data: { tenantId: alert.tenantId, alertId: alert.id, policyId: p.id, agentId: alert.agentId, action, status, dryRun: p.dryRun },
    });
    if (status === "applied") await act(tx, alert, p, e.id, null);
    await appendAudit(tx, {
      tenantId: alert.tenantId,
      action: "containment.enforce",
      outcome: "success",
      agentId: alert.agentId,
      target: alert.id,
      details: {
        alertId: alert.id,
        enforcementId: e.id,
        policyId: p.id,
        kind: alert.kind,
        severity: alert.severity,
        action,
        status,
        dryRun: p.dryRun,
        ...(status === "dry_run" ? { wouldHave: WOULD[action](p) } : {}),
      },
    });
    return e;
  });
  if (status !== "applied") return;
  if (action === "suspend") await forgetAgent(alert.agentId!);
  if (action === "notify") {
    const dto = await alertById(alert.tenantId, alert.id);
    if (dto)
      await emitContainmentNotification({
        type: "containment.alert",
        tenantId: alert.tenantId,
        enforcementId: enforcement.id,
        policyId: p.id,
        alert: dto,
        at: new Date().toISOString(),
      });
  }
}

async function act(tx: Tx, alert: AlertRow, p: PolicyRow, enforcementId: string, actorArn: string | null): Promise<void> {
  const agentId = alert.agentId!;
  const hold = { tenantId: alert.tenantId, alertId: alert.id };
  // The agent's hold, made or changed: each enforcement sets its own part and names its alert.
  const restrict = (change: { rateLimitedUntil: Date } | { approvalForWrites: true }) =>
    tx.agentRestriction.upsert({ where: { agentId }, create: { agentId, ...hold, ...change }, update: { ...hold, ...change } });
  switch (p.action as EnforcementAction) {
    case "rate_limit":
      await restrict({ rateLimitedUntil: new Date(Date.now() + p.cooldownSeconds * 1000) });
      return;
    case "require_approval":
      await restrict({ approvalForWrites: true });
      return;
    case "suspend":
      await suspendInTx(tx, alert, enforcementId, actorArn);
      return;
    default:
      return;
  }
}

/** The Agents page's suspension (status suspended, audited as agent.suspend), naming the alert. */
async function suspendInTx(tx: Tx, alert: AlertRow, enforcementId: string, actorArn: string | null): Promise<void> {
  const agent = await tx.agent.findFirst({ where: { id: alert.agentId!, tenantId: alert.tenantId }, select: { id: true, clientId: true, status: true } });
  if (!agent || agent.status === "suspended") return;
  await tx.agent.updateMany({ where: { id: agent.id, tenantId: alert.tenantId }, data: { status: "suspended" } });
  await appendAudit(tx, {
    tenantId: alert.tenantId,
    action: "agent.suspend",
    outcome: "success",
    actorArn,
    agentId: agent.id,
    target: agent.id,
    details: { clientId: agent.clientId, alertId: alert.id, enforcementId, by: "containment" },
  });
}

async function forgetAgent(agentId: string): Promise<void> {
  const db = await getDb();
  const agent = await db.agent.findUnique({ where: { id: agentId }, select: { clientId: true } });
  if (agent) forgetClient(agent.clientId);
}

/** An administrator confirms (the agent is suspended now) or rejects a suspension waiting for one. */
export async function decideEnforcement(person: Person, id: string, decision: "confirm" | "reject"): Promise<{ alertId: string; status: string }> {
  assertContainmentAdmin(person);
  const db = await getDb();
  const now = new Date();
  const result = await db.$transaction(async (tx) => {
    const e = await tx.enforcement.findFirst({ where: { id, tenantId: person.tenantId } });
    if (!e) throw new NotFoundError("No enforcement with this id exists in your organisation: reload the Alerts page.", "enforcement_unknown");
    if (e.status !== "pending")
      throw new ConflictError(`This enforcement is ${e.status.replace("_", " ")}, not waiting for a decision.`, "enforcement_decided");
    const status = decision === "confirm" ? "confirmed" : "rejected";
    const { count } = await tx.enforcement.updateMany({ where: { id, status: "pending" }, data: { status, decidedBy: person.arn, decidedAt: now } });
    if (count !== 1) throw new ConflictError("Someone decided this at the same time: reload the page.", "enforcement_decided");
    const alert = await tx.alert.findFirstOrThrow({ where: { id: e.alertId, tenantId: person.tenantId } });
    if (status === "confirmed") await suspendInTx(tx, alert, e.id, person.arn);
    await appendAudit(tx, {
      tenantId: person.tenantId,
      action: "containment.enforce",
      outcome: "success",
      actorArn: person.arn,
      agentId: e.agentId,
      target: e.alertId,
      details: {
        alertId: e.alertId,
        enforcementId: e.id,
        policyId: e.policyId,
        kind: alert.kind,
        severity: alert.severity,
        action: e.action,
        status,
        dryRun: false,
      },
    });
    return { alertId: e.alertId, status, agentId: e.agentId };
  });
  if (result.status === "confirmed" && result.agentId) await forgetAgent(result.agentId);
  return { alertId: result.alertId, status: result.status };
}
