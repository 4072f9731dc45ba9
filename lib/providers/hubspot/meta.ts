// HubSpot as the portal shows it. It has no tools yet: agents reach it through the raw proxy.
// Client-safe: no URLs, no token settings.
import type { ProviderMeta } from "@/lib/providers/provider-meta";

export const meta: ProviderMeta = {
  key: "hubspot",
  name: "HubSpot",
  description: "Contacts, companies and deals in your HubSpot CRM.",
  logo: "/providers/hubspot.svg",
  tools: [],
};
