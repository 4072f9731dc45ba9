// Stripe as the portal shows it. It has no tools yet: agents reach it through the raw proxy.
// Client-safe: no URLs, no credential settings.
import { API_KEY_PROXY_RULES } from "@/lib/providers/api-key-scopes";
import type { ProviderMeta } from "@/lib/providers/provider-meta";

export const meta: ProviderMeta = {
  key: "stripe",
  name: "Stripe",
  description: "Payments, customers and invoices of your Stripe account, with a secret or restricted key you paste.",
  tools: [],
  proxyScopeRules: API_KEY_PROXY_RULES,
};
