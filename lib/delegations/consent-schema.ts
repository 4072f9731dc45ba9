// What a person decides on the consent page of an OAuth client (an MCP client): which of their
// connections it gets, with which scopes, tools and limits, until when. Each chosen connection
// becomes one ordinary delegation to the client's agent. Pure and client-safe: the consent form and
// the consent route check the same schema.
import { z } from "zod";

import { createDelegationBody } from "./schemas";

export const consentGrant = createDelegationBody.pick({ connectionId: true, scopes: true, tools: true, constraints: true }).strict();

export const consentBody = z.discriminatedUnion("decision", [
  z.object({ decision: z.literal("deny") }).strict(),
  z
    .object({
      decision: z.literal("approve"),
      grants: z
        .array(consentGrant)
        .min(1, "must give access to at least one connection")
        .max(20)
        .refine((list) => new Set(list.map((g) => g.connectionId)).size === list.length, "must name each connection once"),
      expiresAt: createDelegationBody.shape.expiresAt,
    })
    .strict(),
]);

export type ConsentBody = z.output<typeof consentBody>;
export type ConsentBodyInput = z.input<typeof consentBody>;
