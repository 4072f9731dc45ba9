// Salesforce as the portal shows it. It has no tools yet: agents reach it through the raw proxy.
// Client-safe: no URLs, no token settings.
import type { ProviderMeta } from "@/lib/providers/provider-meta";

export const meta: ProviderMeta = {
  key: "salesforce",
  name: "Salesforce",
  description: "Records and reports in your Salesforce org.",
  logo: "/providers/salesforce.svg",
  tools: [],
};
