import "server-only";
// Enforcement policies (CONTRACT.md, `GET|POST /api/v1/policies`, `PATCH /api/v1/policies/{id}`):
// for one detector and severity, what the vault does when it opens an alert (log, notify, rate_limit,
// require_approval, suspend), in dry run or for real, a suspension waiting for an administrator or
// not. One policy per detector and severity; without one, an alert is only logged. Administrators
// only; every change is an audit event. Touches ContainmentPolicy and the audit log.
import { appendAudit } from "@/lib/audit/append";
import { getDb } from "@/lib/db";
import { BadRequestError, ConflictError, NotFoundError } from "@/lib/errors";
import { Prisma } from "@/lib/generated/prisma/client";
import type { Person } from "@/lib/tenancy/people";

import { DETECTORS, policyDto, type CreatePolicyBody, type PolicyDto, type UpdatePolicyBody } from "./schemas";
import { assertContainmentAdmin } from "./settings";

type PolicyRow = Prisma.ContainmentPolicyGetPayload<object>;

export function toPolicyDto(row: PolicyRow): PolicyDto {
  return policyDto.parse({ ...row, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() });
}

export async function listPolicies(person: Person): Promise<PolicyDto[]> {
  assertContainmentAdmin(person);
  const db = await getDb();
  const rows = await db.containmentPolicy.findMany({ where: { tenantId: person.tenantId }, orderBy: [{ detector: "asc" }, { severity: "asc" }] });
  return rows.map(toPolicyDto);
}

export async function createPolicy(person: Person, body: CreatePolicyBody): Promise<PolicyDto> {
  assertContainmentAdmin(person);
  const db = await getDb();
  const severity = body.severity ?? DETECTORS[body.detector].severity;
  try {
    const row = await db.$transaction(async (tx) => {
      const created = await tx.containmentPolicy.create({ data: { tenantId: person.tenantId, ...body, severity } });
      await appendAudit(tx, {
        tenantId: person.tenantId,
        action: "containment.policy_create",
        outcome: "success",
        actorArn: person.arn,
        target: created.id,
        details: { detector: body.detector, severity, action: body.action, dryRun: body.dryRun, requireAdminApproval: body.requireAdminApproval },
      });
      return created;
    });
    return toPolicyDto(row);
  } catch (e) {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002")
      throw new ConflictError(`A policy for ${body.detector} alerts of ${severity} severity exists already: change that one instead.`, "policy_exists");
    throw e;
  }
}

export async function updatePolicy(person: Person, id: string, body: UpdatePolicyBody): Promise<PolicyDto> {
  assertContainmentAdmin(person);
  const db = await getDb();
  const row = await db.$transaction(async (tx) => {
    const current = await tx.containmentPolicy.findFirst({ where: { id, tenantId: person.tenantId } });
    if (!current) throw new NotFoundError("No policy with this id exists in your organisation: reload the page.", "policy_unknown");
    const action = body.action ?? current.action;
    const approval = body.requireAdminApproval ?? (action === "suspend" ? current.requireAdminApproval : false);
    if (approval && action !== "suspend") throw new BadRequestError("requireAdminApproval applies only to the suspend action.");
    const updated = await tx.containmentPolicy.update({ where: { id }, data: { ...body, requireAdminApproval: approval } });
    await appendAudit(tx, {
      tenantId: person.tenantId,
      action: "containment.policy_update",
      outcome: "success",
      actorArn: person.arn,
      target: id,
      details: { ...body },
    });
    return updated;
  });
  return toPolicyDto(row);
}
