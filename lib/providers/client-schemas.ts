// Bodies of the admin's provider-setup calls. Pure (no server-only): the portal forms and the
// route handlers share them, so a form cannot send what the handler would refuse.
import { z } from "zod";

import { apiKeySettings, genericApiKeyProviderInput, genericProviderInput, providerKey, type ProviderDefinition } from "@/lib/providers/schemas";

const clientCredentials = {
  clientId: z.string().trim().min(1, "must not be empty").max(512),
  // Trimmed because a pasted secret with a stray newline fails at the provider with an unhelpful error.
  clientSecret: z.string().trim().min(1, "must not be empty").max(4096),
};

/** PUT /api/v1/providers/{key}/client */
export const providerClientBody = z.object(clientCredentials).strict();

/** POST /api/v1/providers/generic with an OAuth 2.0 provider: its form plus the client registered with it. */
export const genericOAuthProviderBody = genericProviderInput.extend({ credential: z.literal("oauth2").optional(), ...clientCredentials }).strict();

/**
 * POST /api/v1/providers/generic: an OAuth 2.0 provider (`credential` "oauth2" or absent, as before)
 * or one whose key each person pastes (`credential: "api_key"`, no client to register).
 */
export const genericProviderBody = z.discriminatedUnion("credential", [genericOAuthProviderBody, genericApiKeyProviderInput], {
  error: () => 'must be "oauth2" (the default) or "api_key"',
});

export const providerKeyParams = z.object({ key: providerKey }).strict();

export type ProviderClientBody = z.input<typeof providerClientBody>;
export type GenericProviderBody = z.input<typeof genericProviderBody>;
export type GenericOAuthProviderBody = z.input<typeof genericOAuthProviderBody>;

/** One entry of GET /api/v1/providers: what the portal shows, none of the provider's URLs. */
export type ProviderSummary = {
  key: string;
  name: string;
  description: string;
  scopes: { name: string; description: string; default: boolean }[];
  configured: boolean;
  source: "builtin" | "demo" | "file" | "generic";
  /** How people connect it: OAuth 2.0 (a client to register) or a key each person pastes (none). */
  credential: "oauth2" | "api_key";
};

/** Picked field by field: a definition also holds URLs and token settings the portal has no use for. */
export function toProviderSummary({
  definition,
  configured,
  source,
}: {
  definition: ProviderDefinition;
  configured: boolean;
  source: ProviderSummary["source"];
}): ProviderSummary {
  return {
    key: definition.key,
    name: definition.name,
    description: definition.description,
    scopes: definition.scopes.map((s) => ({ name: s.name, description: s.description, default: s.default })),
    configured,
    source,
    credential: definition.credential.type,
  };
}

/** One field of the paste-key form: what the person is asked for, never the provider's pattern or placement rules. */
export type PasteKeyField = { name: string; label: string; secret: boolean; hint?: string };

/** What the paste-key form needs of a provider that takes a pasted key (null for an OAuth provider), picked field by field. */
export function pasteKeyForm(definition: ProviderDefinition): { fields: PasteKeyField[]; canVerify: boolean } | null {
  const credential = apiKeySettings(definition);
  if (!credential) return null;
  return { fields: credential.fields.map((f) => ({ name: f.name, label: f.label, secret: f.secret, hint: f.hint })), canVerify: Boolean(credential.verify) };
}
