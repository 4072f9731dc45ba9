// Microsoft 365 as the portal shows it. It has no tools yet: agents reach it through the raw proxy.
// Client-safe: no URLs, no token settings.
import type { ProviderMeta } from "@/lib/providers/provider-meta";

export const meta: ProviderMeta = {
  key: "microsoft",
  name: "Microsoft 365",
  description: "Outlook mail, calendar and OneDrive files through Microsoft Graph.",
  logo: "/providers/microsoft.svg",
  tools: [],
};
