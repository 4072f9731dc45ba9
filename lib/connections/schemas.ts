// Connection DTOs (CONTRACT.md, "Portal BFF"). Built from a strict schema with no credential field,
// so a token cannot ride along even if a caller passes a whole row.
import { z } from "zod";

export const connectionStatus = z.enum(["active", "refreshing", "degraded", "needs_reconnect", "revoked"]);

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
  })
  .strip();

export type ConnectionDto = z.infer<typeof connectionDto>;
