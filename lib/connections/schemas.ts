// Connection DTOs (CONTRACT.md, "Portal BFF"). Built from a strict schema with no credential field,
// so a token cannot ride along even if a caller passes a whole row.
import { z } from "zod";

export const connectionStatus = z.enum(["active", "refreshing", "degraded", "needs_reconnect", "revoked"]);
export type ConnectionStatus = z.infer<typeof connectionStatus>;

export const connectionDto = z
  .object({
    id: z.string(),
    provider: z.string(),
    label: z.string(),
    status: connectionStatus,
    scopes: z.array(z.string()),
    metadata: z.record(z.string(), z.unknown()),
    expiresAt: z.string().nullable(),
    lastRefreshedAt: z.string().nullable(),
    /** When the refresh token stops working and the person must connect again (null: no known end). */
    reconnectBy: z.string().nullable(),
    /** An administrator marked it as the tenant's service account for its provider (at most one per provider). */
    serviceAccount: z.boolean(),
  })
  .strip();

export type ConnectionDto = z.infer<typeof connectionDto>;

/** PATCH /api/v1/connections/{id} (administrators, on their own connection). */
export const updateConnectionBody = z
  .object({
    /** Mark (true) or unmark (false) it as the tenant's service account for its provider. */
    serviceAccount: z.boolean(),
  })
  .strict();

export type UpdateConnectionBody = z.output<typeof updateConnectionBody>;

/** POST /api/v1/connections/api-key/{provider}: the credential a person pastes, by the provider's field names. */
export const pasteKeyBody = z
  .object({
    fields: z.record(z.string().max(64), z.string().max(4096)).refine((f) => Object.keys(f).length <= 8, "names more than 8 fields"),
    /** The person's own name for this key; otherwise the provider's account name or the key's last four. */
    label: z.string().trim().max(200).optional(),
    /** Try the key with the provider's harmless call first (default: when the provider has one). */
    verify: z.boolean().optional(),
    /** Replace the key of this connection (one of yours, same provider), keeping its delegations. */
    replace: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

export type PasteKeyBody = z.output<typeof pasteKeyBody>;

/** What a connection made with a pasted key keeps of it in its metadata (`metadata.credential`): never the key itself. */
export const credentialSummary = z.object({
  type: z.literal("api_key"),
  /** Keyed hash of the fields (`xxxx:xxxx:xxxx:xxxx`). */
  fingerprint: z.string(),
  /** The key's last four characters, where the provider's format allows showing them. */
  lastFour: z.string().nullable(),
  /** Whether the provider accepted it at the check when it was stored. */
  verified: z.boolean(),
});

export type CredentialSummary = z.infer<typeof credentialSummary>;
