import "server-only";

// The bundled "Demo Tasks" provider (e2e/demo-provider/), served beside the portal in demo mode.
// Its URLs depend on where it runs, so it is built from its issuer rather than listed as a constant.
import { providerDefinition, type ProviderDefinition, type ProviderDefinitionInput } from "@/lib/providers/schemas";

import { meta } from "./meta";

export const DEMO_PROVIDER_KEY = meta.key;

/**
 * The demo authorization server's endpoint paths, relative to its issuer. Kept here, in one place,
 * so whoever builds the demo server can move them without hunting through the catalogue.
 */
export const DEMO_PATHS = {
  authorization: "/auth",
  token: "/token",
  revocation: "/token/revocation",
  me: "/me",
} as const;

/** The bundled "Demo Tasks" provider served by the portal itself at `issuer`. */
export function demoTasksDefinition(issuer: string): ProviderDefinition {
  const base = issuer.replace(/\/+$/, "");
  return providerDefinition.parse({
    key: meta.key,
    name: meta.name,
    description: meta.description,
    kind: "builtin",
    authorizationUrl: `${base}${DEMO_PATHS.authorization}`,
    tokenUrl: `${base}${DEMO_PATHS.token}`,
    revocationUrl: `${base}${DEMO_PATHS.revocation}`,
    // Exactly as given: RFC 9207 compares `iss` by simple string equality.
    issuer,
    scopes: [
      { name: "tasks.read", description: "Read your tasks", default: true },
      { name: "tasks.write", description: "Create and delete your tasks", default: true },
    ],
    pkce: true,
    tokenAuthMethod: "client_secret_basic",
    apiBaseUrl: base,
    accountIdentity: { source: "api", url: `${base}${DEMO_PATHS.me}`, idPath: "sub", labelPath: "email" },
    supportsRefresh: true,
  } satisfies ProviderDefinitionInput);
}
