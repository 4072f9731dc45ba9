// Data-level rules a person attaches to a delegation (ARCHITECTURE.md, layer 4). Pure and
// client-safe: the grant form, the BFF handler and the PDP share this one schema.
import { z } from "zod";
import { httpMethod } from "@/lib/agents/ceiling";
import { pathPattern } from "@/lib/pdp/path-pattern";

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const clock = z
  .string()
  .trim()
  .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, "must be a time like 09:00 (24-hour clock)");

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const timeWindow = z
  .object({
    days: z.array(z.enum(WEEKDAYS)).min(1, "must name at least one day").max(7),
    /** Local start time, inclusive. */
    start: clock,
    /** Local end time, exclusive; an end before the start wraps past midnight (22:00-06:00). */
    end: clock,
    timeZone: z.string().trim().min(1).refine(isTimeZone, "is not a time zone the vault knows (use a name like Europe/Paris)"),
  })
  .strict()
  .refine((w) => w.start !== w.end, { message: "start and end must differ", path: ["end"] });

export const rateLimit = z
  .object({
    /** At most this many actions... */
    max: z.number().int().min(1).max(100_000),
    /** ...in any window of this many seconds. */
    perSeconds: z.number().int().min(1).max(86_400),
  })
  .strict();

export const constraintsSchema = z
  .object({
    /** Only GET/HEAD proxy calls and tools that change nothing. */
    readOnly: z.boolean().default(false),
    /** Narrows the ceiling's proxy methods; absent means the ceiling's. */
    methods: z.array(httpMethod).min(1).max(6).optional(),
    /** Narrows the ceiling's proxy paths; absent means the ceiling's. */
    pathPatterns: z.array(pathPattern).min(1).max(50).optional(),
    timeWindow: timeWindow.optional(),
    rateLimit: rateLimit.optional(),
    /** Writes wait for the person's approval (the approval flow answers 202 and polls). */
    approvalForWrites: z.boolean().default(false),
  })
  .strict();

export type Constraints = z.output<typeof constraintsSchema>;
export type TimeWindow = z.output<typeof timeWindow>;

/** A stored constraints value, read defensively: unreadable rules deny through the PDP (see readConstraints' callers). */
export function readConstraints(stored: unknown): Constraints | null {
  const parsed = constraintsSchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : null;
}
