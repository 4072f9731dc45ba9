import "server-only";

// SendGrid takes an API key as a bearer token; GET /v3/scopes answers for any key, whatever its permissions.
import { API_KEY_SCOPES } from "@/lib/providers/api-key-scopes";
import type { ProviderDefinitionInput } from "@/lib/providers/schemas";

import { meta } from "./meta";

export const provider: ProviderDefinitionInput = {
  key: meta.key,
  name: meta.name,
  description: meta.description,
  kind: "builtin",
  credential: {
    type: "api_key",
    // SendGrid identifies keys by the id in their first part, not by their last characters: no last four here.
    fields: [{ name: "api_key", label: "API key", pattern: "^SG\\.[A-Za-z0-9_-]{16,}\\.[A-Za-z0-9_-]{16,}$", hint: "SG...." }],
    apply: [{ in: "header", name: "authorization", value: "Bearer {api_key}" }],
    verify: { path: "/scopes" },
  },
  scopes: [...API_KEY_SCOPES],
  apiBaseUrl: "https://api.sendgrid.com/v3",
};
