// OpenAI as the portal shows it, and its tools. Beyond these, agents reach it through the raw proxy.
// Client-safe: no URLs, no credential settings.
import { API_KEY_PROXY_RULES } from "@/lib/providers/api-key-scopes";
import type { ProviderMeta } from "@/lib/providers/provider-meta";

export const meta: ProviderMeta = {
  key: "openai",
  name: "OpenAI",
  description: "Models, files and assistants of your OpenAI organisation, with an API key you paste.",
  tools: [
    {
      name: "openai.list_models",
      provider: "openai",
      title: "List models",
      description: "The models this OpenAI key can use, with their owner and creation time.",
      write: false,
      // A read: either of the key's scopes allows it, as the proxy's GET rule does.
      anyOfScopes: ["read", "write"],
    },
  ],
  proxyScopeRules: API_KEY_PROXY_RULES,
};
