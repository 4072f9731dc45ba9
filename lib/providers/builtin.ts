import "server-only";

// The built-in provider list and the bundled demo provider. Definitions are authored in the input
// shape and validated by catalogue.ts at module load, so a typo in one fails every start loudly.
import { atlassian, google, microsoft, notion, slack } from "@/lib/providers/builtin/workplace";
import { dropbox, github, hubspot, linear, salesforce } from "@/lib/providers/builtin/developer";
import { providerDefinition, type ProviderDefinition, type ProviderDefinitionInput } from "@/lib/providers/schemas";

export const BUILTIN_DEFINITIONS: readonly ProviderDefinitionInput[] = [
  github,
  google,
  atlassian,
  slack,
  microsoft,
  salesforce,
  notion,
  linear,
  hubspot,
  dropbox,
];

export const DEMO_PROVIDER_KEY = "demo-tasks";

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
    key: DEMO_PROVIDER_KEY,
    name: "Demo Tasks",
    description: "A small to-do list API bundled with the vault, for trying connections and agents.",
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
