// Tenant settings (CONVENTIONS.md, 3): the body administrators send and the DTO every answer is
// built from. Pure and client-safe: the Agents page's switch and the BFF handler share them.
import { z } from "zod";

/** PATCH /api/v1/tenant: only what is sent changes. */
export const updateTenantSettingsBody = z
  .object({
    /** The tenant switch: whether a service account may ever stand in for a person's unusable connection. */
    allowServiceAccounts: z.boolean(),
  })
  .strict();

export type UpdateTenantSettings = z.output<typeof updateTenantSettingsBody>;

export const tenantSettingsDto = z
  .object({
    id: z.string(),
    name: z.string(),
    allowServiceAccounts: z.boolean(),
  })
  .strip();

export type TenantSettingsDto = z.infer<typeof tenantSettingsDto>;
