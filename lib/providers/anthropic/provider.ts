import "server-only";

// Anthropic's API takes the key in x-api-key and wants the API version on every request.
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
    fields: [{ name: "api_key", label: "API key", pattern: "^sk-ant-[A-Za-z0-9_-]{20,}$", hint: "sk-ant-..." }],
    apply: [
      { in: "header", name: "x-api-key", value: "{api_key}" },
      { in: "header", name: "anthropic-version", value: "2023-06-01" },
    ],
    lastFour: "api_key",
    verify: { path: "/models" },
  },
  scopes: [...API_KEY_SCOPES],
  apiBaseUrl: "https://api.anthropic.com/v1",
};
