// Bodies and answers of the agent registry's BFF calls (CONTRACT.md, "Portal BFF"). Pure (no
// server-only): the admin forms and the route handlers share them. The answer DTO is a zod schema
// with no field for a secret or its hash, so neither can reach the portal even if a whole row is
// passed in; the one-time client secret travels beside the DTO, never inside it.
import { z } from "zod";

import { ceilingSchema, EMPTY_CEILING } from "@/lib/agents/ceiling";
import { jwksUriSchema, publicJwksSchema } from "@/lib/agents/jwks";

/** Longest rotation overlap: a week, long enough to roll a secret through any deployment. */
export const MAX_OVERLAP_SECONDS = 7 * 86_400;

export const agentStatus = z.enum(["active", "suspended"]);
export const authMethod = z.enum(["client_secret", "private_key_jwt"]);

const name = z.string().trim().min(1, "must not be empty").max(80, "must be at most 80 characters");
const description = z.string().trim().max(500, "must be at most 500 characters");

/** POST /api/v1/agents */
export const createAgentBody = z
  .object({
    name,
    description: description.default(""),
    credentials: z
      .object({
        /** Issue a client secret (shown once) for client_secret_basic / client_secret_post. */
        secret: z.boolean(),
        /** Public keys for private_key_jwt, inline... */
        jwks: publicJwksSchema.optional(),
        /** ...or where the agent publishes them. */
        jwksUri: jwksUriSchema.optional(),
      })
      .strict()
      .refine((c) => c.secret || c.jwks !== undefined || c.jwksUri !== undefined, {
        message: "must include at least one way to authenticate: a client secret, a public JWKS or a JWKS URL",
      })
      .refine((c) => c.jwks === undefined || c.jwksUri === undefined, {
        message: "may hold a public JWKS or a JWKS URL, not both (RFC 7591)",
      }),
    /** Omitted: the empty ceiling, so a new agent can do nothing until an admin says otherwise. */
    ceiling: ceilingSchema.default(() => structuredClone(EMPTY_CEILING)),
  })
  .strict();

/** PATCH /api/v1/agents/{id}: only what is sent changes. */
export const updateAgentBody = z
  .object({
    name: name.optional(),
    description: description.optional(),
    /** Replaces the whole ceiling. Narrowing it does not rewrite delegations: the PDP intersects. */
    ceiling: ceilingSchema.optional(),
    status: agentStatus.optional(),
    /** A new secret, shown once; the old one keeps working for `overlapSeconds` (0 = stops now). */
    rotateSecret: z
      .object({ overlapSeconds: z.number().int().min(0).max(MAX_OVERLAP_SECONDS, "must be at most 7 days (604800 seconds)") })
      .strict()
      .optional(),
    /** null removes the inline keys. */
    jwks: publicJwksSchema.nullable().optional(),
    /** null removes the JWKS URL. */
    jwksUri: jwksUriSchema.nullable().optional(),
    /** true issues a first client secret (shown once); false removes client-secret authentication. */
    enableSecret: z.boolean().optional(),
  })
  .strict()
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: "must change at least one thing" })
  .refine((b) => !(b.rotateSecret && b.enableSecret !== undefined), {
    message: 'may hold "rotateSecret" or "enableSecret", not both',
  })
  .refine((b) => !(b.jwks && b.jwksUri), { message: "may set a public JWKS or a JWKS URL, not both (RFC 7591)" });

export const agentDto = z
  .object({
    id: z.string(),
    clientId: z.string(),
    name: z.string(),
    description: z.string(),
    status: agentStatus,
    ceiling: ceilingSchema,
    authMethods: z.array(authMethod),
    jwksUri: z.string().nullable(),
    /** Public keys registered inline (0 when none, or when a JWKS URL is used instead). */
    keyCount: z.number().int(),
    /** While a rotation overlap lasts: when the previous secret stops working. Null otherwise. */
    previousSecretExpiresAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    /** Delegations to this agent that are neither revoked nor expired. */
    activeDelegations: z.number().int(),
  })
  .strip();

export const agentIdParams = z.object({ id: z.string().trim().min(1).max(200) }).strict();

export type CreateAgentBody = z.input<typeof createAgentBody>;
export type CreateAgentInput = z.output<typeof createAgentBody>;
export type UpdateAgentBody = z.input<typeof updateAgentBody>;
export type UpdateAgentInput = z.output<typeof updateAgentBody>;
export type AgentDto = z.output<typeof agentDto>;
export type AgentStatus = z.output<typeof agentStatus>;

/** What POST /api/v1/agents answers; `client_secret` only when one was issued (CONTRACT.md). */
export type RegisterAgentAnswer = { agent: AgentDto; client_id: string; client_secret?: string };
/** What PATCH /api/v1/agents/{id} answers; `client_secret` only when a secret was rotated or issued. */
export type UpdateAgentAnswer = { agent: AgentDto; client_id: string; client_secret?: string };
