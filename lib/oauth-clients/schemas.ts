// The MCP clients admin surface's bodies and answers (CONTRACT.md, "Portal BFF": GET|PATCH|DELETE
// /api/v1/mcp-clients[/{id}]). Pure and client-safe: the portal's MCP clients page and the route
// handlers share them. The DTO has no field for a secret or its hash.
import { z } from "zod";

import { ceilingSchema } from "@/lib/agents/ceiling";

export const clientApproval = z.enum(["pending", "approved", "blocked"]);

/** {id} is the client_id, URL-encoded (a metadata document's id is a URL). Decoded here if the router left it encoded. */
export const mcpClientIdParams = z
  .object({
    id: z
      .string()
      .min(1)
      .max(3000)
      .transform((id) => {
        if (!/^https?%3a/i.test(id)) return id;
        try {
          return decodeURIComponent(id);
        } catch {
          return id;
        }
      })
      .pipe(z.string().min(1).max(1000, "is longer than any client_id")),
  })
  .strict();

/** PATCH /api/v1/mcp-clients/{id}: one decision at a time. */
export const updateMcpClientBody = z.discriminatedUnion(
  "action",
  [
    /** Approves it (again): the ceiling is required when it has no agent yet, and replaces the agent's otherwise. */
    z.object({ action: z.literal("approve"), ceiling: ceilingSchema.optional() }).strict(),
    /** Refuses it from now on; its agent is suspended, so what it already holds stops working. */
    z.object({ action: z.literal("block") }).strict(),
    z.object({ action: z.literal("suspend") }).strict(),
    z.object({ action: z.literal("resume") }).strict(),
    z.object({ action: z.literal("set_ceiling"), ceiling: ceilingSchema }).strict(),
  ],
  { error: 'must name an action: "approve", "block", "suspend", "resume" or "set_ceiling"' },
);

const person = z.object({ id: z.string(), name: z.string(), email: z.string() }).strip();

export const mcpClientDto = z
  .object({
    clientId: z.string(),
    name: z.string(),
    logoUri: z.string().nullable(),
    clientUri: z.string().nullable(),
    kind: z.enum(["metadata_document", "registered"]),
    /** A metadata document from a host this organisation vouches for; never a self-registered client. */
    verified: z.boolean(),
    native: z.boolean(),
    redirectUris: z.array(z.string()),
    redirectHosts: z.array(z.string()),
    /** Approved without an agent (it was deleted on the Agents page) reads as pending: it needs approving again. */
    status: clientApproval,
    agent: z
      .object({
        id: z.string(),
        name: z.string(),
        status: z.enum(["active", "suspended"]),
        ceiling: ceilingSchema,
        activeDelegations: z.number().int(),
      })
      .strip()
      .nullable(),
    requestedBy: person.nullable(),
    decidedBy: person.nullable(),
    createdAt: z.string(),
    decidedAt: z.string().nullable(),
  })
  .strip();

export type McpClientDto = z.output<typeof mcpClientDto>;
export type UpdateMcpClientBody = z.input<typeof updateMcpClientBody>;
export type UpdateMcpClientInput = z.output<typeof updateMcpClientBody>;
export type DeleteMcpClientAnswer = { deleted: true; delegationsEnded: number };
