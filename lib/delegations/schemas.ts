// Delegation schemas (CONVENTIONS.md, 3): the grant body that drives both the portal's form and the
// BFF handler, and the DTO every list answers with. Pure and client-safe. The DTO has no field that
// could carry a credential, so one cannot leak through a delegation listing even by mistake.
import { z } from "zod";
import { toolName } from "@/lib/agents/ceiling";
import { scopeToken } from "@/lib/providers/schemas";
import { constraintsSchema } from "./constraints";

const unique = (list: readonly string[]) => new Set(list).size === list.length;
const id = z.string().trim().min(1, "must not be empty").max(200);

export const createDelegationBody = z
  .object({
    agentId: id,
    connectionId: id,
    scopes: z.array(scopeToken).min(1, "must name at least one scope").max(100).refine(unique, "must not name the same scope twice"),
    tools: z.array(toolName).max(200).refine(unique, "must not name the same tool twice").default([]),
    /** When the grant ends; the agent's ceiling bounds how far ahead it may be. */
    expiresAt: z.iso.datetime({ offset: true, message: "must be a date and time like 2030-01-31T12:00:00Z" }),
    // prefault: an absent value is parsed as {}, so the schema's own defaults (readOnly false...) apply.
    constraints: constraintsSchema.prefault({}),
    /**
     * Let the tenant's service account stand in if this connection stops working. Only for an agent
     * whose ceiling allows service accounts, and only while the tenant switch is on.
     */
    allowServiceAccount: z.boolean().default(false),
  })
  .strict();

export type CreateDelegationBody = z.input<typeof createDelegationBody>;
export type CreateDelegation = z.output<typeof createDelegationBody>;

export const delegationStatus = z.enum(["active", "expired", "revoked"]);
export type DelegationStatus = z.infer<typeof delegationStatus>;

export const delegationDto = z
  .object({
    id: z.string(),
    agentId: z.string(),
    agentName: z.string(),
    agentClientId: z.string(),
    connectionId: z.string(),
    provider: z.string(),
    connectionLabel: z.string(),
    /** The person who granted it (the connection's owner). */
    userArn: z.string(),
    userName: z.string(),
    scopes: z.array(z.string()),
    tools: z.array(z.string()),
    /** null when the stored rules cannot be read: the PDP then refuses every action on the grant. */
    constraints: constraintsSchema.nullable(),
    expiresAt: z.string(),
    revokedAt: z.string().nullable(),
    createdAt: z.string(),
    status: delegationStatus,
    /** The person let the tenant's service account stand in if their connection stops working. */
    allowServiceAccount: z.boolean(),
  })
  .strip();

export type DelegationDto = z.infer<typeof delegationDto>;
