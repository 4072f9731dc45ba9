// An agent's capability ceiling (ARCHITECTURE.md, layer 1): what an administrator lets this agent
// ever do. Every list is an allow-list and empty means nothing, so a new agent can do nothing until
// an administrator says otherwise. Pure and client-safe: the admin form and the PDP share it.
import { z } from "zod";
import { pathPattern } from "@/lib/pdp/path-pattern";
import { providerKey } from "@/lib/providers/schemas";
import { findTool } from "@/lib/providers/meta";
import { HTTP_METHODS } from "@/lib/tools/tool";

export const DAY_SECONDS = 86_400;
/** Longest delegation any ceiling may allow: one year. */
export const MAX_DELEGATION_SECONDS = 365 * DAY_SECONDS;

export const toolName = z
  .string()
  .trim()
  .refine((name) => findTool(name) !== undefined, "is not a tool the vault knows");

export const httpMethod = z.enum(HTTP_METHODS);

const uniq = <T extends z.ZodType>(item: T, max: number) =>
  z
    .array(item)
    .max(max)
    .transform((list) => [...new Set(list as unknown[])] as z.output<T>[]);

export const ceilingSchema = z
  .object({
    /** Provider keys whose connections this agent may be granted. */
    providers: uniq(providerKey, 100).default([]),
    /** Tool names (lib/providers/<key>/meta.ts) it may call. */
    tools: uniq(toolName, 200).default([]),
    /** HTTP methods it may use through the raw proxy. */
    methods: uniq(httpMethod, HTTP_METHODS.length).default([]),
    /** Proxy paths it may reach (relative to the provider's API base). */
    pathPatterns: uniq(pathPattern, 50).default([]),
    /** Longest delegation a person may grant it, in seconds. */
    maxDelegationSeconds: z
      .number()
      .int()
      .min(60)
      .max(MAX_DELEGATION_SECONDS)
      .default(30 * DAY_SECONDS),
    /** Whether it may ever act with a tenant service account instead of a person's own connection. */
    allowServiceAccount: z.boolean().default(false),
    /** Tools it may call only once the person behind the delegation approves that very call. */
    approvalTools: uniq(toolName, 200).default([]),
    /** Proxy methods it may send only once the person approves that very request. */
    approvalMethods: uniq(httpMethod, HTTP_METHODS.length).default([]),
  })
  .strict();

export type Ceiling = z.output<typeof ceilingSchema>;

/** The ceiling of a newly registered agent, and what a stored ceiling that fails to parse falls back to: nothing. */
export const EMPTY_CEILING: Ceiling = ceilingSchema.parse({});

/** A stored ceiling, read defensively: anything unreadable denies everything rather than throwing. */
export function readCeiling(stored: unknown): Ceiling {
  const parsed = ceilingSchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : EMPTY_CEILING;
}
