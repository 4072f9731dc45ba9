// Tenant settings (CONVENTIONS.md, 3): the body administrators send and the DTO every answer is
// built from. Pure and client-safe: the Agents page's switch, the MCP clients page's policy form and
// the BFF handler share them.
import { z } from "zod";

import { mcpClientPolicyPatch, mcpClientPolicySchema } from "@/lib/oauth-clients/policy";

/** PATCH /api/v1/tenant: only what is sent changes. */
export const updateTenantSettingsBody = z
  .object({
    /** The tenant switch: whether a service account may ever stand in for a person's unusable connection. */
    allowServiceAccounts: z.boolean().optional(),
    /** Who may connect MCP clients and what a new one gets (lib/oauth-clients/policy.ts); only the fields sent change. */
    mcpClientPolicy: mcpClientPolicyPatch.optional(),
  })
  .strict()
  .refine((b) => b.allowServiceAccounts !== undefined || b.mcpClientPolicy !== undefined, {
    message: 'must change at least one setting ("allowServiceAccounts" or "mcpClientPolicy")',
  });

export type UpdateTenantSettings = z.output<typeof updateTenantSettingsBody>;

export const tenantSettingsDto = z
  .object({
    id: z.string(),
    name: z.string(),
    allowServiceAccounts: z.boolean(),
    mcpClientPolicy: mcpClientPolicySchema,
  })
  .strip();

export type TenantSettingsDto = z.infer<typeof tenantSettingsDto>;
