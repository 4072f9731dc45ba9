import "server-only";

// OpenAI's API takes a secret key as a bearer token; listing models is a harmless check of it.
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
    fields: [{ name: "api_key", label: "Secret key", pattern: "^sk-[A-Za-z0-9_-]{20,}$", hint: "sk-..." }],
    apply: [{ in: "header", name: "authorization", value: "Bearer {api_key}" }],
    // OpenAI itself lists keys by their last four characters.
    lastFour: "api_key",
    verify: { path: "/models" },
  },
  scopes: [...API_KEY_SCOPES],
  apiBaseUrl: "https://api.openai.com/v1",
};
