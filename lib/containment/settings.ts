import "server-only";
// Each detector's setting for a tenant: its default (lib/containment/schemas.ts) unless an
// administrator changed it (the DetectorSetting row). Detectors read settings only when something
// may fire, from a short-lived copy in memory (a change made on another instance reaches this one
// within SETTINGS_TTL_MS; one made here, at once). Touches the DetectorSetting table and the audit log.
import { appendAudit } from "@/lib/audit/append";
import { getDb } from "@/lib/db";
import { ForbiddenError } from "@/lib/errors";
import type { Person } from "@/lib/tenancy/people";

import { DETECTOR_KINDS, DETECTORS, type DetectorKind, type DetectorSettingDto, type UpdateDetectorBody } from "./schemas";

export const SETTINGS_TTL_MS = 30_000;

export type DetectorSetting = { enabled: boolean; threshold: number | null; windowSeconds: number | null };

const g = globalThis as unknown as { __vaultDetectorSettings?: Map<string, { at: number; settings: Map<DetectorKind, DetectorSetting> }> };
const cache = (g.__vaultDetectorSettings ??= new Map());

export function assertContainmentAdmin(person: Person): void {
  if (person.role !== "admin") throw new ForbiddenError("Only an administrator of your organisation can manage alerts and containment policies.");
}

async function tenantSettings(tenantId: string): Promise<Map<DetectorKind, DetectorSetting>> {
  const hit = cache.get(tenantId);
  if (hit && Date.now() - hit.at < SETTINGS_TTL_MS) return hit.settings;
  const db = await getDb();
  const rows = await db.detectorSetting.findMany({ where: { tenantId } });
  const settings = new Map<DetectorKind, DetectorSetting>();
  for (const kind of DETECTOR_KINDS) {
    const row = rows.find((r) => r.detector === kind);
    const d = DETECTORS[kind];
    settings.set(kind, { enabled: row?.enabled ?? true, threshold: row?.threshold ?? d.threshold, windowSeconds: row?.windowSeconds ?? d.windowSeconds });
  }
  cache.set(tenantId, { at: Date.now(), settings });
  return settings;
}

/** The detector's setting for the tenant, as it stands now (within SETTINGS_TTL_MS). */
export async function detectorSetting(tenantId: string, kind: DetectorKind): Promise<DetectorSetting> {
  return (await tenantSettings(tenantId)).get(kind)!;
}

/** Drops this process's copy (tests, and a change made here). */
export function forgetDetectorSettings(tenantId?: string): void {
  if (tenantId) cache.delete(tenantId);
  else cache.clear();
}

function dto(kind: DetectorKind, s: DetectorSetting): DetectorSettingDto {
  return { detector: kind, severity: DETECTORS[kind].severity, ...s };
}

export async function listDetectorSettings(person: Person): Promise<DetectorSettingDto[]> {
  assertContainmentAdmin(person);
  forgetDetectorSettings(person.tenantId);
  const settings = await tenantSettings(person.tenantId);
  return DETECTOR_KINDS.map((k) => dto(k, settings.get(k)!));
}

export async function updateDetectorSetting(person: Person, kind: DetectorKind, body: UpdateDetectorBody): Promise<DetectorSettingDto> {
  assertContainmentAdmin(person);
  const db = await getDb();
  const data = {
    ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
    ...(body.threshold !== undefined ? { threshold: body.threshold } : {}),
    ...(body.windowSeconds !== undefined ? { windowSeconds: body.windowSeconds } : {}),
  };
  await db.$transaction(async (tx) => {
    await tx.detectorSetting.upsert({
      where: { tenantId_detector: { tenantId: person.tenantId, detector: kind } },
      create: { tenantId: person.tenantId, detector: kind, ...data },
      update: data,
    });
    await appendAudit(tx, {
      tenantId: person.tenantId,
      action: "containment.detector_update",
      outcome: "success",
      actorArn: person.arn,
      target: kind,
      details: data,
    });
  });
  forgetDetectorSettings(person.tenantId);
  return dto(kind, await detectorSetting(person.tenantId, kind));
}
