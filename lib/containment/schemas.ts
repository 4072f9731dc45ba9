// Containment's vocabulary (CONTRACT.md, "Containment"): the detectors with their defaults, the
// alert, policy and enforcement DTOs, and the bodies and filters of its API. Pure (no server-only):
// the Alerts page, the route handlers and the OpenAPI document share it. Nothing here has a field
// for a credential: an alert names agents, connections, scopes and tools by id or name only.
import { z } from "zod";

export const ALERT_SEVERITY = ["critical", "high", "medium", "low"] as const;
export type AlertSeverity = (typeof ALERT_SEVERITY)[number];
export const ALERT_STATUS = ["open", "acknowledged", "resolved"] as const;
export const ENFORCEMENT_ACTIONS = ["log", "notify", "rate_limit", "require_approval", "suspend"] as const;
export type EnforcementAction = (typeof ENFORCEMENT_ACTIONS)[number];
export const ENFORCEMENT_STATUS = ["applied", "dry_run", "pending", "confirmed", "rejected", "skipped"] as const;

/**
 * The detectors, each with its severity and defaults. `threshold`: the count in `windowSeconds` above
 * which it fires (exchange_velocity, denial_storm), the scopes above which a grant is broad
 * (broad_consent) or the failed refreshes in a row that make a connection failing. For
 * scope_escalation `windowSeconds` is the learning period: what an agent first uses within it of its
 * first use on a connection joins the baseline silently.
 */
export const DETECTORS = {
  scope_escalation: { severity: "high", threshold: null, windowSeconds: 86_400 },
  exchange_velocity: { severity: "high", threshold: 20, windowSeconds: 300 },
  unauthorized_agent: { severity: "critical", threshold: null, windowSeconds: null },
  broad_consent: { severity: "medium", threshold: 10, windowSeconds: null },
  denial_storm: { severity: "medium", threshold: 10, windowSeconds: 3600 },
  connection_failing: { severity: "medium", threshold: 3, windowSeconds: null },
} as const satisfies Record<string, { severity: AlertSeverity; threshold: number | null; windowSeconds: number | null }>;

export const DETECTOR_KINDS = Object.keys(DETECTORS) as DetectorKind[];
export type DetectorKind = keyof typeof DETECTORS;
export const detectorKind = z.enum(DETECTOR_KINDS as [DetectorKind, ...DetectorKind[]]);

export const alertDto = z
  .object({
    id: z.string(),
    kind: detectorKind,
    severity: z.enum(ALERT_SEVERITY),
    status: z.enum(ALERT_STATUS),
    agentId: z.string().nullable(),
    agentName: z.string().nullable(),
    connectionId: z.string().nullable(),
    /** A sentence: what happened and what to do next. */
    message: z.string(),
    /** Facts for the reader: counts, the scope or tool, the refusal code. Never a token. */
    details: z.record(z.string(), z.unknown()),
    /** How many times it fired while unresolved. */
    count: z.number().int().min(1),
    firstSeenAt: z.string(),
    lastSeenAt: z.string(),
    acknowledgedAt: z.string().nullable(),
    acknowledgedBy: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    resolvedBy: z.string().nullable(),
    enforcements: z.array(
      z
        .object({
          id: z.string(),
          policyId: z.string(),
          action: z.enum(ENFORCEMENT_ACTIONS),
          status: z.enum(ENFORCEMENT_STATUS),
          dryRun: z.boolean(),
          createdAt: z.string(),
          decidedBy: z.string().nullable(),
          decidedAt: z.string().nullable(),
        })
        .strip(),
    ),
  })
  .strip();
export type AlertDto = z.output<typeof alertDto>;

/** GET /api/v1/alerts?severity=&kind=&status= */
export const alertQuery = z
  .object({
    severity: z.enum(ALERT_SEVERITY).optional(),
    kind: detectorKind.optional(),
    status: z.enum(ALERT_STATUS).optional(),
  })
  .strict();
export type AlertQuery = z.output<typeof alertQuery>;

/** PATCH /api/v1/alerts/{id} */
export const updateAlertBody = z.object({ status: z.enum(["acknowledged", "resolved"]) }).strict();

/** PATCH /api/v1/enforcements/{id}: an administrator decides a suspension that waits for one. */
export const decideEnforcementBody = z.object({ decision: z.enum(["confirm", "reject"]) }).strict();

export const policyDto = z
  .object({
    id: z.string(),
    detector: detectorKind,
    severity: z.enum(ALERT_SEVERITY),
    action: z.enum(ENFORCEMENT_ACTIONS),
    dryRun: z.boolean(),
    requireAdminApproval: z.boolean(),
    cooldownSeconds: z.number().int(),
    enabled: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .strip();
export type PolicyDto = z.output<typeof policyDto>;

const cooldownSeconds = z.number().int().min(1, "must be at least 1 second").max(86_400, "must be at most a day (86400 seconds)");

/** POST /api/v1/policies; severity defaults to the detector's own. */
export const createPolicyBody = z
  .object({
    detector: detectorKind,
    severity: z.enum(ALERT_SEVERITY).optional(),
    action: z.enum(ENFORCEMENT_ACTIONS),
    dryRun: z.boolean().default(false),
    requireAdminApproval: z.boolean().default(false),
    cooldownSeconds: cooldownSeconds.default(300),
    enabled: z.boolean().default(true),
  })
  .strict()
  .refine((p) => !p.requireAdminApproval || p.action === "suspend", { message: "requireAdminApproval applies only to the suspend action" });
export type CreatePolicyBody = z.output<typeof createPolicyBody>;

/** PATCH /api/v1/policies/{id}: only what is sent changes. */
export const updatePolicyBody = z
  .object({
    action: z.enum(ENFORCEMENT_ACTIONS).optional(),
    dryRun: z.boolean().optional(),
    requireAdminApproval: z.boolean().optional(),
    cooldownSeconds: cooldownSeconds.optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, { message: "must change at least one of action, dryRun, requireAdminApproval, cooldownSeconds, enabled" });
export type UpdatePolicyBody = z.output<typeof updatePolicyBody>;

export const detectorSettingDto = z
  .object({
    detector: detectorKind,
    severity: z.enum(ALERT_SEVERITY),
    enabled: z.boolean(),
    threshold: z.number().int().nullable(),
    windowSeconds: z.number().int().nullable(),
  })
  .strip();
export type DetectorSettingDto = z.output<typeof detectorSettingDto>;

/** PATCH /api/v1/detectors/{kind}: the tenant's own setting; null goes back to the default. */
export const updateDetectorBody = z
  .object({
    enabled: z.boolean().optional(),
    threshold: z.number().int().min(0).max(100_000).nullable().optional(),
    windowSeconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 86_400)
      .nullable()
      .optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, { message: "must change at least one of enabled, threshold, windowSeconds" });
export type UpdateDetectorBody = z.output<typeof updateDetectorBody>;

/** `{id}` of /api/v1/alerts/{id}, /api/v1/policies/{id} and /api/v1/enforcements/{id}. */
export const idParams = z.object({ id: z.string().trim().min(1).max(100) }).strip();
/** `{kind}` of /api/v1/detectors/{kind}. */
export const detectorParams = z.object({ kind: detectorKind }).strip();
