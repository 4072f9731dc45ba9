// Anthropic as the portal shows it. It has no tools yet: agents reach it through the raw proxy.
// Client-safe: no URLs, no credential settings.
import { API_KEY_PROXY_RULES } from "@/lib/providers/api-key-scopes";
import type { ProviderMeta } from "@/lib/providers/provider-meta";

export const meta: ProviderMeta = {
  key: "anthropic",
  name: "Anthropic",
  description: "Claude models through the Anthropic API, with an API key you paste.",
  tools: [],
  proxyScopeRules: API_KEY_PROXY_RULES,
};
