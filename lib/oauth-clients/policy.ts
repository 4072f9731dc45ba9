// A tenant's MCP client policy (stored in Tenant.mcpClientPolicy, `{}` meaning every default): who
// may connect an OAuth (MCP) client at all, whether a client new to the tenant waits for an
// administrator or is approved at once with the tenant's default ceiling, that ceiling (the agent
// ceiling schema, lib/agents/ceiling.ts; empty = nothing), and the hosts whose client metadata
// documents the tenant vouches for (their clients are shown as verified). Pure and client-safe: the
// portal's policy form and the server share it. Touches nothing; lib/tenancy/settings.ts stores it.
import { z } from "zod";

import { ceilingSchema, EMPTY_CEILING } from "@/lib/agents/ceiling";

export const WHO_MAY_CONNECT = ["everyone", "admins", "nobody"] as const;
export const NEW_CLIENTS = ["approval", "tenant_default"] as const;
export const MAX_VERIFIED_HOSTS = 50;

const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const HOST = new RegExp(`^(?=.{1,253}(?::|$))${LABEL}(?:\\.${LABEL})*(?::[1-9]\\d{0,4})?$`);

/** A host as a metadata document URL names it: "claude.ai", "app.example.com", "example.com:8443". */
export const verifiedHost = z.string().trim().toLowerCase().regex(HOST, "must be a host name such as claude.ai (no scheme, path or wildcard)");

const hostList = z
  .array(verifiedHost)
  .max(MAX_VERIFIED_HOSTS, `may hold at most ${MAX_VERIFIED_HOSTS} hosts`)
  .transform((list) => [...new Set(list)]);

export const mcpClientPolicySchema = z
  .object({
    /** Who may connect a client: everyone in the tenant, only its administrators, or nobody. */
    whoMayConnect: z.enum(WHO_MAY_CONNECT).default("everyone"),
    /** A client seen for the first time: waits for an administrator, or is approved with `defaultCeiling`. */
    newClients: z.enum(NEW_CLIENTS).default("approval"),
    /** The ceiling of a client approved by the policy rather than by an administrator. */
    defaultCeiling: ceilingSchema.default(() => structuredClone(EMPTY_CEILING)),
    /** Hosts whose client metadata documents the tenant vouches for. */
    verifiedHosts: hostList.default([]),
  })
  .strict();

export type McpClientPolicy = z.output<typeof mcpClientPolicySchema>;
export type WhoMayConnect = McpClientPolicy["whoMayConnect"];

/** PATCH /api/v1/tenant `mcpClientPolicy`: only what is sent changes. */
export const mcpClientPolicyPatch = z
  .object({
    whoMayConnect: z.enum(WHO_MAY_CONNECT).optional(),
    newClients: z.enum(NEW_CLIENTS).optional(),
    defaultCeiling: ceilingSchema.optional(),
    verifiedHosts: hostList.optional(),
  })
  .strict()
  .refine((p) => Object.values(p).some((v) => v !== undefined), { message: "must change at least one thing" });

export type McpClientPolicyPatch = z.output<typeof mcpClientPolicyPatch>;

export const DEFAULT_MCP_CLIENT_POLICY: McpClientPolicy = mcpClientPolicySchema.parse({});

/** What a stored policy that cannot be read stands for: nobody connects anything until an administrator saves one again. */
const UNREADABLE_POLICY: McpClientPolicy = { ...DEFAULT_MCP_CLIENT_POLICY, whoMayConnect: "nobody" };

/** A stored policy, read defensively: anything unreadable refuses every connection rather than throwing. */
export function readMcpClientPolicy(stored: unknown): McpClientPolicy {
  const parsed = mcpClientPolicySchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : structuredClone(UNREADABLE_POLICY);
}

/** Why this person may not connect clients under the policy (a sentence), or null when they may. */
export function connectRefusal(policy: McpClientPolicy, role: "admin" | "user"): string | null {
  if (policy.whoMayConnect === "nobody") return "Your organisation does not let anyone connect MCP clients to the vault: ask an administrator if you need one.";
  if (policy.whoMayConnect === "admins" && role !== "admin") {
    return "In your organisation only administrators may connect MCP clients to the vault: ask an administrator to connect this one.";
  }
  return null;
}
