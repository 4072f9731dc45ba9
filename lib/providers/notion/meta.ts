// Notion as the portal shows it. It has no tools yet: agents reach it through the raw proxy.
// Client-safe: no URLs, no token settings.
import type { ProviderMeta } from "@/lib/providers/provider-meta";

export const meta: ProviderMeta = {
  key: "notion",
  name: "Notion",
  description: "Pages and databases you share with the vault in your Notion workspace.",
  logo: "/providers/notion.svg",
  tools: [],
};
