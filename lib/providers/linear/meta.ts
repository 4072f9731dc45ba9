// Linear as the portal shows it. It has no tools yet: agents reach it through the raw proxy.
// Client-safe: no URLs, no token settings.
import type { ProviderMeta } from "@/lib/providers/provider-meta";

export const meta: ProviderMeta = {
  key: "linear",
  name: "Linear",
  description: "Issues, projects and comments in your Linear workspace.",
  logo: "/providers/linear.svg",
  tools: [],
};
